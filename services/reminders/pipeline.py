"""Reminders of proposals and consultation outcomes: departments, administrators, members.

- Departments: handling due within ``DUE_SOON``, then past due (one reminder per item and
  due date, so a new due date after more time is reminded about again).
- Administrators: the chase list as each chase period opens (every ``chase_every_months``
  months from January), once per period, unless there is nothing to chase.
- Members: a proposal answered ``RATE_AFTER`` ago and not yet rated; a quality evaluation
  waiting for their rating.
- Departments: a look back that has come due.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.accounts.staff import staff_recipients
from services.calendar import local_today
from services.meetings.invitations import member_chats
from services.members.rules import RuleBook
from services.pipeline.audience import department_chats
from services.pipeline.chase import chase_list
from services.pipeline.config import PipelineRules
from services.pipeline.lookback import due_lookbacks
from services.pipeline.quality import pending_quality
from services.reminders.planning import Due
from services.reminders.settings import ReminderSettings
from storage.enums import ProposalState
from storage.models import (
    ChatIdentity,
    Department,
    Handling,
    Outcome,
    Proposal,
    Suggestion,
)

DUE_SOON = dt.timedelta(days=3)
RATE_AFTER = dt.timedelta(days=7)


@dataclass(frozen=True)
class HandlingDue:
    """A department's open item: a proposal (``p``) or an outcome suggestion (``s``)."""

    kind: str
    id: int
    number: str
    title: str
    due_at: dt.datetime


async def pipeline_reminders(
    session: AsyncSession,
    *,
    now: dt.datetime,
    tz: dt.tzinfo,
    rulebook: RuleBook,
    settings: ReminderSettings,
) -> list[Due]:
    """Every pipeline reminder due now; the dedupe keys keep each to one."""
    today = local_today(now, tz)
    rules = rulebook.for_year(today.year).pipeline
    departments = await department_chats(session)
    dues = await handling_reminders(session, now=now, departments=departments)
    dues += await chase_reminders(session, now=now, tz=tz, rules=rules, settings=settings)
    dues += await rate_reminders(session, now=now, settings=settings)
    for due in await due_lookbacks(session, now=now, tz=tz, rules=rules):
        for identity in departments.get(due.department_id, []):
            dues.append(
                Due(
                    key=f"lookback:{due.kind}:{due.id}:due:{identity.id}",
                    kind="pipeline-lookback-due",
                    identity=identity,
                    data={"item": due},
                )
            )
    pending = await pending_quality(session)
    if pending:
        names = {
            d.id: d
            for d in (
                await session.execute(
                    select(Department).where(
                        col(Department.id).in_({item.department_id for item, _ in pending})
                    )
                )
            ).scalars()
        }
        chats = await member_chats(session, sorted({member for _, member in pending}))
        for item, member in pending:
            for identity in chats.get(member, []):
                dues.append(
                    Due(
                        key=f"quality:{item.kind}:{item.id}:{item.department_id}:{identity.id}",
                        kind="pipeline-quality-rate",
                        identity=identity,
                        data={"item": item, "department": names[item.department_id]},
                    )
                )
    return dues


