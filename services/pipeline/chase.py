"""The chase list (督办清单) for a date: what is stuck, what waits, which departments are late.

"Stuck" is kept simple so the office can explain it: an outcome suggestion that has sat at
formed, submitted or reviewed for longer than one chase period (``chase_every_months``), or
that is assigned and past a due date. Proposals are listed while they wait for the office
(submitted, not yet reviewed; registered, not yet assigned). Departments are listed with
their open handling past its due date. Each part is one set-based query, so the list stays
fast at a whole year's volume.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.pipeline.config import PipelineRules
from storage.enums import ProposalState, Stage
from storage.models import Department, Handling, Outcome, Proposal, Suggestion

# Stages the office itself moves on; "assigned" waits for departments and is chased by date.
OFFICE_STAGES = (Stage.FORMED, Stage.SUBMITTED, Stage.REVIEWED)


@dataclass(frozen=True)
class StuckSuggestion:
    """An outcome suggestion stuck at its stage since ``stage_at``."""

    suggestion_id: int
    outcome_id: int
    number: str
    title: str
    position: int
    stage: str
    stage_at: dt.datetime
    due_at: dt.datetime | None


@dataclass(frozen=True)
class WaitingProposal:
    """A proposal waiting for the office: review (``submitted``) or assignment."""

    proposal_id: int
    number: str | None
    title: str
    state: str
    since: dt.datetime


@dataclass(frozen=True)
class LateDepartment:
    """A department with open handling past its due date."""

    department_id: int
    name_zh: str
    name_en: str
    proposals: int
    suggestions: int
    oldest_due: dt.datetime


@dataclass(frozen=True)
class ChaseList:
    """Everything the office chases at ``as_of``."""

    as_of: dt.datetime
    stuck_since: dt.datetime
    stuck: list[StuckSuggestion]
    waiting: list[WaitingProposal]
    departments: list[LateDepartment]

    @property
    def empty(self) -> bool:
        """Nothing to chase."""
        return not (self.stuck or self.waiting or self.departments)


def months_before(moment: dt.datetime, months: int) -> dt.datetime:
    """The same moment ``months`` calendar months earlier (the month's last day if shorter)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    following = dt.date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    last_day = (following - dt.timedelta(days=1)).day
    return moment.replace(year=year, month=month + 1, day=min(moment.day, last_day))


def months_after(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months later (the month's last day if shorter)."""
    moment = dt.datetime.combine(day, dt.time())
    return months_before(moment, -months).date()


async def chase_list(session: AsyncSession, *, now: dt.datetime, rules: PipelineRules) -> ChaseList:
    """The chase list at ``now`` under the year's ``[pipeline]`` rules."""
    stuck_since = months_before(now, rules.chase_every_months)
    return ChaseList(
        as_of=now,
        stuck_since=stuck_since,
        stuck=await _stuck(session, now=now, stuck_since=stuck_since),
        waiting=await _waiting(session),
        departments=await late_departments(session, now=now),
    )


async def _stuck(
    session: AsyncSession, *, now: dt.datetime, stuck_since: dt.datetime
) -> list[StuckSuggestion]:
    # Two index-friendly queries rather than one OR: the stage index serves the first, the
    # open-handling index the second, and neither scans the whole suggestion table.
    late_handling = select(col(Handling.suggestion_id)).where(
        col(Handling.answered_at).is_(None), col(Handling.due_at) < now
    )
    conditions = (
        and_(
            col(Suggestion.stage).in_(list(OFFICE_STAGES)), col(Suggestion.stage_at) < stuck_since
        ),
        and_(
            col(Suggestion.stage) == Stage.ASSIGNED,
            or_(col(Suggestion.due_at) < now, col(Suggestion.id).in_(late_handling)),
        ),
    )
    found: list[StuckSuggestion] = []
    for condition in conditions:
        rows = await session.execute(
            select(
                col(Suggestion.id),
                col(Suggestion.outcome_id),
                col(Outcome.number),
                col(Outcome.title),
                col(Suggestion.position),
                col(Suggestion.stage),
                col(Suggestion.stage_at),
                col(Suggestion.due_at),
            )
            .join(Outcome, col(Outcome.id) == col(Suggestion.outcome_id))
            .where(condition)
        )
        found += [
            StuckSuggestion(
                suggestion_id=sid or 0,
                outcome_id=oid or 0,
                number=number,
                title=title,
                position=position,
                stage=stage,
                stage_at=stage_at,
                due_at=due_at,
            )
            for sid, oid, number, title, position, stage, stage_at, due_at in rows.all()
        ]
    found.sort(key=lambda row: (row.stage_at, row.suggestion_id))
    return found


async def _waiting(session: AsyncSession) -> list[WaitingProposal]:
    since = func.coalesce(col(Proposal.reviewed_at), col(Proposal.created_at))
    rows = await session.execute(
        select(
            col(Proposal.id),
            col(Proposal.number),
            col(Proposal.title),
            col(Proposal.state),
            since,
        )
        .where(
            col(Proposal.state).in_([ProposalState.SUBMITTED, ProposalState.REGISTERED]),
            col(Proposal.withdrawn_at).is_(None),
        )
        .order_by(since, col(Proposal.id))
    )
    return [
        WaitingProposal(proposal_id=pid or 0, number=number, title=title, state=state, since=moment)
        for pid, number, title, state, moment in rows.all()
    ]


async def late_departments(session: AsyncSession, *, now: dt.datetime) -> list[LateDepartment]:
    """Departments with open handling past due: overdue proposals and outcome suggestions."""
    proposals = func.count(func.distinct(col(Suggestion.proposal_id)))
    # An outcome's suggestions are counted one by one; a proposal's items count as their proposal.
    suggestions = func.count(
        func.distinct(case((col(Suggestion.outcome_id).is_not(None), col(Suggestion.id))))
    )
    rows = await session.execute(
        select(
            col(Department.id),
            col(Department.name_zh),
            col(Department.name_en),
            proposals,
            suggestions,
            func.min(col(Handling.due_at)),
        )
        .select_from(Handling)
        .join(Suggestion, col(Suggestion.id) == col(Handling.suggestion_id))
        .join(Department, col(Department.id) == col(Handling.department_id))
        .where(col(Handling.answered_at).is_(None), col(Handling.due_at) < now)
        .group_by(col(Department.id), col(Department.name_zh), col(Department.name_en))
        .order_by(func.min(col(Handling.due_at)), col(Department.id))
    )
    return [
        LateDepartment(
            department_id=did or 0,
            name_zh=zh,
            name_en=en,
            proposals=int(p),
            suggestions=int(s),
            oldest_due=oldest,
        )
        for did, zh, en, p, s, oldest in rows.all()
    ]
