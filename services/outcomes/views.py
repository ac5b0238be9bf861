"""What administrators read of outcomes; station staff see none of it.

A year's outcomes with per-stage counts, one outcome's card, one suggestion's card, the
long-running topics.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.accounts.scope import StaffScope
from services.errors import DomainError
from services.outcomes.access import require_admin
from services.outcomes.feedback import SuggestionEnd, how_it_ended
from services.outcomes.stages import stage_counts
from services.pipeline.timeline import outcome_timeline
from storage.enums import STAGE_ORDER
from storage.models import (
    ConditionsReport,
    Issue,
    Meeting,
    Member,
    Outcome,
    OutcomeIssue,
    OutcomeMember,
    PipelineEvent,
    Suggestion,
)


@dataclass(frozen=True)
class OutcomeRow:
    """An outcome in a year's list: how many of its suggestions are at each stage."""

    outcome: Outcome
    stages: dict[str, int]

    @property
    def earliest(self) -> str:
        """The least advanced stage any of its suggestions is at."""
        return next((stage for stage in STAGE_ORDER if self.stages.get(stage)), STAGE_ORDER[-1])


@dataclass(frozen=True)
class YearPage:
    """One page of a year's outcomes, and the year's suggestions counted by stage."""

    rows: list[OutcomeRow]
    total: int
    counts: dict[str, int]


@dataclass(frozen=True)
class LinkedCase:
    """A resident's case that fed the outcome, and whether its resident has been told."""

    issue: Issue
    told: bool


@dataclass(frozen=True)
class OutcomeCard:
    """Everything about one outcome."""

    outcome: Outcome
    ends: list[SuggestionEnd]
    meeting: Meeting | None
    report: ConditionsReport | None
    research_on: str | None
    members: list[Member]
    cases: list[LinkedCase]
    timeline: list[PipelineEvent]


async def year_outcomes(
    session: AsyncSession,
    *,
    year: int,
    scope: StaffScope,
    stage: str | None = None,
    offset: int = 0,
    limit: int = 8,
) -> YearPage:
    """A page of the year's outcomes, newest first; with ``stage``, those with one there."""
    require_admin(scope)
    counted = await session.execute(
        select(col(Suggestion.stage), func.count())
        .join(Outcome, col(Outcome.id) == col(Suggestion.outcome_id))
        .where(col(Outcome.year) == year)
        .group_by(col(Suggestion.stage))
    )
    counts = stage_counts([])
    for name, count in counted.all():
        counts[name] = int(count)
    chosen = select(col(Outcome.id)).where(col(Outcome.year) == year)
    if stage:
        chosen = chosen.where(
            col(Outcome.id).in_(
                select(col(Suggestion.outcome_id)).where(col(Suggestion.stage) == stage)
            )
        )
    total = int(
        (await session.execute(select(func.count()).select_from(chosen.subquery()))).scalar_one()
    )
    outcomes = list(
        (
            await session.execute(
                select(Outcome)
                .where(col(Outcome.id).in_(chosen))
                .order_by(col(Outcome.number).desc())
                .offset(offset)
                .limit(limit)
            )
        ).scalars()
    )
    per: dict[int, list[str]] = {o.id or 0: [] for o in outcomes}
    if per:
        stages = await session.execute(
            select(col(Suggestion.outcome_id), col(Suggestion.stage)).where(
                col(Suggestion.outcome_id).in_(list(per))
            )
        )
        for outcome_id, name in stages.all():
            per[outcome_id or 0].append(name)
    rows = [OutcomeRow(o, stage_counts(per[o.id or 0])) for o in outcomes]
    return YearPage(rows, total, counts)


async def outcome_card(session: AsyncSession, *, outcome_id: int, scope: StaffScope) -> OutcomeCard:
    """One outcome with its suggestions, answers, linked cases, members and timeline."""
    require_admin(scope)
    outcome = await session.get(Outcome, outcome_id)
    if outcome is None or outcome.id is None:
        raise DomainError("outcome_unknown")
    members = (
        await session.execute(
            select(Member)
            .join(OutcomeMember, col(OutcomeMember.member_id) == col(Member.id))
            .where(col(OutcomeMember.outcome_id) == outcome.id)
            .order_by(col(Member.code))
        )
    ).scalars()
    cases = (
        await session.execute(
            select(Issue, col(OutcomeIssue.told_at))
            .join(OutcomeIssue, col(OutcomeIssue.issue_id) == col(Issue.id))
            .where(col(OutcomeIssue.outcome_id) == outcome.id)
            .order_by(col(Issue.number))
        )
    ).all()
    timeline = await outcome_timeline(session, outcome.id)
    formed = next((line for line in timeline if line.kind == "formed"), None)
    return OutcomeCard(
        outcome=outcome,
        ends=await how_it_ended(session, outcome.id),
        meeting=await session.get(Meeting, outcome.meeting_id) if outcome.meeting_id else None,
        report=(
            await session.get(ConditionsReport, outcome.report_id) if outcome.report_id else None
        ),
        research_on=formed.body if formed is not None and outcome.source == "research" else None,
        members=list(members),
        cases=[LinkedCase(issue, told_at is not None) for issue, told_at in cases],
        timeline=timeline,
    )


async def suggestion_card(
    session: AsyncSession, *, suggestion_id: int, scope: StaffScope
) -> tuple[OutcomeCard, SuggestionEnd]:
    """One suggestion, with the card of its outcome."""
    require_admin(scope)
    suggestion = await session.get(Suggestion, suggestion_id)
    if suggestion is None or suggestion.outcome_id is None:
        raise DomainError("outcome_unknown")
    await session.refresh(suggestion)
    card = await outcome_card(session, outcome_id=suggestion.outcome_id, scope=scope)
    end = next(end for end in card.ends if end.suggestion.id == suggestion_id)
    return card, end


async def topic_names(session: AsyncSession, *, scope: StaffScope) -> Sequence[str]:
    """The long-running topics, by name."""
    require_admin(scope)
    rows = await session.execute(
        select(col(Outcome.topic)).where(col(Outcome.topic).is_not(None)).distinct()
    )
    return sorted(name for name in rows.scalars() if name)
