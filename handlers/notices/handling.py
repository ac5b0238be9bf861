"""Notices about departments' handling of proposals and outcome suggestions.

The member hears that every department answered (and is asked to rate) and of a face-to-face
meeting recorded; administrators hear of requests for more time (with Grant and Refuse) and of
an outcome suggestion handled; the department hears the decision on its request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from aiogram.utils.i18n import gettext as _

from handlers.notices.buttons import button
from handlers.pipeline_callbacks import HandlingCB, HandlingExtensionCB, OutcomeCB, ProposalCB
from handlers.texts import escape, local_date
from services.outbox.queue import Outgoing
from services.pipeline.department_views import proposal_token
from storage.enums import ExtensionDecision
from storage.models import FaceMeeting, HandlingExtension, Outcome, Proposal, Suggestion


def _subject(proposal: Proposal | None, suggestion: Suggestion | None) -> str:
    if proposal is not None:
        return _("proposal {number} “{title}”").format(
            number=proposal.number or "", title=escape(proposal.title)
        )
    assert suggestion is not None
    return _("suggestion {position} of an outcome").format(position=suggestion.position)


def _open_for_department(proposal: Proposal | None, suggestion: Suggestion | None) -> HandlingCB:
    if proposal is not None:
        return HandlingCB(
            action="open",
            kind="p",
            id=proposal.id or 0,
            v=proposal_token(proposal),
        )
    assert suggestion is not None
    return HandlingCB(action="open", kind="s", id=suggestion.id or 0, v=suggestion.stage)


class HandlingNotices:
    """Handling notices; ``tz`` is the committee's time zone."""

    tz: dt.tzinfo
    KINDS: Mapping[str, str] = {
        "proposal-answered": "proposal_answered",
        "proposal-face-meeting": "proposal_face_meeting",
        "handling-extension-request": "handling_extension_request",
        "handling-extension-decision": "handling_extension_decision",
        "suggestion-handled": "suggestion_handled",
    }

    def proposal_answered(self, *, locale: str, proposal: Proposal) -> Outgoing:
        """To the author: every department answered; please rate the handling."""
        assert proposal.id is not None
        text = _(
            "📬 Every department has answered your proposal {number} “{title}”. "
            "Please rate the handling: satisfied, basically satisfied or not satisfied."
        ).format(number=proposal.number or "", title=escape(proposal.title))
        rate = ProposalCB(action="rate", id=proposal.id, v=proposal_token(proposal))
        return Outgoing(
            text=text,
            buttons=[
                [button(_("⭐ Rate the handling"), rate)],
                [button(_("Open the proposal"), ProposalCB(action="open", id=proposal.id))],
            ],
        )

    def proposal_face_meeting(
        self, *, locale: str, proposal: Proposal, meeting: FaceMeeting, department_name: str
    ) -> Outgoing:
        """To the author: a department recorded a face-to-face meeting with them."""
        assert proposal.id is not None
        text = _(
            "🤝 {department} recorded a face-to-face meeting with you on {date} about your "
            "proposal {number}:\n<blockquote>{note}</blockquote>"
        ).format(
            department=escape(department_name),
            date=meeting.met_on.isoformat(),
            number=proposal.number or "",
            note=escape(meeting.note),
        )
        opens = ProposalCB(action="open", id=proposal.id)
        return Outgoing(text=text, buttons=[[button(_("Open the proposal"), opens)]])

    def handling_extension_request(
        self,
        *,
        locale: str,
        extension: HandlingExtension,
        proposal: Proposal | None,
        suggestion: Suggestion | None,
        department_name: str,
    ) -> Outgoing:
        """To administrators: a department asks for more time."""
        assert extension.id is not None
        text = _(
            "⏳ {department} asks for {days} more days on {subject}.\n"
            "<blockquote>{reason}</blockquote>"
        ).format(
            department=escape(department_name),
            days=extension.days,
            subject=_subject(proposal, suggestion),
            reason=escape(extension.reason),
        )
        return Outgoing(
            text=text,
            buttons=[
                [
                    button(_("Grant"), HandlingExtensionCB(action="grant", id=extension.id)),
                    button(_("Refuse"), HandlingExtensionCB(action="refuse", id=extension.id)),
                ]
            ],
        )

    def handling_extension_decision(
        self,
        *,
        locale: str,
        extension: HandlingExtension,
        proposal: Proposal | None,
        suggestion: Suggestion | None,
    ) -> Outgoing:
        """To the department: its request was granted or refused."""
        owner = proposal or suggestion
        subject = _subject(proposal, suggestion)
        if extension.decision == ExtensionDecision.GRANTED and owner and owner.due_at:
            text = _("⏳ More time granted on {subject}: the answers are now due {date}.").format(
                subject=subject, date=local_date(owner.due_at, self.tz)
            )
        else:
            text = _(
                "⏳ More time was refused on {subject}; please answer by the due date."
            ).format(subject=subject)
        opens = _open_for_department(proposal, suggestion)
        return Outgoing(text=text, buttons=[[button(_("Open"), opens)]])

    def suggestion_handled(
        self, *, locale: str, suggestion: Suggestion, outcome: Outcome | None
    ) -> Outgoing:
        """To administrators: every department answered an outcome suggestion."""
        assert suggestion.id is not None
        text = _(
            "✅ Suggestion {position} of outcome {number} “{title}” was handled: every "
            "department answered. It can be fed back."
        ).format(
            position=suggestion.position,
            number=outcome.number if outcome else "",
            title=escape(outcome.title if outcome else ""),
        )
        opens = OutcomeCB(action="open", kind="s", id=suggestion.id, v=suggestion.stage)
        return Outgoing(text=text, buttons=[[button(_("Open the suggestion"), opens)]])
