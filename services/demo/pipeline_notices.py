"""The demo's proposals and outcomes were moved in one go: only notices of waiting work stay.

Seeding takes each demo proposal and outcome through the office and the departments at once,
and every step queues its notice like the real one would. A persona opening the demo should
not first read a dozen notices of steps long past, one a second: those are marked delivered,
as if they had reached their chats before. What stays is what asks for an action now: a
proposal to review, to answer or to rate, a suggestion to answer, how an outcome ended.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.db import write_transaction
from storage.enums import ProposalState, Stage
from storage.models import OutboxMessage, Proposal, Suggestion

# Each kind, and the state of its proposal (or a stage of its outcome) in which it still asks
# for something; None: it never does once seeded.
PROPOSAL_KINDS: dict[str, frozenset[str] | None] = {
    "proposal-submitted": frozenset({ProposalState.SUBMITTED}),
    "proposal-assigned": frozenset({ProposalState.ASSIGNED}),
    "proposal-rehandling": frozenset({ProposalState.REHANDLING}),
    "proposal-answered": frozenset({ProposalState.ANSWERED}),
    "proposal-cosign-answer": None,
    "proposal-registered": None,
    "proposal-not-registered": None,
    "proposal-rated": None,
}
OUTCOME_KINDS: dict[str, str | None] = {
    "outcome-assigned": Stage.ASSIGNED,
    "suggestion-handled": None,
    "outcome-fed-back": None,
}


def _subject(dedupe_key: str) -> tuple[str, int] | None:
    """``proposal:72:…`` → (``proposal``, 72)."""
    kind, _sep, rest = dedupe_key.partition(":")
    number = rest.partition(":")[0]
    return (kind, int(number)) if number.isdigit() else None


async def settle_demo_notices(session: AsyncSession, *, now: dt.datetime) -> int:
    """Mark the pending notices of finished demo steps delivered; how many."""
    async with write_transaction(session):
        rows = await session.execute(
            select(
                col(OutboxMessage.id), col(OutboxMessage.kind), col(OutboxMessage.dedupe_key)
            ).where(
                col(OutboxMessage.state) == "pending",
                col(OutboxMessage.kind).in_([*PROPOSAL_KINDS, *OUTCOME_KINDS]),
            )
        )
        states = dict((await session.execute(select(col(Proposal.id), col(Proposal.state)))).all())
        staged = await session.execute(
            select(col(Suggestion.outcome_id), col(Suggestion.stage)).where(
                col(Suggestion.outcome_id).is_not(None)
            )
        )
        stages: dict[int, set[str]] = {}
        for outcome_id, stage in staged.all():
            stages.setdefault(outcome_id or 0, set()).add(stage)
        settled = [
            row_id
            for row_id, kind, key in rows.all()
            if not _waits(kind, _subject(key), states, stages)
        ]
        if settled:
            await session.execute(
                update(OutboxMessage)
                .where(col(OutboxMessage.id).in_(settled))
                .values(state="sent", sent_at=now)
            )
    return len(settled)


def _waits(
    kind: str,
    subject: tuple[str, int] | None,
    states: dict[int | None, str],
    stages: dict[int, set[str]],
) -> bool:
    """Whether the notice still asks its reader for something."""
    if subject is None:
        return True
    if kind in PROPOSAL_KINDS:
        waiting = PROPOSAL_KINDS[kind]
        return waiting is not None and states.get(subject[1]) in waiting
    stage = OUTCOME_KINDS.get(kind)
    return stage is not None and stage in stages.get(subject[1], set())
