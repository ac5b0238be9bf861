"""Topics suggested by residents at a station and by members in their own menu.

A resident's suggestion is anonymous to everyone but the office: the topic keeps the resident
row as its proposer so they can be told of the decision, and shows no name. A resident may
suggest a few topics a day (``[plan] resident_daily_suggestions``), which keeps one chat from
flooding the office's list. The same proposer cannot suggest the same title twice in a year.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.audit import Actor
from services.clock import local_date
from services.errors import DomainError, NotFoundError
from services.reference.catalog import get_station
from services.topics.config import PlanRules
from services.topics.records import check_topic_title, create_topic
from storage.enums import ActorKind, TopicLinkKind, TopicSource
from storage.models import Member, Proposal, Topic

# What a member may say a topic of theirs comes from, and the paper it then links.
MEMBER_SOURCES = (TopicSource.MEMBER, TopicSource.PROPOSAL)


def topic_year(now: dt.datetime, tz: dt.tzinfo) -> int:
    """The year a topic suggested now is for: the committee's current year."""
    return local_date(now, tz).year


async def _refuse_duplicate(
    session: AsyncSession, *, kind: str, proposer_id: int, year: int, title: str
) -> None:
    query = select(func.count()).where(
        col(Topic.proposer_kind) == kind,
        col(Topic.proposer_id) == proposer_id,
        col(Topic.year) == year,
        func.lower(col(Topic.title)) == title.lower(),
    )
    if (await session.execute(query)).scalar_one():
        raise DomainError("topic_duplicate")


async def suggestions_today(
    session: AsyncSession, *, resident_id: int, now: dt.datetime, tz: dt.tzinfo
) -> int:
    """How many topics the resident suggested since midnight in the committee's time zone."""
    midnight = dt.datetime.combine(local_date(now, tz), dt.time(), tzinfo=tz)
    query = select(func.count()).where(
        col(Topic.proposer_kind) == ActorKind.RESIDENT,
        col(Topic.proposer_id) == resident_id,
        col(Topic.created_at) >= midnight.astimezone(dt.UTC),
    )
    return int((await session.execute(query)).scalar_one())


async def suggest_as_resident(
    session: AsyncSession,
    *,
    resident_id: int,
    station_id: int,
    title: str,
    description: str,
    rules: PlanRules,
    now: dt.datetime,
    tz: dt.tzinfo,
) -> Topic:
    """A resident's suggestion at a station; refused past the day's limit or when repeated."""
    if await get_station(session, station_id) is None:
        raise NotFoundError("station")
    limit = rules.resident_daily_suggestions
    if await suggestions_today(session, resident_id=resident_id, now=now, tz=tz) >= limit:
        raise DomainError("topic_daily_limit", maximum=limit)
    year = topic_year(now, tz)
    clean = check_topic_title(title)
    await _refuse_duplicate(
        session, kind=ActorKind.RESIDENT, proposer_id=resident_id, year=year, title=clean
    )
    return await create_topic(
        session,
        year=year,
        title=clean,
        description=description,
        source=TopicSource.RESIDENT,
        actor=Actor(ActorKind.RESIDENT, resident_id),
        now=now,
        station_id=station_id,
    )


async def member_proposals(
    session: AsyncSession, *, member_id: int, year: int
) -> Sequence[Proposal]:
    """The member's own sent proposals of the year and the one before, newest first."""
    query = (
        select(Proposal)
        .where(
            col(Proposal.member_id) == member_id,
            col(Proposal.year) >= year - 1,
            col(Proposal.state) != "draft",
        )
        .order_by(col(Proposal.id).desc())
        .limit(20)
    )
    return (await session.execute(query)).scalars().all()


async def suggest_as_member(
    session: AsyncSession,
    *,
    member: Member,
    title: str,
    description: str,
    now: dt.datetime,
    tz: dt.tzinfo,
    proposal_id: int | None = None,
) -> Topic:
    """A member's suggestion, from their own proposal when ``proposal_id`` names one."""
    assert member.id is not None
    year = topic_year(now, tz)
    links: list[tuple[TopicLinkKind, int]] = []
    source = TopicSource.MEMBER
    if proposal_id is not None:
        own = {p.id for p in await member_proposals(session, member_id=member.id, year=year)}
        if proposal_id not in own:
            raise NotFoundError("proposal")
        links.append((TopicLinkKind.PROPOSAL, proposal_id))
        source = TopicSource.PROPOSAL
    clean = check_topic_title(title)
    await _refuse_duplicate(
        session, kind=ActorKind.MEMBER, proposer_id=member.id, year=year, title=clean
    )
    return await create_topic(
        session,
        year=year,
        title=clean,
        description=description,
        source=source,
        actor=Actor(ActorKind.MEMBER, member.id, member.name),
        now=now,
        links=links,
    )