async def handling_reminders(
    session: AsyncSession, *, now: dt.datetime, departments: dict[int, list[ChatIdentity]]
) -> list[Due]:
    """Open handling due soon or past due, to the department's handlers, per item."""
    rows = await session.execute(
        select(
            col(Handling.department_id),
            col(Suggestion.id),
            col(Suggestion.position),
            col(Proposal.id),
            col(Proposal.number),
            col(Proposal.title),
            col(Outcome.number),
            col(Outcome.title),
            func.min(col(Handling.due_at)),
        )
        .join(Suggestion, col(Suggestion.id) == col(Handling.suggestion_id))
        .outerjoin(Proposal, col(Proposal.id) == col(Suggestion.proposal_id))
        .outerjoin(Outcome, col(Outcome.id) == col(Suggestion.outcome_id))
        .where(
            col(Handling.answered_at).is_(None),
            col(Handling.due_at) <= now + DUE_SOON,
            col(Handling.department_id).in_(list(departments)),
            or_(col(Proposal.id).is_(None), col(Proposal.withdrawn_at).is_(None)),
        )
        .group_by(
            col(Handling.department_id),
            col(Suggestion.id),
            col(Suggestion.position),
            col(Proposal.id),
            col(Proposal.number),
            col(Proposal.title),
            col(Outcome.number),
            col(Outcome.title),
        )
    )
    # A proposal's items share one due date: the department hears of the proposal once.
    items: dict[tuple[int, str, int], HandlingDue] = {}
    for dep, sid, position, pid, p_number, p_title, o_number, o_title, due in rows.all():
        if pid is not None:
            item = HandlingDue("p", pid, p_number or "", p_title, due)
        else:
            item = HandlingDue("s", sid or 0, f"{o_number}-{position}", o_title or "", due)
        known = items.get((dep, item.kind, item.id))
        if known is None or item.due_at < known.due_at:
            items[(dep, item.kind, item.id)] = item
    dues: list[Due] = []
    for (dep, kind, item_id), item in sorted(items.items()):
        late = item.due_at < now
        word = "overdue" if late else "soon"
        stamp = int(item.due_at.timestamp())
        for identity in departments.get(dep, []):
            dues.append(
                Due(
                    key=f"handling:{kind}:{item_id}:{dep}:{word}:{stamp}:{identity.id}",
                    kind="pipeline-overdue" if late else "pipeline-due-soon",
                    identity=identity,
                    data={"item": item},
                )
            )
    return dues


def chase_period(today: dt.date, rules: PipelineRules) -> tuple[int, dt.date]:
    """The chase period ``today`` is in: its number in the year (from 1) and its first day."""
    every = rules.chase_every_months
    index = (today.month - 1) // every
    return index + 1, dt.date(today.year, index * every + 1, 1)


async def chase_reminders(
    session: AsyncSession,
    *,
    now: dt.datetime,
    tz: dt.tzinfo,
    rules: PipelineRules,
    settings: ReminderSettings,
) -> list[Due]:
    """The chase list to administrators, from the first morning of a period for a week."""
    today = local_today(now, tz)
    period, first = chase_period(today, rules)
    opens = dt.datetime.combine(first, settings.morning, tzinfo=tz)
    if not opens <= now < opens + settings.summary_valid:
        return []
    admins = await staff_recipients(session)
    if not admins:
        return []
    chase = await chase_list(session, now=now, rules=rules)
    if chase.empty:
        # Nothing to chase is no news: the period passes without a message.
        return []
    data: dict[str, Any] = {"chase": chase, "period": period, "year": today.year}
    return [
        Due(
            key=f"pipeline:chase:{today.year}-{period}:{identity.id}",
            kind="pipeline-chase",
            identity=identity,
            data=data,
        )
        for _staff, _to, identity in admins
    ]


async def rate_reminders(
    session: AsyncSession, *, now: dt.datetime, settings: ReminderSettings
) -> list[Due]:
    """A proposal answered a while ago and not rated: its member is reminded once a round."""
    rows = (
        await session.execute(
            select(Proposal).where(
                col(Proposal.state) == ProposalState.ANSWERED,
                col(Proposal.rated_at).is_(None),
                col(Proposal.answered_at) <= now - RATE_AFTER,
                # Long past, a reminder would only puzzle; the office chases those itself.
                col(Proposal.answered_at) > now - RATE_AFTER - settings.summary_valid,
            )
        )
    ).scalars()
    proposals = [(p, p.member_id or p.author_member_id) for p in rows]
    chats = await member_chats(session, sorted({m for _, m in proposals if m}))
    return [
        Due(
            key=f"proposal:{proposal.id}:rate-remind:{proposal.handling_round}:{identity.id}",
            kind="pipeline-rate-remind",
            identity=identity,
            data={"proposal": proposal},
        )
        for proposal, member in proposals
        if member
        for identity in chats.get(member, [])
    ]
