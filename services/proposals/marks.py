"""Year-end marks (excellent, key) and what of a proposal goes on the published list.

A mark counts in the assessment ledger exactly as :func:`services.proposals.records.rate_proposal`
does it; only registered proposals carry one. The public flag is the office's choice of what
the published handling list shows: the proposal, and each of its items on its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.accounts.scope import StaffScope
from services.audit import Actor, audit
from services.errors import DomainError
from services.members.rules import RuleBook
from services.proposals.records import RATINGS, rate_proposal
from services.proposals.review import check_expected, load_for_staff
from storage.db import write_transaction
from storage.enums import REGISTERED_PROPOSAL_STATES
from storage.models import Proposal, Suggestion


def mark_of(excellent: bool, key: bool) -> str:
    """The stored rating for the two marks."""
    return {(True, True): "excellent_key", (True, False): "excellent", (False, True): "key"}.get(
        (excellent, key), ""
    )


def marks_in(rating: str) -> tuple[bool, bool]:
    """Whether a stored rating holds the excellent and the key mark."""
    return rating in ("excellent", "excellent_key"), rating in ("key", "excellent_key")


async def mark_proposal(
    session: AsyncSession,
    *,
    proposal_id: int,
    rating: str,
    actor: Actor,
    scope: StaffScope | None,
    now: dt.datetime,
    rulebook: RuleBook,
    tz: dt.tzinfo,
    expected_state: str | None = None,
) -> Proposal:
    """Set the year-end mark (``excellent``, ``key``, ``excellent_key`` or ``''``/``none``)."""
    rating = "" if rating == "none" else rating
    if rating not in RATINGS:
        raise DomainError("proposal_rating")
    proposal = await load_for_staff(session, proposal_id=proposal_id, actor=actor, scope=scope)
    check_expected(proposal, expected_state)
    if proposal.state not in REGISTERED_PROPOSAL_STATES or proposal.number is None:
        raise DomainError("proposal_not_registered", state=proposal.state)
    if proposal.withdrawn_at is not None:
        raise DomainError("proposal_withdrawn")
    year, number = proposal.year, proposal.number
    return await rate_proposal(
        session,
        year=year,
        number=number,
        rating=rating,
        actor=actor,
        scope=scope,
        now=now,
        rulebook=rulebook,
        tz=tz,
    )


async def set_public(
    session: AsyncSession,
    *,
    proposal_id: int,
    public: bool,
    public_items: Collection[int] | None = None,
    actor: Actor,
    scope: StaffScope | None,
    now: dt.datetime,
) -> Proposal:
    """Put the proposal on the published list or take it off.

    ``public_items`` (suggestion ids) chooses which items show; None means all of them when
    the proposal is public and none when it is not.
    """
    async with write_transaction(session):
        proposal = await load_for_staff(session, proposal_id=proposal_id, actor=actor, scope=scope)
        if proposal.state not in REGISTERED_PROPOSAL_STATES:
            raise DomainError("proposal_not_registered", state=proposal.state)
        items = list(
            (
                await session.execute(
                    select(Suggestion)
                    .where(col(Suggestion.proposal_id) == proposal_id)
                    .order_by(col(Suggestion.position))
                )
            ).scalars()
        )
        if public_items is not None and not set(public_items) <= {s.id for s in items}:
            raise DomainError("suggestion_unknown")
        before = {"public": proposal.public, "items": [s.id for s in items if s.public]}
        for item in items:
            item.public = public and (public_items is None or item.id in public_items)
        proposal.public = public
        proposal.updated_at = now
        after = {"public": public, "items": [s.id for s in items if s.public]}
        if before != after:
            audit(
                session,
                actor=actor,
                action="proposal.public",
                object_kind="proposal",
                object_id=proposal_id,
                before=before,
                after=after,
                now=now,
            )
    return proposal
