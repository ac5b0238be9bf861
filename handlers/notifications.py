"""Notices the bot pushes on its own, rendered in each recipient's language.

Every notice says why it came and carries a button to act on it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from handlers.callbacks import (
    AssigneeIssueCB,
    IssueCB,
    LeaveCB,
    MeetingCB,
    MemberMenuCB,
    StaffIssueCB,
    StaffMeetingCB,
    StaffMenuCB,
)
from handlers.texts import escape, local_time
from services.calendar import Quarter
from services.compliance import MemberQuarterRow
from services.meetings import meeting_kind
from services.outbox import Outgoing
from services.reference import display_name
from storage.enums import MeetingResponse
from storage.models import ChatIdentity, Issue, Meeting, Member

Button = dict[str, str]


def button(text: str, callback_data: Any) -> Button:
    """One inline button as the outbox stores it."""
    return {"text": text, "callback_data": callback_data.pack()}


class ChatNotifier:
    """Renders every kind of notice; services call it through ``services.notices.Notifier``."""

    def __init__(self, i18n: I18n, tz: dt.tzinfo) -> None:
        self.i18n = i18n
        self.tz = tz
        self._kinds: dict[str, Callable[..., Outgoing]] = {
            "meeting-invitation": self.meeting_invitation,
            "meeting-materials": self.meeting_materials,
            "meeting-reminder": self.meeting_reminder,
            "meeting-nudge": self.meeting_nudge,
            "meeting-unanswered": self.meeting_unanswered,
            "meeting-summary": self.meeting_summary,
            "leave-request": self.leave_request,
            "leave-decision": self.leave_decision,
            "minimum-short": self.minimum_short,
            "minimum-summary": self.minimum_summary,
            "pace-behind": self.pace_behind,
            "issue-unassigned": self.issue_unassigned,
            "issue-rate": self.issue_rate,
            "issue-overdue": self.issue_overdue,
            "issue-overdue-staff": self.issue_overdue_staff,
        }

    def render(self, kind: str, identity: ChatIdentity, **data: Any) -> Outgoing:
        """The notice in the recipient's language (their choice, else the committee's)."""
        locale = identity.locale or self.i18n.default_locale
        with self.i18n.context(), self.i18n.use_locale(locale):
            return self._kinds[kind](locale=locale, **data)

    # --- meetings ------------------------------------------------------------------------

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
                button(_("✅ I will attend"), MeetingCB(action="attend", id=meeting.id)),
                button(_("🙋 Ask for leave"), MeetingCB(action="leave", id=meeting.id)),
            ],
            [button(_("📅 Add to my calendar"), MeetingCB(action="ics", id=meeting.id))],
        ]

    def meeting_invitation(self, *, locale: str, meeting: Meeting) -> Outgoing:
        """You are invited: the meeting, and attend / ask for leave."""
        text = "\n".join(
            [_("📅 <b>Invitation</b>"), *self._card(meeting, locale), "", _("Will you attend?")]
        )
        return Outgoing(text=text, buttons=self._answer_buttons(meeting))

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
        self, *, locale: str, meeting: Meeting, member: Member, reason: str
    ) -> Outgoing:
        """To staff: a member asks for leave; approve or refuse."""
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

    # --- minimums ------------------------------------------------------------------------

    def minimum_short(
        self, *, locale: str, row: MemberQuarterRow, quarter: Quarter, today: dt.date
    ) -> Outgoing:
        """To a member with no qualifying activity yet this quarter."""
        text = _(
            "⚠️ {days} days are left in {year} Q{number}, and you have {done} qualifying liaison "
            "activities this quarter (the minimum is {minimum}).\n"
            "You receive this because members hold at least {minimum} activity with the people "
            "of their sector every quarter."
        ).format(
            days=quarter.days_left(today),
            year=quarter.year,
            number=quarter.number,
            done=row.qualifying,
            minimum=row.quarter_minimum,
        )
        return Outgoing(
            text=text, buttons=[[button(_("🗓 Log an activity"), MemberMenuCB(action="log"))]]
        )

    def pace_behind(
        self, *, locale: str, row: MemberQuarterRow, expected: int, today: dt.date
    ) -> Outgoing:
        """To a member behind on the year's person-times."""
        text = _(
            "📉 You have reached {done} person-times so far this year; about {expected} would be "
            "on pace for the yearly minimum of {target}.\n"
            "You receive this on the first day of each month while you are behind."
        ).format(done=row.year_person_times, expected=expected, target=row.year_minimum)
        return Outgoing(
            text=text,
            buttons=[[button(_("📊 My progress"), MemberMenuCB(action="progress"))]],
        )

    def minimum_summary(
        self, *, locale: str, quarter: Quarter, short: list[MemberQuarterRow], total: int
    ) -> Outgoing:
        """To staff on the first day of a quarter: last quarter's shortfalls."""
        lines = [
            _(
                "📋 {year} Q{number}: {short} of {total} active members did not meet the minimum."
            ).format(year=quarter.year, number=quarter.number, short=len(short), total=total)
        ]
        names = [f"{row.name} ({display_name(row.sector, locale)})" for row in short[:30]]
        if names:
            lines.append(escape("、".join(names)))
        if len(short) > 30:
            lines.append(_("…and {more} more.").format(more=len(short) - 30))
        return Outgoing(
            text="\n".join(lines),
            buttons=[[button(_("📊 The quarter report"), StaffMenuCB(action="report"))]],
        )

    # --- residents' issues ----------------------------------------------------------------

    def issue_unassigned(self, *, locale: str, issue: Issue) -> Outgoing:
        """To staff: a case nobody was assigned to for a day."""
        assert issue.id is not None
        text = _(
            "⏳ Case {number} was received {when} and nobody is assigned to it yet. "
            "Every case gets an answer."
        ).format(number=issue.number, when=local_time(issue.created_at, self.tz))
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
        return Outgoing(
            text=text,
            buttons=[[button(_("Open the case"), StaffIssueCB(action="view", id=issue.id))]],
        )
