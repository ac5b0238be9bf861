"""Notices about residents' cases: unassigned, please rate, overdue."""

from __future__ import annotations

import datetime as dt

from aiogram.utils.i18n import gettext as _

from handlers.callbacks import (
    AssigneeIssueCB,
    IssueCB,
    StaffIssueCB,
)
from handlers.notices.buttons import button
from handlers.texts import local_time
from services.outbox.queue import Outgoing
from storage.models import Issue


class CaseNotices:
    """Case notices; ``tz`` is the committee's time zone."""

    tz: dt.tzinfo

    def issue_unassigned(self, *, locale: str, issue: Issue) -> Outgoing:
        """To staff: a case nobody was assigned to for a day."""
        assert issue.id is not None
        text = _(
            "⏳ Case {number} was received {when} and nobody is assigned to it yet. "
            "Every case gets an answer."
        ).format(number=issue.number, when=local_time(issue.created_at, self.tz))
        text += "\n" + _("You receive this because the case is at a station you look after.")
        return Outgoing(
            text=text,
            buttons=[[button(_("Open the case"), StaffIssueCB(action="view", id=issue.id))]],
        )

    def issue_rate(self, *, locale: str, issue: Issue) -> Outgoing:
        """To the resident: please rate the answer."""
        assert issue.id is not None
        text = _(
            "💬 Your case {number} was answered. Was the answer helpful? "
            "Please open the case and tell us."
        ).format(number=issue.number)
        text += "\n" + _(
            "You receive this because you reported the case and have not rated the answer yet; "
            "we ask twice at most."
        )
        return Outgoing(
            text=text, buttons=[[button(_("Open the case"), IssueCB(action="view", id=issue.id))]]
        )

    def issue_overdue(self, *, locale: str, issue: Issue) -> Outgoing:
        """To the assignee: the case is past its due date."""
        assert issue.id is not None
        assert issue.due_at is not None
        text = _(
            "⏰ Case {number}, assigned to you, was due on {date} and has no answer yet."
        ).format(number=issue.number, date=local_time(issue.due_at, self.tz))
        text += "\n" + _(
            "You receive this because the case is assigned to you. Answer the resident, or ask "
            "for more time or hand the case back from the case."
        )
        return Outgoing(
            text=text,
            buttons=[[button(_("Open the case"), AssigneeIssueCB(action="view", id=issue.id))]],
        )

    def issue_overdue_staff(self, *, locale: str, issue: Issue) -> Outgoing:
        """To staff: a case still unanswered two days after its due date."""
        assert issue.id is not None
        assert issue.due_at is not None
        text = _(
            "⏰ Case {number} was due on {date} and is still unanswered by its assignee."
        ).format(number=issue.number, date=local_time(issue.due_at, self.tz))
        text += "\n" + _("You receive this because the case is at a station you look after.")
        return Outgoing(
            text=text,
            buttons=[[button(_("Open the case"), StaffIssueCB(action="view", id=issue.id))]],
        )
