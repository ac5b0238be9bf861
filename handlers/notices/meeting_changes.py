"""Notices about a meeting staff changed or cancelled, to everyone invited."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aiogram.utils.i18n import gettext as _

from handlers.callbacks import MeetingCB
from handlers.notices.buttons import button
from handlers.notices.meetings import MeetingNotices
from handlers.texts import escape
from services.outbox.queue import Outgoing
from storage.models import Meeting


def changed_parts(changed: Sequence[str]) -> str:
    """The parts of a meeting that changed, named in the reader's language."""
    names = {"time": _("the time"), "venue": _("the venue"), "agenda": _("the agenda")}
    return _(", ").join(names.get(part, part) for part in changed)


class MeetingChangeNotices(MeetingNotices):
    """Meeting notices, and those of a change or a cancellation."""

    KINDS: Mapping[str, str] = {
        "meeting-changed": "meeting_changed",
        "meeting-cancelled": "meeting_cancelled",
    }

    def meeting_changed(self, *, locale: str, meeting: Meeting, changed: Sequence[str]) -> Outgoing:
        """The meeting as it stands now, and which parts changed."""
        text = "\n".join(
            [
                _("✏️ <b>Meeting changed</b>"),
                _("Changed: {parts}.").format(parts=changed_parts(changed)),
                "",
                *self._card(meeting, locale),
                "",
                _(
                    "You receive this because you are invited. If you can no longer come, "
                    "please ask for leave."
                ),
            ]
        )
        return Outgoing(text=text, buttons=self._answer_buttons(meeting))

    def meeting_cancelled(self, *, locale: str, meeting: Meeting) -> Outgoing:
        """The meeting will not take place; the calendar file takes it off the calendar."""
        assert meeting.id is not None
        text = "\n".join(
            [
                _("✖ <b>Meeting cancelled</b>"),
                _("{title} ({when}) will not take place.").format(
                    title=escape(meeting.title), when=self._when(meeting)
                ),
                _("You receive this because you were invited. Nothing more is needed from you."),
            ]
        )
        return Outgoing(
            text=text,
            buttons=[
                [button(_("📅 Remove from my calendar"), MeetingCB(action="ics", id=meeting.id))]
            ],
        )
