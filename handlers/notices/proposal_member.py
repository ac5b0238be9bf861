"""Notices about a member's proposal: co-signing, its sending, its rating, its second round.

Each is rebuilt from the proposal when queued and carries the button to act on it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from aiogram.utils.i18n import gettext as _

from handlers.notices.buttons import button
from handlers.pipeline_callbacks import HandlingCB, ProposalCB
from handlers.texts import escape, local_date
from services.outbox.queue import Outgoing
from services.reports.pipeline_labels import satisfaction_label
from storage.enums import Satisfaction
from storage.models import Member, Proposal


def _name(member: Member | None) -> str:
    return escape(member.name) if member is not None else "—"


class ProposalMemberNotices:
    """Proposal notices to members, administrators and departments."""

    tz: dt.tzinfo
    KINDS: Mapping[str, str] = {
        "proposal-cosign": "proposal_cosign",
        "proposal-cosign-answer": "proposal_cosign_answer",
        "proposal-submitted": "proposal_submitted",
        "proposal-rated": "proposal_rated",
        "proposal-rehandling": "proposal_rehandling",
    }

    def proposal_cosign(
        self, *, locale: str, proposal: Proposal, author: Member | None
    ) -> Outgoing:
        """To an invited member: please co-sign."""
        assert proposal.id is not None
        text = _("✍️ {author} invites you to co-sign the proposal “{title}”.").format(
            author=_name(author), title=escape(proposal.title)
        )
        text += "\n" + _(
            "You receive this because the author named you as a co-signer. Open the proposal "
            "to read it, then confirm or decline."
        )
        return Outgoing(
            text=text,
            buttons=[
                [button(_("📄 Read the proposal"), ProposalCB(action="open", id=proposal.id))],
                [
                    button(_("✅ Co-sign"), ProposalCB(action="cosign", id=proposal.id)),
                    button(_("✖ Decline"), ProposalCB(action="decline", id=proposal.id)),
                ],
            ],
        )

    def proposal_cosign_answer(
        self, *, locale: str, proposal: Proposal, cosigner: Member | None, confirmed: bool
    ) -> Outgoing:
        """To the author: a co-signer answered."""
        assert proposal.id is not None
        if confirmed:
            text = _("✅ {name} co-signed your proposal “{title}”.")
        else:
            text = _("✖ {name} declined to co-sign your proposal “{title}”.")
        text = text.format(name=_name(cosigner), title=escape(proposal.title))
        return Outgoing(
            text=text,
            buttons=[
                [button(_("📄 Open the proposal"), ProposalCB(action="open", id=proposal.id))]
            ],
        )

    def proposal_submitted(
        self, *, locale: str, proposal: Proposal, author: Member | None
    ) -> Outgoing:
        """To administrators: a proposal waits for review."""
        assert proposal.id is not None
        text = _("📥 New proposal from {author}: “{title}”, sent on {date}.").format(
            author=_name(author),
            title=escape(proposal.title),
            date=proposal.submitted_on.isoformat() if proposal.submitted_on else "—",
        )
        text += "\n" + _("You receive this because you review proposals.")
        return Outgoing(
            text=text,
            buttons=[
                [button(_("Review the proposal"), ProposalCB(action="review", id=proposal.id))]
            ],
        )

    def proposal_rated(
        self, *, locale: str, proposal: Proposal, value: str, reason: str | None
    ) -> Outgoing:
        """To administrators: the member rated the handling."""
        assert proposal.id is not None
        text = _(
            "⭐ The member rated the handling of proposal {number} “{title}”: {value}."
        ).format(
            number=escape(proposal.number or "—"),
            title=escape(proposal.title),
            value=satisfaction_label(value),
        )
        if reason:
            text += "\n<blockquote>" + escape(reason) + "</blockquote>"
        if proposal.due_at is not None and value == Satisfaction.UNSATISFIED:
            text += "\n" + _("It goes back to the departments, due {date}.").format(
                date=local_date(proposal.due_at, self.tz)
            )
        text += "\n" + _("You receive this because you review proposals.")
        return Outgoing(
            text=text,
            buttons=[
                [button(_("Review the proposal"), ProposalCB(action="review", id=proposal.id))]
            ],
        )

    def proposal_rehandling(self, *, locale: str, proposal: Proposal) -> Outgoing:
        """To a department of the first round: the member is not satisfied; handle it again."""
        assert proposal.id is not None
        text = _(
            "↩ The member is not satisfied with the handling of proposal {number} “{title}”. "
            "Please handle it again and answer each item by {date}."
        ).format(
            number=escape(proposal.number or "—"),
            title=escape(proposal.title),
            date=local_date(proposal.due_at, self.tz) if proposal.due_at else "—",
        )
        if proposal.satisfaction_note:
            text += "\n<blockquote>" + escape(proposal.satisfaction_note) + "</blockquote>"
        text += "\n" + _("You receive this because your department handled the proposal.")
        return Outgoing(
            text=text,
            buttons=[
                [
                    button(
                        _("Open the proposal"),
                        HandlingCB(action="open", kind="p", id=proposal.id),
                    )
                ]
            ],
        )
