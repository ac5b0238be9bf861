"""The quarterly review report (会商): what is stuck and who is late, for the joint meeting.

The office meets the party committee's and the government's offices every quarter (or every
``chase_every_months``) over the suggestions that do not move. The report reads, as of the
quarter's last day (or now, for the running quarter):

- outcome suggestions stuck at a stage: not fed back, and not moved for a whole chasing
  interval;
- departments past their due date: handling rows (of proposals and outcomes alike) due
  before that day and not answered by it, with each department's count and oldest due date.

This is a report builder, read-only; the reminders that chase departments keep their own
list.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.calendar import Quarter
from services.pipeline.config import PipelineRules
from services.pipeline.lists import origin_number, origin_title, read, with_origin
from storage.enums import STAGE_ORDER, Stage
from storage.models import Department, Handling, Suggestion


@dataclass(frozen=True, slots=True)
class StuckRow:
    """An outcome suggestion that has not moved since ``since``."""

    number: str
    title: str
    position: int
    text: str
    stage: str
    since: dt.datetime
    days: int


@dataclass(frozen=True, slots=True)
class OverdueRow:
    """One department's unanswered handling of one item, past its due date."""

    department_id: int
    department_zh: str
    department_en: str
    number: str
    title: str
    position: int
    lead: bool
    round: int
    due_at: dt.datetime
    days_over: int


@dataclass(frozen=True, slots=True)
class OverdueDepartment:
    """A department's overdue items: how many and since when."""

    department_id: int
    name_zh: str
    name_en: str
    items: int
    oldest_due: dt.datetime


@dataclass(frozen=True, slots=True)
class ReviewReport:
    """The quarter's stuck suggestions by stage and its overdue departments."""

    quarter: Quarter
    as_of: dt.datetime
    stuck: list[StuckRow]
    overdue: list[OverdueRow]
    departments: list[OverdueDepartment]

    def stuck_at(self, stage: str) -> list[StuckRow]:
        """The stuck suggestions at one stage."""
        return [row for row in self.stuck if row.stage == stage]


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months earlier (the month's last day if shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    for last in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month + 1, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover - day 28 exists in every month


def report_moment(quarter: Quarter, *, now: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    """The moment the report stands at: the quarter's end, or now while it runs."""
    end = dt.datetime.combine(quarter.next().start, dt.time(0), tzinfo=tz).astimezone(dt.UTC)
    return min(end, now)


async def review_report(
    session: AsyncSession,
    *,
    quarter: Quarter,
    now: dt.datetime,
    tz: dt.tzinfo,
    rules: PipelineRules,
) -> ReviewReport:
    """Stuck suggestions and overdue departments for ``quarter`` (see the module's text)."""
    as_of = report_moment(quarter, now=now, tz=tz)
    local_day = as_of.astimezone(tz).date()
    threshold = dt.datetime.combine(
        months_before(local_day, rules.chase_every_months), dt.time(0), tzinfo=tz
    ).astimezone(dt.UTC)
    stuck_query = with_origin(
        select(
            origin_number(),
            origin_title(),
            col(Suggestion.position),
            col(Suggestion.text),
            col(Suggestion.stage),
            col(Suggestion.stage_at),
        )
    ).where(
        col(Suggestion.outcome_id).is_not(None),
        col(Suggestion.stage) != Stage.FED_BACK,
        col(Suggestion.stage_at) < threshold,
    )
    order = {str(stage): index for index, stage in enumerate(STAGE_ORDER)}
    stuck = sorted(
        (
            StuckRow(number, title, position, text, stage, since, (as_of - since).days)
            for number, title, position, text, stage, since in await read(session, stuck_query)
        ),
        key=lambda r: (order.get(r.stage, len(order)), r.since, r.number, r.position),
    )
    overdue_query = with_origin(
        select(
            col(Department.id),
            col(Department.name_zh),
            col(Department.name_en),
            origin_number(),
            origin_title(),
            col(Suggestion.position),
            col(Handling.lead),
            col(Handling.round),
            col(Handling.due_at),
        )
        .select_from(Handling)
        .join(Suggestion, col(Suggestion.id) == col(Handling.suggestion_id))
        .join(Department, col(Department.id) == col(Handling.department_id))
    ).where(
        col(Handling.due_at) < as_of,
        or_(col(Handling.answered_at).is_(None), col(Handling.answered_at) >= as_of),
    )
    overdue = sorted(
        (
            OverdueRow(
                department_id=department_id,
                department_zh=name_zh,
                department_en=name_en,
                number=number,
                title=title,
                position=position,
                lead=lead,
                round=round_,
                due_at=due_at,
                days_over=(as_of - due_at).days,
            )
            for (
                department_id,
                name_zh,
                name_en,
                number,
                title,
                position,
                lead,
                round_,
                due_at,
            ) in await read(session, overdue_query)
        ),
        key=lambda r: (r.department_zh, r.due_at, r.number, r.position),
    )
    departments: dict[int, OverdueDepartment] = {}
    for row in overdue:
        known = departments.get(row.department_id)
        departments[row.department_id] = OverdueDepartment(
            row.department_id,
            row.department_zh,
            row.department_en,
            (known.items if known else 0) + 1,
            min(known.oldest_due, row.due_at) if known else row.due_at,
        )
    return ReviewReport(
        quarter=quarter,
        as_of=as_of,
        stuck=stuck,
        overdue=overdue,
        departments=sorted(departments.values(), key=lambda d: (-d.items, d.oldest_due)),
    )
