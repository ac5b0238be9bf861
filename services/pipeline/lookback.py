"""Look back (回头看): a handled item is revisited after ``lookback_months``.

An outcome suggestion fed back is due on its ``lookback_on`` when one was set, else
``lookback_months`` after it was fed back. A closed proposal is due ``lookback_months``
after it closed (the member's rating, else its answer): computed, not stored, because the
move that closes a proposal is the member's rating and the look back needs nothing else.
The lead department confirms the measure still holds, or no longer does, with a note
(``Suggestion.lookback_at`` / ``lookback_note``, on every item of a proposal); then the
members who took part rate it again (``PipelineRating`` purpose ``lookback``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from services.audit import Actor
from services.calendar import local_today
from services.errors import DomainError
from services.meetings.invitations import member_chats
from services.outbox.notices import Notifier
from services.outbox.queue import Recipient, add
from services.pipeline.chase import months_after, months_before
from services.pipeline.config import PipelineRules
from services.pipeline.raters import already_rated, check_value, raters_of, save_rating, subject_of
from services.pipeline.timeline import add_line
from storage.db import write_transaction
from storage.enums import ProposalState, RatingPurpose, Stage
from storage.models import (
    Handling,
    Outcome,
    PipelineEvent,
    PipelineRating,
    Proposal,
    Suggestion,
)

NOTE_MAX = 1000
PURPOSE = RatingPurpose.LOOKBACK


@dataclass(frozen=True)
class LookbackItem:
    """A look back due: a proposal (``p``) or an outcome suggestion (``s``) and its lead."""

    kind: str
    id: int
    department_id: int
    number: str
    title: str
    text: str
    due_on: dt.date


async def due_lookbacks(
    session: AsyncSession,
    *,
    now: dt.datetime,
    tz: dt.tzinfo,
    rules: PipelineRules,
    department_id: int | None = None,
) -> list[LookbackItem]:
    """The look backs due by ``now`` and not confirmed; only ``department_id``'s if given."""
    today = local_today(now, tz)
    cutoff = months_before(now, rules.lookback_months)
    lead: list[ColumnElement[bool]] = [col(Handling.lead).is_(True)]
    if department_id is not None:
        lead.append(col(Handling.department_id) == department_id)
    items: list[LookbackItem] = []
    suggestions = await session.execute(
        select(Suggestion, col(Outcome.number), col(Outcome.title), col(Handling.department_id))
        .join(Outcome, col(Outcome.id) == col(Suggestion.outcome_id))
        .join(Handling, and_(col(Handling.suggestion_id) == col(Suggestion.id), *lead))
        .where(
            col(Suggestion.stage) == Stage.FED_BACK,
            col(Suggestion.lookback_at).is_(None),
            or_(
                col(Suggestion.lookback_on) <= today,
                and_(col(Suggestion.lookback_on).is_(None), col(Suggestion.stage_at) <= cutoff),
            ),
        )
        .distinct()
        .order_by(col(Suggestion.id))
    )
    for suggestion, number, title, lead_id in suggestions.all():
        due_on = suggestion.lookback_on or months_after(
            local_today(suggestion.stage_at, tz), rules.lookback_months
        )
        items.append(
            LookbackItem("s", suggestion.id or 0, lead_id, number, title, suggestion.text, due_on)
        )
    closed_at = func.coalesce(
        col(Proposal.rated_at), col(Proposal.answered_at), col(Proposal.updated_at)
    )
    proposals = await session.execute(
        select(Proposal, col(Handling.department_id))
        .join(Suggestion, col(Suggestion.proposal_id) == col(Proposal.id))
        .join(Handling, and_(col(Handling.suggestion_id) == col(Suggestion.id), *lead))
        .where(
            col(Proposal.state) == ProposalState.CLOSED,
            closed_at <= cutoff,
            # Correlated on the proposal alone: the item joined above is not the one looked at.
            ~exists()
            .where(
                col(Suggestion.proposal_id) == col(Proposal.id),
                col(Suggestion.lookback_at).is_not(None),
            )
            .correlate(Proposal),
        )
        .distinct()
        .order_by(col(Proposal.id))
    )
    for proposal, lead_id in proposals.all():
        closed = proposal.rated_at or proposal.answered_at or proposal.updated_at
        due_on = months_after(local_today(closed, tz), rules.lookback_months)
        items.append(
            LookbackItem(
                "p",
                proposal.id or 0,
                lead_id,
                proposal.number or "",
                proposal.title,
                proposal.title,
                due_on,
            )
        )
    return items


async def lookback_item(
    session: AsyncSession,
    *,
    kind: str,
    item_id: int,
    department_id: int,
    now: dt.datetime,
    tz: dt.tzinfo,
    rules: PipelineRules,
) -> LookbackItem:
    """The due look back of this department, or ``lookback_unknown`` (not theirs, not due)."""
    subject_of(kind, item_id)
    for item in await due_lookbacks(
        session, now=now, tz=tz, rules=rules, department_id=department_id
    ):
        if (item.kind, item.id) == (kind, item_id):
            return item
    if await _confirmed(session, kind, item_id):
        raise DomainError("lookback_done")
    raise DomainError("lookback_unknown")


