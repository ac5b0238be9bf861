"""Notices about work on a case: to its residents, its assignee, and staff.

A resident whose case was merged into another one follows that other case: their notices
name both numbers and open their own case, which shows the one they follow.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from aiogram.filters.callback_data import CallbackData
from aiogram.utils.i18n import gettext as _

from handlers.callbacks import AssigneeIssueCB, IssueCB, MemberMenuCB, StaffIssueCB
from handlers.case_callbacks import ConditionsReportCB, ExtensionCB, RateCB
from handlers.notices.buttons import Button, button
from handlers.texts import escape, local_date
from handlers.timeline import stars
from services.cases.common import Assignee
from services.cases.labels import status_label
from services.outbox.queue import Outgoing
from storage.enums import IssueStatus, ReportState
from storage.models import ConditionsReport, Issue, IssueEvent, IssueExtension, Member


def _case_ref(issue: Issue, own: Issue | None) -> str:
    # ``own`` is None for a resident who said "me too": they follow a case that is not theirs.
    if own is None:
        return _("case {number}, which you follow").format(number=issue.number)
    if own is not None and own.id == issue.id:
        return _("your case {number}").format(number=issue.number)
    return _("case {number}, which your case {own} follows").format(
        number=issue.number, own=own.number
    )


def _reopen_reason(issue: Issue, reason: str, opens: CallbackData) -> Outgoing:
    """The resident's words on why a case is not solved, with the reader's way into it."""
    text = _(
        "↩ The resident of case {number} says why the problem is not solved:\n"
        "<blockquote>{reason}</blockquote>"
    ).format(number=issue.number, reason=escape(reason))
    return Outgoing(text=text, buttons=[[button(_("Open the case"), opens)]])


def _open_own(own: Issue | None, issue: Issue) -> list[Button]:
    case = own if own is not None else issue
    assert case.id is not None
    return [button(_("Open the case"), IssueCB(action="view", id=case.id))]


class CaseworkNotices:
    """Casework notices; ``tz`` is the committee's time zone."""

    tz: dt.tzinfo
    KINDS: Mapping[str, str] = {
        "case-status": "case_status",
        "case-reply": "case_reply",
        "case-rejected": "case_rejected",
        "case-duplicate": "case_duplicate",
        "case-resolved": "case_resolved",
        "case-due-changed": "case_due_changed",
        "case-assigned": "case_assigned",
        "case-extension-request": "case_extension_request",
        "case-extension-decision": "case_extension_decision",
        "case-handed-back": "case_handed_back",
        "case-reopened": "case_reopened",
        "case-reopened-assignee": "case_reopened_assignee",
        "case-reopen-reason": "case_reopen_reason",
        "case-reopen-reason-assignee": "case_reopen_reason_assignee",
        "report-submitted": "report_submitted",
        "report-decision": "report_decision",
    }

    # --- to residents ------------------------------------------------------------------------

    def case_status(self, *, locale: str, issue: Issue, own: Issue | None) -> Outgoing:
        """The case moved on (accepted, being handled)."""
        text = _("📌 {case} is now: <b>{status}</b>.").format(
            case=_case_ref(issue, own), status=status_label(issue.status)
        )
        if issue.status == IssueStatus.ASSIGNED and issue.due_at is not None:
            text += "\n" + _("An answer is expected by {date}.").format(
                date=local_date(issue.due_at, self.tz)
            )
        return Outgoing(text=text, buttons=[_open_own(own, issue)])

    def case_reply(
        self, *, locale: str, issue: Issue, own: Issue | None, event: IssueEvent
    ) -> Outgoing:
        """A public answer, quoted in full."""
        text = _("💬 An answer to {case}:\n<blockquote>{body}</blockquote>").format(
            case=_case_ref(issue, own), body=escape(event.body or "")
        )
        rows = [_open_own(own, issue)]
        if own is not None and own.id == issue.id:
            text += "\n" + _("Did it help? Rate the answer from the case.")
            rows.append([button(_("⭐ Rate the answer"), RateCB(id=issue.id or 0))])
        return Outgoing(text=text, buttons=rows)

    def case_rejected(
        self, *, locale: str, issue: Issue, own: Issue | None, reason: str
    ) -> Outgoing:
        """The case was not accepted, and why."""
        text = _(
            "📌 {case} was not accepted. The reason:\n<blockquote>{reason}</blockquote>"
        ).format(case=_case_ref(issue, own), reason=escape(reason))
        return Outgoing(text=text, buttons=[_open_own(own, issue)])

    def case_duplicate(
        self, *, locale: str, issue: Issue, own: Issue | None, original: Issue
    ) -> Outgoing:
        """The case was merged into another one, which the resident now follows."""
        text = _(
            "🔗 {case} is about the same matter as case {original}, which is already being "
            "handled. You will get its answers here, and you can follow it from your case."
        ).format(case=_case_ref(issue, own), original=original.number)
        return Outgoing(text=text, buttons=[_open_own(own, issue)])

    def case_resolved(self, *, locale: str, issue: Issue, own: Issue | None) -> Outgoing:
        """The case was closed as resolved."""
        text = _("✅ {case} was closed as resolved.").format(case=_case_ref(issue, own))
        rows = [_open_own(own, issue)]
        if own is not None and own.id == issue.id and issue.rated_at is None:
            rows.append([button(_("⭐ Rate the answer"), RateCB(id=issue.id or 0))])
        return Outgoing(text=text, buttons=rows)

    def case_due_changed(self, *, locale: str, issue: Issue, own: Issue | None) -> Outgoing:
        """The answer will take longer."""
        assert issue.due_at is not None
        text = _("⏳ {case} needs more time. The answer is now expected by {date}.").format(
            case=_case_ref(issue, own), date=local_date(issue.due_at, self.tz)
        )
        return Outgoing(text=text, buttons=[_open_own(own, issue)])

    # --- to assignees ------------------------------------------------------------------------

    def case_assigned(self, *, locale: str, issue: Issue) -> Outgoing:
        """A case is now the recipient's to answer."""
        assert issue.id is not None
        assert issue.due_at is not None
        text = _(
            "📨 Case {number} was assigned to you. Please answer the resident by {date}.\n"
            "You receive this because the committee office passed the case to you."
        ).format(number=issue.number, date=local_date(issue.due_at, self.tz))
        return Outgoing(
            text=text,
            buttons=[[button(_("Open the case"), AssigneeIssueCB(action="view", id=issue.id))]],
        )

    def case_extension_decision(
        self, *, locale: str, issue: Issue, extension: IssueExtension
    ) -> Outgoing:
        """Staff's answer to a request for more time."""
        assert issue.id is not None
        if extension.decision == "granted" and issue.due_at is not None:
            text = _("⏳ More time granted on case {number}: the answer is now due {date}.").format(
                number=issue.number, date=local_date(issue.due_at, self.tz)
            )
        else:
            text = _(
                "⏳ More time was refused on case {number}; please answer by the due date."
            ).format(number=issue.number)
        return Outgoing(
            text=text,
            buttons=[[button(_("Open the case"), AssigneeIssueCB(action="view", id=issue.id))]],
        )

    def case_reopened_assignee(
        self, *, locale: str, issue: Issue, rating: int, solved: bool
    ) -> Outgoing:
        """The resident was not satisfied with the answer to a case the recipient handles."""
        assert issue.id is not None
        text = _(
            "↩ The resident of case {number} rated the answer {stars} and says the problem is "
            "{answer}. The case is open again."
        ).format(
            number=issue.number,
            stars=stars(rating),
            answer=_("solved") if solved else _("not solved"),
        )
        return Outgoing(
            text=text,
            buttons=[[button(_("Open the case"), AssigneeIssueCB(action="view", id=issue.id))]],
        )

    def case_reopen_reason_assignee(self, *, locale: str, issue: Issue, reason: str) -> Outgoing:
        """The resident of a case the recipient handles says why it is not solved."""
        assert issue.id is not None
        return _reopen_reason(issue, reason, AssigneeIssueCB(action="view", id=issue.id))

    # --- to staff ----------------------------------------------------------------------------

    def case_extension_request(
        self, *, locale: str, issue: Issue, extension: IssueExtension, assignee: Assignee
    ) -> Outgoing:
        """An assignee asks for more time."""
        assert issue.id is not None
        assert extension.id is not None
        text = _(
            "⏳ {name} asks for {days} more days on case {number}.\n"
            "<blockquote>{reason}</blockquote>"
        ).format(
            name=escape(assignee.name),
            days=extension.days,
            number=issue.number,
            reason=escape(extension.reason),
        )
        return Outgoing(
            text=text,
            buttons=[
                [
                    button(_("Grant"), ExtensionCB(action="grant", id=extension.id)),
                    button(_("Refuse"), ExtensionCB(action="refuse", id=extension.id)),
                ],
                [button(_("Open the case"), StaffIssueCB(action="view", id=issue.id))],
            ],
        )

    def case_handed_back(
        self, *, locale: str, issue: Issue, assignee: Assignee, reason: str
    ) -> Outgoing:
        """An assignee gave a case back; it waits in the queue again."""
        assert issue.id is not None
        text = _(
            "↩ {name} handed case {number} back:\n<blockquote>{reason}</blockquote>\n"
            "It waits in the case queue for a new assignment."
        ).format(name=escape(assignee.name), number=issue.number, reason=escape(reason))
        return Outgoing(
            text=text,
            buttons=[[button(_("Open the case"), StaffIssueCB(action="view", id=issue.id))]],
        )

    def case_reopened(self, *, locale: str, issue: Issue, rating: int, solved: bool) -> Outgoing:
        """A resident was not satisfied: the case is back with staff."""
        assert issue.id is not None
        text = _(
            "↩ Case {number} was reopened: the resident rated the answer {stars} and says the "
            "problem is {answer}."
        ).format(
            number=issue.number,
            stars=stars(rating),
            answer=_("solved") if solved else _("not solved"),
        )
        return Outgoing(
            text=text,
            buttons=[[button(_("Open the case"), StaffIssueCB(action="view", id=issue.id))]],
        )

    def case_reopen_reason(self, *, locale: str, issue: Issue, reason: str) -> Outgoing:
        """The resident of a reopened case says why it is not solved."""
        assert issue.id is not None
        return _reopen_reason(issue, reason, StaffIssueCB(action="view", id=issue.id))

    def report_submitted(
        self, *, locale: str, report: ConditionsReport, member: Member
    ) -> Outgoing:
        """A member sent a social-conditions report."""
        assert report.id is not None
        text = _(
            "📄 {name} sent a social-conditions report: <b>{title}</b>. "
            "Accepting it records it in the member's performance record."
        ).format(name=escape(member.name), title=escape(report.title))
        return Outgoing(
            text=text,
            buttons=[[button(_("Read it"), ConditionsReportCB(action="view", id=report.id))]],
        )

    def report_decision(self, *, locale: str, report: ConditionsReport) -> Outgoing:
        """To the member: their report was accepted or returned."""
        if report.state == ReportState.ACCEPTED:
            text = _(
                "✅ Your social-conditions report <b>{title}</b> was accepted. "
                "It counts towards this year's “six ones”."
            ).format(title=escape(report.title))
        else:
            text = _("↩ Your social-conditions report <b>{title}</b> was returned.").format(
                title=escape(report.title)
            )
            if report.staff_note:
                text += f"\n<blockquote>{escape(report.staff_note)}</blockquote>"
        return Outgoing(
            text=text,
            buttons=[[button(_("My progress"), MemberMenuCB(action="progress"))]],
        )
