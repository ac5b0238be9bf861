"""Undoing a suggestion's last move: an administrator, with a reason, back one stage.

What the move set is cleared (``Move.clears``); an assignment is undone only while no
department has answered (its handling rows go); "handled" undone reopens the departments'
answers of the last round, their words kept for the department to revise. The timeline
keeps an "undo" line with the reason, and the audit log the change.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.accounts.scope import StaffScope
from services.audit import Actor, audit
from services.errors import DomainError
from services.outcomes.access import lock_suggestion, require_admin, suggestion_label
from services.outcomes.stages import MOVES, check_text, previous_stage
from services.pipeline.timeline import add_line
from storage.db import write_transaction
from storage.enums import Stage
from storage.models import Handling, HandlingExtension, Suggestion

REASON_MAX = 500


async def undo_move(
    session: AsyncSession,
    *,
    suggestion_id: int,
    drawn_for: str,
    reason: str,
    scope: StaffScope,
    actor: Actor,
    now: dt.datetime,
) -> Suggestion:
    """Take a suggestion back one stage, clearing what the move set; administrators only.

    An assignment is undone only while no department has answered (its handling rows go);
    a ``handled`` undone reopens the departments' answers of the suggestion's last round.
    """
    require_admin(scope)
    reason = check_text(reason, "outcome_undo_reason", REASON_MAX)
    async with write_transaction(session):
        suggestion, outcome = await lock_suggestion(session, suggestion_id)
        if suggestion.stage != drawn_for:
            raise DomainError("outcome_stage_stale", stage=suggestion.stage)
        back = previous_stage(suggestion.stage)
        if back is None:
            raise DomainError("outcome_nothing_to_undo")
        move = MOVES[back]
        assert suggestion.id is not None
        if move.to_stage == Stage.ASSIGNED:
            await _drop_assignment(session, suggestion.id)
        elif move.to_stage == Stage.HANDLED:
            await _reopen_answers(session, suggestion.id)
        for name in move.clears:
            setattr(suggestion, name, None)
        suggestion.stage, suggestion.stage_at = back, now
        outcome.updated_at = now
        add_line(
            session,
            kind="undo",
            actor=actor,
            now=now,
            outcome_id=outcome.id,
            suggestion_id=suggestion.id,
            from_stage=move.to_stage,
            to_stage=back,
            body=reason,
        )
        audit(
            session,
            actor=actor,
            action="outcome.undo",
            object_kind="suggestion",
            object_id=suggestion_label(outcome, suggestion),
            before={"stage": move.to_stage},
            after={"stage": back, "reason": reason},
            now=now,
        )
    return suggestion


async def _drop_assignment(session: AsyncSession, suggestion_id: int) -> None:
    answered = await session.execute(
        select(col(Handling.id))
        .where(col(Handling.suggestion_id) == suggestion_id, col(Handling.answered_at).is_not(None))
        .limit(1)
    )
    if answered.first() is not None:
        raise DomainError("outcome_undo_answered")
    await session.execute(delete(Handling).where(col(Handling.suggestion_id) == suggestion_id))
    await session.execute(
        delete(HandlingExtension).where(col(HandlingExtension.suggestion_id) == suggestion_id)
    )


async def _reopen_answers(session: AsyncSession, suggestion_id: int) -> None:
    last_round = (
        await session.execute(
            select(col(Handling.round))
            .where(col(Handling.suggestion_id) == suggestion_id)
            .order_by(col(Handling.round).desc())
            .limit(1)
        )
    ).scalar_one_or_none()
    # The answers' words stay for the department to revise; only their "done" is taken back.
    await session.execute(
        update(Handling)
        .where(col(Handling.suggestion_id) == suggestion_id, col(Handling.round) == last_round)
        .values(answered_at=None)
    )
