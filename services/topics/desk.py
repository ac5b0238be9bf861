"""The office's topic desk: the list by state and source, a topic's card, shortlist or decline.

Administrators see and decide every topic. Station staff see the suggestions residents made at
their own stations, and nothing else; they do not decide (the plan is the office's). A
proposer (a resident or a member) is told of the decision through the outbox, in their
language, once per decision.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.accounts.scope import StaffScope
from services.audit import Actor, audit
from services.errors import DomainError, NotFoundError
from services.meetings.invitations import member_chats
from services.outbox.notices import Notifier
from services.outbox.queue import Recipient, add
from services.topics.records import create_topic
from storage.enums import ActorKind, TopicSource, TopicState
from storage.models import ChatIdentity, Resident, Station, Topic, TopicLink

REASON_MAX = 500
# Sources the office enters by hand, with what they came from in the description.
HAND_SOURCES = (
    TopicSource.GOVERNMENT_REQUEST,
    TopicSource.PLENARY_SPEECH,
    TopicSource.CONDITIONS_REPORT,
    TopicSource.PROPOSAL,
)


def _visible(scope: StaffScope) -> Any:
    """A WHERE clause: every topic for an admin, their stations' residents' for station staff."""
    if scope.admin:
        return true()
    return (col(Topic.source) == TopicSource.RESIDENT) & col(Topic.station_id).in_(
        sorted(scope.station_ids)
    )


async def list_topics(
    session: AsyncSession,
    *,
    scope: StaffScope,
    year: int,
    state: str | None = None,
    source: str | None = None,
) -> Sequence[Topic]:
    """The year's topics the staff member may see, newest first, by state and source."""
    query = select(Topic).where(col(Topic.year) == year, _visible(scope))
    if state:
        query = query.where(col(Topic.state) == state)
    if source:
        query = query.where(col(Topic.source) == source)
    query = query.order_by(col(Topic.created_at).desc(), col(Topic.id).desc())
    return (await session.execute(query)).scalars().all()


async def count_by_state(session: AsyncSession, *, scope: StaffScope, year: int) -> dict[str, int]:
    """How many visible topics of the year stand in each state."""
    query = (
        select(col(Topic.state), func.count())
        .where(col(Topic.year) == year, _visible(scope))
        .group_by(col(Topic.state))
    )
    return {str(state): int(count) for state, count in (await session.execute(query)).all()}


@dataclass(frozen=True)
class TopicCard:
    """A topic with what the card shows next to it."""

    topic: Topic
    station: Station | None
    links: tuple[TopicLink, ...]


async def topic_for_staff(session: AsyncSession, *, scope: StaffScope, topic_id: int) -> TopicCard:
    """A topic the staff member may see; anything else is "not found"."""
    topic = (
        await session.execute(select(Topic).where(col(Topic.id) == topic_id, _visible(scope)))
    ).scalar_one_or_none()
    if topic is None:
        raise NotFoundError("topic")
    station = await session.get(Station, topic.station_id) if topic.station_id else None
    links = (
        (await session.execute(select(TopicLink).where(col(TopicLink.topic_id) == topic_id)))
        .scalars()
        .all()
    )
    return TopicCard(topic, station, tuple(links))


def require_admin(scope: StaffScope) -> None:
    """Refuse a topic decision from station staff."""
    if not scope.admin:
        raise DomainError("out_of_scope")


async def proposer_chats(session: AsyncSession, topic: Topic) -> list[ChatIdentity]:
    """The chats of a resident or member proposer; none for the office's own topics."""
    if topic.proposer_id is None:
        return []
    if topic.proposer_kind == ActorKind.RESIDENT:
        resident = await session.get(Resident, topic.proposer_id)
        if resident is None or resident.identity_id is None:
            return []
        identity = await session.get(ChatIdentity, resident.identity_id)
        return [identity] if identity is not None else []
    if topic.proposer_kind == ActorKind.MEMBER:
        return (await member_chats(session, [topic.proposer_id]))[topic.proposer_id]
    return []


async def _decide(
    session: AsyncSession,
    *,
    scope: StaffScope,
    topic_id: int,
    to: TopicState,
    reason: str,
    actor: Actor,
    notifier: Notifier,
    now: dt.datetime,
) -> Topic:
    require_admin(scope)
    topic = (await topic_for_staff(session, scope=scope, topic_id=topic_id)).topic
    if topic.state != TopicState.SUGGESTED:
        raise DomainError("topic_stale")
    before = topic.state
    topic.state = to
    topic.updated_at = now
    session.add(topic)
    audit(
        session,
        actor=actor,
        action=f"topic.{to}",
        object_kind="topic",
        object_id=topic_id,
        before={"state": before},
        after={"state": to, "reason": reason},
        now=now,
    )
    for identity in await proposer_chats(session, topic):
        await add(
            session,
            to=Recipient.of(identity),
            message=notifier.render("topic-decided", identity, topic=topic, reason=reason),
            dedupe_key=f"topic:{topic_id}:{to}:chat:{identity.id}",
            now=now,
            kind="topic-decided",
        )
    return topic


async def shortlist_topic(
    session: AsyncSession,
    *,
    scope: StaffScope,
    topic_id: int,
    actor: Actor,
    notifier: Notifier,
    now: dt.datetime,
) -> Topic:
    """Put a suggested topic on the shortlist; the proposer is told."""
    return await _decide(
        session,
        scope=scope,
        topic_id=topic_id,
        to=TopicState.SHORTLISTED,
        reason="",
        actor=actor,
        notifier=notifier,
        now=now,
    )


async def decline_topic(
    session: AsyncSession,
    *,
    scope: StaffScope,
    topic_id: int,
    reason: str,
    actor: Actor,
    notifier: Notifier,
    now: dt.datetime,
) -> Topic:
    """Decline a suggested topic with a reason the proposer is told."""
    clean = reason.strip()
    if not clean:
        raise DomainError("topic_reason_missing")
    if len(clean) > REASON_MAX:
        raise DomainError("topic_reason_too_long", maximum=REASON_MAX)
    return await _decide(
        session,
        scope=scope,
        topic_id=topic_id,
        to=TopicState.DECLINED,
        reason=clean,
        actor=actor,
        notifier=notifier,
        now=now,
    )


async def add_topic_by_hand(
    session: AsyncSession,
    *,
    scope: StaffScope,
    year: int,
    source: TopicSource,
    title: str,
    description: str,
    long_running: bool,
    actor: Actor,
    now: dt.datetime,
) -> Topic:
    """The office enters a topic (a government request, a plenary speech ...) on the shortlist."""
    require_admin(scope)
    if source not in HAND_SOURCES:
        raise DomainError("topic_source_unknown")
    return await create_topic(
        session,
        year=year,
        title=title,
        description=description,
        source=source,
        actor=actor,
        now=now,
        state=TopicState.SHORTLISTED,
        long_running=long_running,
    )
