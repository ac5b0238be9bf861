"""Notices of a consultation's preparation: a research task, its due date, the draft report."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from aiogram.utils.i18n import gettext as _

from handlers.consultation.callbacks import DraftCommentCB
from handlers.notices.buttons import button
from handlers.texts import escape, local_time
from services.outbox.queue import Outgoing
from storage.models import DraftReport, Meeting, ResearchTask

PREVIEW = 600  # characters of the draft the notice shows; the rest is behind "Comment"


class ConsultationPrepNotices:
    """Research and draft notices; ``tz`` is the committee's time zone."""

    tz: dt.tzinfo
    KINDS: Mapping[str, str] = {
        "research-task": "research_task",
        "research-due": "research_due",
        "draft-report": "draft_report",
    }

    def research_task(self, *, locale: str, task: ResearchTask, meeting: Meeting) -> Outgoing:
        """To a member given a research task."""
        return Outgoing(
            text=_(
                "🔬 Research task for <b>{title}</b>: {what}\nDue: {due}.\n"
                "You receive this because the committee office gave you this task."
            ).format(
                title=escape(meeting.title), what=escape(task.what), due=task.due_on.isoformat()
            )
        )

    def research_due(self, *, locale: str, task: ResearchTask, meeting: Meeting) -> Outgoing:
        """To a member whose open research task is due soon."""
        return Outgoing(
            text=_(
                "⏰ Your research task for <b>{title}</b> is due on {due}: {what}\n"
                "You receive this the day before a task is due, until it is marked done."
            ).format(
                title=escape(meeting.title), what=escape(task.what), due=task.due_on.isoformat()
            )
        )

    def draft_report(self, *, locale: str, draft: DraftReport, meeting: Meeting) -> Outgoing:
        """To the invited members and the guests: the draft, and a way to comment."""
        text = draft.text if len(draft.text) <= PREVIEW else draft.text[:PREVIEW] + "…"
        lines = [
            _("📝 The draft report of <b>{title}</b> is ready for your comments.").format(
                title=escape(meeting.title)
            )
        ]
        if text:
            lines += ["", escape(text)]
        if draft.file_name:
            lines.append(_("Attached: {name}").format(name=escape(draft.file_name)))
        lines += [
            "",
            _("Comments are open until {when}.").format(
                when=local_time(draft.comments_until, self.tz)
            ),
        ]
        return Outgoing(
            text="\n".join(lines),
            buttons=[[button(_("💬 Comment"), DraftCommentCB(meeting=meeting.id or 0))]],
        )
