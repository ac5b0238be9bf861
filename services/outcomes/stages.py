"""The six stages of an outcome's suggestion, in one table, and the one way each move is made.

A :class:`Move` goes from one stage to the next in ``STAGE_ORDER`` and names its audit
action. :func:`move_suggestion` loads the suggestion fresh, refuses a card drawn for another
stage (stale) and a move that is not to the next stage (skipping), lets the move do its own
work, then writes the timeline line and the audit entry, all in one write transaction.
Departments' answers make the ``handled`` move (``services.pipeline.progress``): staff
cannot. :func:`undo_move` takes a suggestion back one stage, clearing what the move set.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.accounts.scope import StaffScope
from services.audit import Actor, audit
from services.clock import local_date
from services.errors import DomainError
from services.members.rules import RuleBook
from services.outbox.notices import Notifier
from services.outcomes.access import lock_suggestion, require_admin, suggestion_label
from services.outcomes.feedback import tell_departments, tell_fed_back
from services.pipeline.assign import check_departments, create_handlings
from services.pipeline.config import PipelineRules
from services.pipeline.timeline import add_line
from storage.db import write_transaction
from storage.enums import STAGE_ORDER, Stage
from storage.models import Department, Outcome, Suggestion

REVIEWER_MAX = 120
TEXT_MAX = 2000


@dataclass(frozen=True)
class MoveInput:
    """What a move needs: the leader's instruction; the departments and due date; feedback."""

    review_by: str = ""
    review_on: dt.date | None = None
    review_text: str = ""
    lead_department_id: int | None = None
    co_department_ids: tuple[int, ...] = ()
    due_on: dt.date | None = None
    feedback: str = ""


@dataclass(frozen=True)
class Context:
    """What a move's own work may use."""

    session: AsyncSession
    outcome: Outcome
    suggestion: Suggestion
    inputs: MoveInput
    rules: PipelineRules
    actor: Actor
    now: dt.datetime
    tz: dt.tzinfo
    notifier: Notifier


