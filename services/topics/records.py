"""Creating a topic and linking it to what it came from: the one way every source adds one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from services.audit import Actor, audit
from services.errors import DomainError
from storage.enums import TopicLinkKind, TopicSource, TopicState
from storage.models import Topic, TopicLink

TITLE_MAX = 200
DESCRIPTION_MAX = 2000


def check_topic_title(text: str) -> str:
    """The title, stripped; refused when empty or longer than :data:`TITLE_MAX`."""
    title = " ".join(text.split())
    if not title:
        raise DomainError("topic_title_empty")
    if len(title) > TITLE_MAX:
        raise DomainError("topic_title_too_long", maximum=TITLE_MAX)
    return title


def check_topic_description(text: str) -> str:
    """The description, stripped; refused when longer than :data:`DESCRIPTION_MAX`."""
    description = text.strip()
    if len(description) > DESCRIPTION_MAX:
        raise DomainError("topic_description_too_long", maximum=DESCRIPTION_MAX)
    return description


async def create_topic(
    session: AsyncSession,
    *,
    year: int,
    title: str,
    description: str,
    source: TopicSource,
    actor: Actor,
    now: dt.datetime,
    links: Iterable[tuple[TopicLinkKind, int]] = (),
    station_id: int | None = None,
    state: TopicState = TopicState.SUGGESTED,
    long_running: bool = False,
) -> Topic:
    """Add a topic with its links in the caller's transaction, audited; flushed for its id.

    ``actor`` is the proposer (its kind and id are kept on the row).
    """
    topic = Topic(
        year=year,
        title=check_topic_title(title),
        description=check_topic_description(description),
        source=source,
        state=state,
        proposer_kind=actor.kind,
        proposer_id=actor.id,
        station_id=station_id,
        long_running=long_running,
        created_at=now,
        updated_at=now,
    )
    session.add(topic)
    await session.flush()
    assert topic.id is not None
    pairs = dict.fromkeys((TopicLinkKind(kind), int(ref_id)) for kind, ref_id in links)
    for kind, ref_id in pairs:
        session.add(TopicLink(topic_id=topic.id, kind=kind, ref_id=ref_id))
    audit(
        session,
        actor=actor,
        action="topic.create",
        object_kind="topic",
        object_id=topic.id,
        after={"title": topic.title, "source": source, "links": len(pairs)},
        now=now,
    )
    return topic
