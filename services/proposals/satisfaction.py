"""The member's written rating of how a proposal was handled, and the one re-handling.

Once the departments answered, the proposal's member rates the handling: satisfied, basically
satisfied, or not satisfied with a reason. Satisfied (or basically) closes the proposal. Not
satisfied in the first round sends it back to every department of that round for a second
one, with a new due date; not satisfied in the second round closes it with that rating.
Every rating is kept (one per round), audited, put on the timeline, and the office is told.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.accounts.staff import staff_recipients
from services.audit import audit
from services.errors import DomainError, NotFoundError
from services.members.rules import RuleBook
from services.outbox.notices import Notifier
from services.outbox.queue import Recipient, add
from services.pipeline.assign import create_handlings
from services.pipeline.timeline import add_line
from services.proposals.drafting import member_actor
from services.proposals.member_views import drawn_version, is_own
from storage.db import write_transaction
from storage.enums import ProposalState, RatingPurpose, Satisfaction
from storage.models import (
    ChatIdentity,
    DepartmentBinding,
    Handling,
    PipelineRating,
    Proposal,
    Suggestion,
)

REASON_MAX = 1000
LAST_ROUND = 2


def check_rating(value: str, reason: str | None) -> str | None:
    """The reason to keep; refuse an unknown value, or "not satisfied" without a reason."""
    if value not in tuple(Satisfaction):
        raise DomainError("proposal_satisfaction_value")
    reason = (reason or "").strip() or None
    if value == Satisfaction.UNSATISFIED and reason is None:
        raise DomainError("proposal_reason_missing")
    if reason is not None and len(reason) > REASON_MAX:
        raise DomainError("proposal_reason_length", maximum=REASON_MAX)
    return reason


async def _round_departments(session: AsyncSession, proposal_id: int, round: int) -> list[int]:
    """The departments that handled the proposal in ``round``, the lead first."""
    rows = await session.execute(
        select(col(Handling.department_id), col(Handling.lead))
        .join(Suggestion, col(Suggestion.id) == col(Handling.suggestion_id))
        .where(col(Suggestion.proposal_id) == proposal_id, col(Handling.round) == round)
        .order_by(col(Handling.lead).desc(), col(Handling.department_id))
    )
    return list(dict.fromkeys(department_id for department_id, _lead in rows.all()))


async def _send_back(
    session: AsyncSession,
    proposal: Proposal,
    *,
    rulebook: RuleBook,
    notifier: Notifier,
    now: dt.datetime,
) -> None:
    """Open the second round: every item again, for every department of the first."""
    assert proposal.id is not None
    rules = rulebook.for_year(proposal.year).pipeline
    departments = await _round_departments(session, proposal.id, proposal.handling_round)
    proposal.state = ProposalState.REHANDLING
    proposal.handling_round += 1
    proposal.due_at = now + dt.timedelta(days=rules.rehandle_days)
    suggestion_ids = (
        await session.execute(
            select(col(Suggestion.id))
            .where(col(Suggestion.proposal_id) == proposal.id)
            .order_by(col(Suggestion.position))
        )
    ).scalars()
    await create_handlings(
        session,
        suggestion_ids=[s for s in suggestion_ids if s is not None],
        department_ids=departments,
        due_at=proposal.due_at,
        round=proposal.handling_round,
        now=now,
    )
    chats = await session.execute(
        select(col(DepartmentBinding.department_id), ChatIdentity)
        .join(ChatIdentity, col(ChatIdentity.id) == col(DepartmentBinding.identity_id))
        .where(col(DepartmentBinding.department_id).in_(departments))
    )
    for department_id, identity in chats.all():
        await add(
            session,
            to=Recipient.of(identity),
            message=notifier.render("proposal-rehandling", identity, proposal=proposal),
            dedupe_key=f"proposal:{proposal.id}:rehandle:{proposal.handling_round}:"
            f"{department_id}:{identity.id}",
            now=now,
            kind="proposal-rehandling",
        )


async def rate_handling(
    session: AsyncSession,
    *,
    member_id: int,
    proposal_id: int,
    value: str,
    reason: str | None,
    drawn: str,
    notifier: Notifier,
    now: dt.datetime,
    rulebook: RuleBook,
) -> Proposal:
    """Record the member's rating of the answered proposal drawn as ``drawn``.

    ``drawn`` is the proposal's state and round as the rating card showed them
    (:func:`services.proposals.member_views.drawn_version`); a card that moved on is refused.
    """
    reason = check_rating(value, reason)
    async with write_transaction(session):
        proposal = await session.get(Proposal, proposal_id)
        if proposal is None or not is_own(proposal, member_id):
            raise NotFoundError("proposal")
        if drawn_version(proposal) != drawn:
            raise DomainError("proposal_stale")
        if proposal.state != ProposalState.ANSWERED:
            raise DomainError("proposal_not_answered")
        rated_round = proposal.handling_round
        before = {"state": proposal.state, "round": rated_round}
        session.add(
            PipelineRating(
                subject=f"proposal:{proposal_id}",
                purpose=RatingPurpose.HANDLING,
                round=rated_round,
                rater_kind="member",
                rater_id=member_id,
                value=value,
                reason=reason,
                created_at=now,
            )
        )
        proposal.satisfaction, proposal.satisfaction_note = value, reason
        proposal.rated_at = proposal.updated_at = now
        if value == Satisfaction.UNSATISFIED and rated_round < LAST_ROUND:
            await _send_back(session, proposal, rulebook=rulebook, notifier=notifier, now=now)
        else:
            proposal.state = ProposalState.CLOSED
        actor = member_actor(member_id)
        add_line(
            session, kind="rating", actor=actor, now=now, proposal_id=proposal_id,
            from_stage=ProposalState.ANSWERED, to_stage=proposal.state, body=reason,
        )  # fmt: skip
        audit(
            session,
            actor=actor,
            action="proposal.satisfaction",
            object_kind="proposal",
            object_id=proposal_id,
            before=before,
            after={"state": proposal.state, "value": value, "reason": reason},
            now=now,
        )
        for _staff, to, identity in await staff_recipients(session):
            await add(
                session,
                to=to,
                message=notifier.render(
                    "proposal-rated", identity, proposal=proposal, value=value, reason=reason
                ),
                dedupe_key=f"proposal:{proposal_id}:rated:{rated_round}:{identity.id}",
                now=now,
                kind="proposal-rated",
            )
        await session.flush()
    return proposal
