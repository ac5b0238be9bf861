"""Notices about meetings: invitations, reminders, leave, attendance."""

from __future__ import annotations

import datetime as dt

from aiogram.utils.i18n import gettext as _

from handlers.callbacks import (
    LeaveCB,
    MeetingCB,
    StaffMeetingCB,
)
from handlers.notices.buttons import Button, button
from handlers.texts import escape, local_time
from services.meetings.invitations import meeting_kind
from services.outbox.queue import Outgoing
from services.reference.catalog import display_name
from services.reminders.settings import Folded
from storage.enums import MeetingResponse
from storage.models import Meeting, Member


class MeetingNotices:
    """Meeting notices; ``tz`` is the committee's time zone."""

    tz: dt.tzinfo

    def _when(self, meeting: Meeting) -> str:
        start = meeting.starts_at.astimezone(self.tz)
        end = meeting.ends_at.astimezone(self.tz)
        end_text = end.strftime("%H:%M") if end.date() == start.date() else local_time(end, self.tz)
        return f"{start:%Y-%m-%d %H:%M} – {end_text}"

    def _card(self, meeting: Meeting, locale: str) -> list[str]:
        kind = meeting_kind(meeting.kind)
        lines = [
            f"<b>{escape(meeting.title)}</b>",
            _("Kind: {value}").format(value=escape(display_name(kind, locale)) if kind else "-"),
            _("When: {value}").format(value=self._when(meeting)),
            _("Venue: {value}").format(value=escape(meeting.venue)),
        ]
        if meeting.agenda:
            lines += [_("Agenda:"), f"<blockquote>{escape(meeting.agenda)}</blockquote>"]
        return lines

    def _answer_buttons(self, meeting: Meeting) -> list[list[Button]]:
        assert meeting.id is not None
        return [
            [
                button(
                    _("✅ I will attend"),
                    MeetingCB(action="attend", id=meeting.id, v=meeting.sequence),
                ),
                button(
                    _("🙋 Ask for leave"),
                    MeetingCB(action="leave", id=meeting.id, v=meeting.sequence),
                ),
            ],
            [button(_("📅 Add to my calendar"), MeetingCB(action="ics", id=meeting.id))],
        ]

    def meeting_invitation(
        self, *, locale: str, meeting: Meeting, folded: Folded | None = None
    ) -> Outgoing:
        """You are invited: the meeting, and attend / ask for leave.

        Written after a reminder's or the nudge's moment, it says what they would have said:
        no separate reminder follows for that moment.
        """
        folded = folded or Folded()
        lines = [_("📅 <b>Invitation</b>")]
        if folded.soon:
            lines.append(
                _("⏰ It starts soon: {start}.").format(
                    start=f"{meeting.starts_at.astimezone(self.tz):%Y-%m-%d %H:%M}"
                )
            )
        lines += [*self._card(meeting, locale), "", _("Will you attend?")]
        if folded.nudge:
            lines.append(_("Please answer now; if you cannot come, please ask for leave."))
        return Outgoing(text="\n".join(lines), buttons=self._answer_buttons(meeting))

    def meeting_materials(self, *, locale: str, meeting: Meeting) -> Outgoing:
        """The meeting's materials, as a document."""
        return Outgoing(
            text=_("Materials for {title}").format(title=escape(meeting.title)),
            document=meeting.materials_file,
        )

    def meeting_reminder(self, *, locale: str, meeting: Meeting, response: str) -> Outgoing:
        """A reminder before the meeting, to those attending or not yet answered."""
        assert meeting.id is not None
        why = (
            _("You receive this because you said you will attend.")
            if response == MeetingResponse.ATTENDING
            else _("You receive this because you have not answered the invitation yet.")
        )
        text = "\n".join([_("⏰ <b>Meeting reminder</b>"), *self._card(meeting, locale), "", why])
        buttons = (
            [[button(_("Open the meeting"), MeetingCB(action="view", id=meeting.id))]]
            if response == MeetingResponse.ATTENDING
            else self._answer_buttons(meeting)
        )
        return Outgoing(text=text, buttons=buttons)

    def meeting_nudge(self, *, locale: str, meeting: Meeting, response: str) -> Outgoing:
        """A nudge a day before, to those who have not answered."""
        text = "\n".join(
            [
                _("🔔 <b>Please answer the invitation</b>"),
                *self._card(meeting, locale),
                "",
                _(
                    "You receive this because you have not said whether you will attend. "
                    "If you cannot come, please ask for leave."
                ),
            ]
        )
        return Outgoing(text=text, buttons=self._answer_buttons(meeting))

    def meeting_unanswered(self, *, locale: str, meeting: Meeting, names: list[str]) -> Outgoing:
        """To staff: who has not answered, a day before."""
        assert meeting.id is not None
        text = "\n".join(
            [
                _(
                    "🔔 {count} members have not answered the invitation to {title} ({when}):"
                ).format(count=len(names), title=escape(meeting.title), when=self._when(meeting)),
                escape("、".join(names)),
                _("You receive this a day before each meeting as the office's administrator."),
            ]
        )
        return Outgoing(
            text=text,
            buttons=[[button(_("Open the meeting"), StaffMeetingCB(action="view", id=meeting.id))]],
        )

    def meeting_summary(
        self, *, locale: str, meeting: Meeting, counts: dict[str, int], absent: list[str]
    ) -> Outgoing:
        """To staff after the meeting: attended, excused, absent."""
        assert meeting.id is not None
        lines = [
            _("📋 <b>Attendance</b> · {title} ({when})").format(
                title=escape(meeting.title), when=self._when(meeting)
            ),
            _("Attended: {attended}; excused: {excused}; absent: {absent}").format(
                attended=counts.get("attended", 0),
                excused=counts.get("excused", 0),
                absent=counts.get("absent", 0),
            ),
        ]
        if absent:
            lines.append(_("Absent without leave: {names}").format(names=escape("、".join(absent))))
        return Outgoing(
            text="\n".join(lines),
            buttons=[[button(_("Open the meeting"), StaffMeetingCB(action="view", id=meeting.id))]],
        )

    def leave_request(
        self,
        *,
        locale: str,
        meeting: Meeting,
        member: Member,
        reason: str,
        decided: str | None = None,
    ) -> Outgoing:
        """To staff: a member asks for leave; approve or refuse, or ``decided``, no buttons."""
        assert meeting.id is not None
        assert member.id is not None
        text = "\n".join(
            [
                _("🙋 <b>Leave request</b>"),
                _("{name} asks for leave from {title} ({when}).").format(
                    name=escape(member.name), title=escape(meeting.title), when=self._when(meeting)
                ),
                _("Reason: {reason}").format(reason=escape(reason)),
            ]
        )
        if decided is not None:
            return Outgoing(text=f"{text}\n\n{decided}")
        ids = {"meeting": meeting.id, "member": member.id}
        return Outgoing(
            text=text,
            buttons=[
                [
                    button(_("✅ Approve"), LeaveCB(action="approve", **ids)),
                    button(_("✖ Refuse"), LeaveCB(action="refuse", **ids)),
                ]
            ],
        )

    def leave_decision(self, *, locale: str, meeting: Meeting, approved: bool) -> Outgoing:
        """To the member: the leave request was approved or refused."""
        assert meeting.id is not None
        if approved:
            text = _("✅ Your leave from {title} ({when}) was approved.")
        else:
            text = _(
                "✖ Your leave from {title} ({when}) was not approved. "
                "Please attend, or contact the committee office."
            )
        return Outgoing(
            text=text.format(title=escape(meeting.title), when=self._when(meeting)),
            buttons=[[button(_("Open the meeting"), MeetingCB(action="view", id=meeting.id))]],
        )