Work = Callable[[Context], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class Move:
    """One step forward; ``work`` does the move's own checks and changes, ``after`` its notices."""

    from_stage: Stage
    to_stage: Stage
    audit_action: str
    work: Work
    after: Callable[[Context, int], Awaitable[int]] | None = None
    by_staff: bool = True
    clears: tuple[str, ...] = field(default=())


def next_stage(stage: str) -> Stage | None:
    """The stage after ``stage``; None after the last."""
    index = STAGE_ORDER.index(Stage(stage))
    return STAGE_ORDER[index + 1] if index + 1 < len(STAGE_ORDER) else None


def previous_stage(stage: str) -> Stage | None:
    """The stage before ``stage``; None before the first."""
    index = STAGE_ORDER.index(Stage(stage))
    return STAGE_ORDER[index - 1] if index > 0 else None


def check_text(value: str, code: str, maximum: int) -> str:
    """A typed text, trimmed; refused with ``code`` outside 2 to ``maximum`` characters."""
    value = value.strip()
    if not 2 <= len(value) <= maximum:
        raise DomainError(code, maximum=maximum)
    return value


async def _submit(ctx: Context) -> dict[str, Any]:
    ctx.suggestion.submitted_to = ctx.rules.recipient(ctx.outcome.consultation)
    return {"submitted_to": ctx.suggestion.submitted_to}


async def _review(ctx: Context) -> dict[str, Any]:
    given = ctx.inputs
    by = check_text(given.review_by, "outcome_reviewer_length", REVIEWER_MAX)
    text = check_text(given.review_text, "outcome_review_length", TEXT_MAX)
    if given.review_on is None or given.review_on > local_date(ctx.now, ctx.tz):
        raise DomainError("outcome_review_date")
    ctx.suggestion.review_by, ctx.suggestion.review_on = by, given.review_on
    ctx.suggestion.review_text = text
    return {"review_by": by, "review_on": given.review_on.isoformat()}


def due_from(day: dt.date, tz: dt.tzinfo) -> dt.datetime:
    """The end of a local day, in UTC: a due date typed as a date."""
    end = dt.datetime.combine(day, dt.time(23, 59), tzinfo=tz)
    return end.astimezone(dt.UTC)


async def _assign(ctx: Context) -> dict[str, Any]:
    given, session = ctx.inputs, ctx.session
    department_ids = check_departments(given.lead_department_id, given.co_department_ids)
    known = await session.execute(
        select(col(Department.id)).where(
            col(Department.id).in_(list(department_ids)), col(Department.active).is_(True)
        )
    )
    if set(known.scalars()) != set(department_ids):
        raise DomainError("outcome_department_unknown")
    today = local_date(ctx.now, ctx.tz)
    if given.due_on is None:
        due_at = ctx.now + dt.timedelta(days=ctx.rules.outcome_due_days)
    elif given.due_on <= today:
        raise DomainError("outcome_due_past")
    else:
        due_at = due_from(given.due_on, ctx.tz)
    assert ctx.suggestion.id is not None
    await create_handlings(
        session,
        suggestion_ids=[ctx.suggestion.id],
        department_ids=department_ids,
        due_at=due_at,
        round=1,
        now=ctx.now,
    )
    ctx.suggestion.due_at = due_at
    return {"departments": list(department_ids), "due_at": due_at.isoformat()}


async def _feed_back(ctx: Context) -> dict[str, Any]:
    check_text(ctx.inputs.feedback, "outcome_feedback_length", TEXT_MAX)
    fed_on = local_date(ctx.now, ctx.tz)
    ctx.suggestion.lookback_on = add_months(fed_on, ctx.rules.lookback_months)
    return {"lookback_on": ctx.suggestion.lookback_on.isoformat()}


async def _by_departments(ctx: Context) -> dict[str, Any]:
    raise DomainError("outcome_move_by_departments")


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, or the month's last day when it is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


async def _tell_departments(ctx: Context, line_id: int) -> int:
    return await tell_departments(
        ctx.session,
        outcome=ctx.outcome,
        suggestion=ctx.suggestion,
        line_id=line_id,
        notifier=ctx.notifier,
        now=ctx.now,
    )


async def _tell_fed_back(ctx: Context, line_id: int) -> int:
    return await tell_fed_back(
        ctx.session,
        outcome=ctx.outcome,
        suggestion=ctx.suggestion,
        feedback=ctx.inputs.feedback.strip(),
        line_id=line_id,
        notifier=ctx.notifier,
        now=ctx.now,
    )


S = Stage
# fmt: off
MOVES: dict[Stage, Move] = {
    move.from_stage: move
    for move in (
        Move(S.FORMED, S.SUBMITTED, "outcome.submit", _submit, clears=("submitted_to",)),
        Move(S.SUBMITTED, S.REVIEWED, "outcome.review", _review,
             clears=("review_by", "review_on", "review_text")),
        Move(S.REVIEWED, S.ASSIGNED, "outcome.assign", _assign, _tell_departments,
             clears=("due_at",)),
        Move(S.ASSIGNED, S.HANDLED, "outcome.handle", _by_departments, by_staff=False,
             clears=("adoption",)),
        Move(S.HANDLED, S.FED_BACK, "outcome.feed_back", _feed_back, _tell_fed_back,
             clears=("lookback_on",)),
    )
}
# fmt: on


def staff_move(stage: str) -> Move | None:
    """The move staff may make from ``stage``; None at the end or where departments move it."""
    move = MOVES.get(Stage(stage))
    return move if move is not None and move.by_staff else None


async def move_suggestion(
    session: AsyncSession,
    *,
    suggestion_id: int,
    drawn_for: str,
    to_stage: str,
    inputs: MoveInput,
    scope: StaffScope,
    actor: Actor,
    rulebook: RuleBook,
    now: dt.datetime,
    tz: dt.tzinfo,
    notifier: Notifier,
) -> Suggestion:
    """Move a suggestion to the next stage, as drawn on the administrator's card.

    Refused: a card drawn for another stage (``outcome_stage_stale``), a move that skips a
    stage (``outcome_stage_skipped``), the move departments make (``outcome_move_by_departments``).
    """
    require_admin(scope)
    async with write_transaction(session):
        suggestion, outcome = await lock_suggestion(session, suggestion_id)
        if suggestion.stage != drawn_for:
            raise DomainError("outcome_stage_stale", stage=suggestion.stage)
        move = MOVES.get(Stage(suggestion.stage))
        if move is None or move.to_stage != to_stage:
            raise DomainError("outcome_stage_skipped", stage=suggestion.stage)
        ctx = Context(
            session,
            outcome,
            suggestion,
            inputs,
            rulebook.for_year(outcome.year).pipeline,
            actor,
            now,
            tz,
            notifier,
        )
        extra = await move.work(ctx)
        suggestion.stage, suggestion.stage_at = move.to_stage, now
        outcome.updated_at = now
        line = add_line(
            session,
            kind="stage",
            actor=actor,
            now=now,
            outcome_id=outcome.id,
            suggestion_id=suggestion.id,
            from_stage=move.from_stage,
            to_stage=move.to_stage,
            body=inputs.feedback.strip() if move.to_stage == S.FED_BACK else None,
        )
        await session.flush()
        audit(
            session,
            actor=actor,
            action=move.audit_action,
            object_kind="suggestion",
            object_id=suggestion_label(outcome, suggestion),
            before={"stage": move.from_stage},
            after={"stage": move.to_stage, **extra},
            now=now,
        )
        if move.after is not None:
            assert line.id is not None
            await move.after(ctx, line.id)
    return suggestion


def stage_counts(stages: Sequence[str]) -> dict[str, int]:
    """How many of ``stages`` are at each stage, every stage present."""
    counts = {stage.value: 0 for stage in STAGE_ORDER}
    for stage in stages:
        counts[stage] = counts.get(stage, 0) + 1
    return counts
