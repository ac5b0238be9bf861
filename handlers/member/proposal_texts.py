"""How a member's proposal reads in the chat: its card, its state, and refusals explained."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _

from handlers.texts import escape
from services.errors import DomainError
from services.proposals.member_views import ProposalView
from services.reference.catalog import display_name
from services.reports.pipeline_labels import satisfaction_label
from storage.enums import Adoption, CosignerState, ProposalState

NOT_AVAILABLE = "This proposal is not available."


def state_label(state: str) -> str:
    """A proposal's state, in the reader's language."""
    labels = {
        ProposalState.DRAFT: _("draft"),
        ProposalState.SUBMITTED: _("sent, awaiting review"),
        ProposalState.REGISTERED: _("registered"),
        ProposalState.NOT_REGISTERED: _("not registered"),
        ProposalState.ASSIGNED: _("being handled"),
        ProposalState.ANSWERED: _("answered"),
        ProposalState.REHANDLING: _("being handled again"),
        ProposalState.CLOSED: _("closed"),
    }
    return labels.get(ProposalState(state), state) if state in tuple(ProposalState) else state


def adoption_label(value: str | None) -> str:
    """How far a department adopted an item."""
    labels = {
        Adoption.ADOPTED: _("adopted"),
        Adoption.PARTLY: _("partly adopted"),
        Adoption.EXPLAINED: _("explained, not adopted"),
    }
    return labels.get(Adoption(value), value) if value in tuple(Adoption) else "—"


def cosigner_label(state: str) -> str:
    """A co-signer's answer so far."""
    labels = {
        CosignerState.INVITED: _("invited"),
        CosignerState.CONFIRMED: _("co-signed"),
        CosignerState.DECLINED: _("declined"),
    }
    return labels.get(CosignerState(state), state) if state in tuple(CosignerState) else state


def render_card(view: ProposalView, locale: str) -> str:
    """The proposal with its items and, once answered, each department's answer."""
    proposal = view.proposal
    heading = escape(proposal.title)
    lines = [f"<b>{heading}</b>"]
    if proposal.number:
        lines.append(_("Number: {number}").format(number=escape(proposal.number)))
    lines.append(_("State: {state}").format(state=state_label(proposal.state)))
    if view.sector is not None:
        lines.append(
            _("In the name of: {sector}").format(sector=escape(display_name(view.sector, locale)))
        )
    elif view.lead is not None and not view.own:
        lines.append(_("By: {name}").format(name=escape(view.lead.name)))
    if proposal.review_note and proposal.state == ProposalState.NOT_REGISTERED:
        lines.append(_("Office's note: {note}").format(note=escape(proposal.review_note)))
    if proposal.situation:
        lines += ["", f"<blockquote>{escape(proposal.situation)}</blockquote>"]
    for item in view.items:
        lines += ["", f"<b>{item.suggestion.position}.</b> {escape(item.suggestion.text)}"]
        for answer in item.answers:
            lines.append(
                _("↳ {department} ({adoption}): {answer}").format(
                    department=escape(display_name(answer.department, locale)),
                    adoption=adoption_label(answer.handling.adoption),
                    answer=escape(answer.handling.answer or ""),
                )
            )
    if view.cosigners:
        names = "、".join(
            f"{escape(member.name)} ({cosigner_label(state)})" for member, state in view.cosigners
        )
        lines += ["", _("Co-signers: {names}").format(names=names)]
    if view.files:
        lines.append(_("Attachments: {count}").format(count=len(view.files)))
    if proposal.satisfaction:
        lines.append(
            _("Your rating: {value}").format(value=satisfaction_label(proposal.satisfaction))
        )
    return "\n".join(lines)


def refusal_text(error: DomainError) -> str:
    """A refusal of the proposals' services, in the reader's language."""
    params = error.params
    texts = {
        "not_found": lambda: _(NOT_AVAILABLE),
        "proposal_title_missing": lambda: _("Please give the proposal a title."),
        "proposal_title_length": lambda: _("The title is too long: at most {maximum} characters."),
        "proposal_situation_length": lambda: _(
            "The situation is too long: at most {maximum} characters."
        ),
        "proposal_situation_missing": lambda: _("Please describe the situation before sending."),
        "proposal_suggestions_missing": lambda: _("Please add at least one suggestion."),
        "proposal_suggestions_many": lambda: _("At most {maximum} suggestions, please."),
        "proposal_suggestion_length": lambda: _(
            "Suggestion {position} is empty or too long: at most {maximum} characters."
        ),
        "proposal_cosigners_many": lambda: _("At most {maximum} co-signers, please."),
        "proposal_cosigner_self": lambda: _("You cannot co-sign your own proposal."),
        "proposal_cosigner_unknown": lambda: _("A co-signer is no longer a serving member."),
        "proposal_files_many": lambda: _("At most {maximum} attachments, please."),
        "proposal_file_size": lambda: _("This file is too large: at most {maximum} MB."),
        "proposal_file_kind": lambda: _("Please send a photo or a document."),
        "proposal_sector_not_convenor": lambda: _(
            "Only the sector's convenor may write in its name."
        ),
        "proposal_not_draft": lambda: _("This proposal was sent already and cannot be changed."),
        "proposal_not_withdrawable": lambda: _(
            "The office has reviewed this proposal already; it cannot be taken back."
        ),
        "proposal_cosign_closed": lambda: _(
            "This proposal was taken back or not registered; co-signing is closed."
        ),
        "proposal_cosign_answered": lambda: _("You have answered this invitation already."),
        "proposal_not_answered": lambda: _("This proposal has not been answered yet."),
        "proposal_stale": lambda: _(
            "This card is out of date: the proposal moved on. Here it is as it stands now."
        ),
        "proposal_satisfaction_value": lambda: _("Please choose one of the ratings."),
        "proposal_reason_missing": lambda: _("Please say why you are not satisfied."),
        "proposal_reason_length": lambda: _(
            "The reason is too long: at most {maximum} characters."
        ),
    }
    build = texts.get(error.code)
    if build is None:
        return _(NOT_AVAILABLE)
    return build().format(**params)
