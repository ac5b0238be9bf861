"""Long-running topics (长线协商) carry over from one year's plan to the next year's draft.

A carried topic is a new row of the next year pointing at the one it continues
(``continues_topic_id``); a topic carried once is never carried again, so the command or the
button may be pressed twice.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.accounts.scope import StaffScope
from services.audit import Actor
from services.errors import DomainError
from services.members.rules import Rules
from services.topics.plan import PlanChoice, add_to_plan, check_choice, planned_topics
from services.topics.records import create_topic
from storage.enums import TopicLinkKind, TopicSource, TopicState
from storage.models import PlanItem, Topic


async def carry_over(
    session: AsyncSession, *, from_year: int, rules: Rules, actor: Actor, now: dt.datetime
) -> list[Topic]:
    """Carry the year's long-running topics into the next year's draft plan; run twice, once.

    Each becomes a new topic of ``rules.year`` continuing the old one, in the same month,
    committee and form when the next year's limits allow, else on its shortlist.
    """
    if rules.year != from_year + 1:
        raise DomainError("plan_year_invalid")
    carried_already = select(col(Topic.continues_topic_id)).where(
        col(Topic.continues_topic_id).is_not(None)
    )
    query = (
        select(Topic, PlanItem)
        .outerjoin(PlanItem, col(PlanItem.topic_id) == col(Topic.id))
        .where(
            col(Topic.year) == from_year,
            col(Topic.long_running).is_(True),
            col(Topic.state).in_([TopicState.PLANNED, TopicState.CONSULTED]),
            col(Topic.id).not_in(carried_already),
        )
        .order_by(col(Topic.id))
    )
    carried: list[Topic] = []
    for old, old_item in (await session.execute(query)).all():
        old_id = old.id or 0
        topic = await create_topic(
            session,
            year=rules.year,
            title=old.title,
            description=old.description,
            source=TopicSource(old.source),
            actor=actor,
            now=now,
            links=[(TopicLinkKind.TOPIC, old_id)],
            station_id=old.station_id,
            state=TopicState.SHORTLISTED,
            long_running=True,
        )
        topic.continues_topic_id = old_id
        session.add(topic)
        carried.append(topic)
        if old_item is None:
            continue
        choice = PlanChoice(old_item.committee_id, old_item.month, old_item.form, old_item.key)
        existing = [planned.item for planned in await planned_topics(session, year=rules.year)]
        try:
            check_choice(choice, rules, existing)
        except DomainError:
            continue  # stays on the shortlist for the office to place
        admin = StaffScope(staff_id=0, name=actor.name, admin=True, station_ids=frozenset())
        assert topic.id is not None
        await add_to_plan(
            session,
            scope=admin,
            topic_id=topic.id,
            choice=choice,
            rules=rules,
            actor=actor,
            now=now,
        )
    return carried