async def _confirmed(session: AsyncSession, kind: str, item_id: int) -> bool:
    owner = col(Suggestion.proposal_id) if kind == "p" else col(Suggestion.id)
    found = await session.scalar(
        select(func.count())
        .select_from(Suggestion)
        .where(owner == item_id, col(Suggestion.lookback_at).is_not(None))
    )
    return bool(found)


async def confirm_lookback(
    session: AsyncSession,
    *,
    kind: str,
    item_id: int,
    department_id: int,
    holds: bool,
    note: str,
    actor: Actor,
    now: dt.datetime,
    tz: dt.tzinfo,
    rules: PipelineRules,
    notifier: Notifier,
) -> int:
    """The lead department's word on a due look back; the members are asked to rate again.

    Returns how many rating requests were queued (one per member's chat).
    """
    note = note.strip()
    if not note:
        raise DomainError("text_empty")
    if len(note) > NOTE_MAX:
        raise DomainError("text_too_long", length=len(note), maximum=NOTE_MAX)
    item = await lookback_item(
        session,
        kind=kind,
        item_id=item_id,
        department_id=department_id,
        now=now,
        tz=tz,
        rules=rules,
    )
    owner = col(Suggestion.proposal_id) if kind == "p" else col(Suggestion.id)
    raters = await raters_of(session, kind, item_id)
    chats = await member_chats(session, raters)
    outcome_id = None
    if kind == "s":
        outcome_id = await session.scalar(
            select(col(Suggestion.outcome_id)).where(col(Suggestion.id) == item_id)
        )
    queued = 0
    async with write_transaction(session):
        written = await session.execute(
            update(Suggestion)
            .where(owner == item_id, col(Suggestion.lookback_at).is_(None))
            .values(lookback_at=now, lookback_note=note)
        )
        # Another handler of the department confirmed it since it was read above.
        if not getattr(written, "rowcount", 0):
            raise DomainError("lookback_done")
        add_line(
            session,
            kind=PURPOSE,
            actor=actor,
            now=now,
            proposal_id=item_id if kind == "p" else None,
            outcome_id=outcome_id,
            suggestion_id=item_id if kind == "s" else None,
            to_stage="holds" if holds else "lapsed",
            body=note,
        )
        for member_id in raters:
            for identity in chats.get(member_id, []):
                queued += await add(
                    session,
                    to=Recipient.of(identity),
                    message=notifier.render(
                        "pipeline-lookback-rate", identity, item=item, holds=holds, note=note
                    ),
                    dedupe_key=f"lookback:{kind}:{item_id}:rate:{identity.id}",
                    now=now,
                    kind="pipeline-lookback-rate",
                )
    return queued


async def lookback_holds(session: AsyncSession, *, kind: str, item_id: int) -> bool | None:
    """What the department said at the look back: holds, lapsed, or None before it."""
    owner = (
        col(PipelineEvent.proposal_id) if kind == "p" else col(PipelineEvent.suggestion_id)
    ) == item_id
    said = await session.scalar(
        select(col(PipelineEvent.to_stage))
        .where(owner, col(PipelineEvent.kind) == PURPOSE)
        .order_by(col(PipelineEvent.id).desc())
        .limit(1)
    )
    return None if said is None else said == "holds"


async def check_lookback_rater(
    session: AsyncSession, *, kind: str, item_id: int, member_id: int
) -> None:
    """Refuse a member who did not take part, a look back not yet confirmed, a second rating."""
    subject = subject_of(kind, item_id)
    if member_id not in await raters_of(session, kind, item_id):
        raise DomainError("lookback_unknown")
    if not await _confirmed(session, kind, item_id):
        raise DomainError("lookback_unknown")
    if await already_rated(
        session, subject=subject, purpose=PURPOSE, department_id=0, member_id=member_id
    ):
        raise DomainError("already_rated")


async def rate_lookback(
    session: AsyncSession,
    *,
    kind: str,
    item_id: int,
    member_id: int,
    value: str,
    reason: str | None,
    now: dt.datetime,
) -> PipelineRating:
    """A member's rating at the look back: once, by a member who took part, after the word."""
    subject = subject_of(kind, item_id)
    check_value(value, reason)
    await check_lookback_rater(session, kind=kind, item_id=item_id, member_id=member_id)
    return await save_rating(
        session,
        subject=subject,
        purpose=PURPOSE,
        department_id=0,
        member_id=member_id,
        value=value,
        reason=reason,
        now=now,
        proposal_id=item_id if kind == "p" else None,
        suggestion_id=item_id if kind == "s" else None,
    )
