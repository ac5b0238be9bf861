"""The year's consultation plan: put shortlisted topics in it, take them out, publish it.

Every change is checked against the year's ``[plan]`` rules (key topics, the "6+X" slots, a
month's load, the forms) and refused with the limit it would break. A change to a published
plan takes it back to a draft, so the public page and the members never see a plan the
office has not published; publishing raises the version, and members hear of each version
once. Long-running topics (长线协商) carry over to the next year's draft plan.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.accounts.scope import StaffScope
from services.audit import Actor, audit
from services.errors import DomainError, NotFoundError
from services.meetings.invitations import member_chats
from services.members.rules import Rules
from services.outbox.notices import Notifier
from services.outbox.queue import Recipient, add
from services.topics.desk import require_admin
from storage.enums import MemberStatus, TopicState
from storage.models import ConsultationPlan, Member, PlanItem, SpecialCommittee, Topic
from storage.models.plan import PlanSlot, PlanState

# What a published version keeps of each item.
PUBLISHED_FIELDS = ("topic_id", "committee_id", "month", "form", "key", "slot")


@dataclass(frozen=True)
class PlannedTopic:
    """A plan item with its topic and lead committee."""

    item: PlanItem
    topic: Topic
    committee: SpecialCommittee


@dataclass(frozen=True)
class PlanChoice:
    """Where a topic goes in the plan."""

    committee_id: int
    month: int
    form: str
    key: bool = False
    slot: PlanSlot = PlanSlot.PLAN


async def plan_of(session: AsyncSession, *, year: int) -> ConsultationPlan | None:
    """The year's plan, if one was started."""
    query = select(ConsultationPlan).where(col(ConsultationPlan.year) == year)
    return (await session.execute(query)).scalar_one_or_none()


async def _plan_for_change(
    session: AsyncSession, *, year: int, now: dt.datetime
) -> ConsultationPlan:
    plan = await plan_of(session, year=year)
    if plan is None:
        plan = ConsultationPlan(year=year, created_at=now, updated_at=now)
    # A changed plan is a draft again until the office publishes it.
    plan.state = PlanState.DRAFT
    plan.updated_at = now
    session.add(plan)
    await session.flush()
    return plan


async def planned_topics(session: AsyncSession, *, year: int) -> list[PlannedTopic]:
    """The plan's topics by month, key topics first within a month."""
    query = (
        select(PlanItem, Topic, SpecialCommittee)
        .join(ConsultationPlan, col(ConsultationPlan.id) == col(PlanItem.plan_id))
        .join(Topic, col(Topic.id) == col(PlanItem.topic_id))
        .join(SpecialCommittee, col(SpecialCommittee.id) == col(PlanItem.committee_id))
        .where(col(ConsultationPlan.year) == year)
        .order_by(col(PlanItem.month), col(PlanItem.key).desc(), col(PlanItem.id))
    )
    return [PlannedTopic(*row) for row in (await session.execute(query)).all()]


def check_choice(choice: PlanChoice, rules: Rules, items: Sequence[PlanItem]) -> None:
    """Refuse a choice breaking a limit of the year's ``[plan]`` rules, naming the limit."""
    limits = rules.plan
    if not 1 <= choice.month <= 12:
        raise DomainError("plan_month_invalid")
    if choice.form not in limits.allowed_forms(rules.pipeline.consultation_kinds):
        raise DomainError("plan_form_unknown")
    if choice.key and sum(item.key for item in items) >= limits.max_key_topics:
        raise DomainError("plan_key_limit", maximum=limits.max_key_topics)
    in_slot = sum(item.slot == choice.slot for item in items)
    if choice.slot == PlanSlot.PLAN and in_slot >= limits.plan_consultations:
        raise DomainError("plan_slot_limit", maximum=limits.plan_consultations)
    if choice.slot == PlanSlot.EXTRA and in_slot >= limits.max_extra:
        raise DomainError("plan_extra_limit", maximum=limits.max_extra)
    if sum(item.month == choice.month for item in items) >= limits.max_per_month:
        raise DomainError("plan_month_limit", maximum=limits.max_per_month, month=choice.month)


async def add_to_plan(
    session: AsyncSession,
    *,
    scope: StaffScope,
    topic_id: int,
    choice: PlanChoice,
    rules: Rules,
    actor: Actor,
    now: dt.datetime,
) -> PlanItem:
    """Put a shortlisted topic of ``rules.year`` in that year's plan, within the limits."""
    require_admin(scope)
    topic = await session.get(Topic, topic_id)
    if topic is None or topic.year != rules.year:
        raise NotFoundError("topic")
    if topic.state != TopicState.SHORTLISTED:
        raise DomainError("topic_stale")
    if await session.get(SpecialCommittee, choice.committee_id) is None:
        raise NotFoundError("committee")
    existing = [planned.item for planned in await planned_topics(session, year=rules.year)]
    check_choice(choice, rules, existing)
    plan = await _plan_for_change(session, year=rules.year, now=now)
    assert plan.id is not None
    item = PlanItem(
        plan_id=plan.id,
        topic_id=topic_id,
        committee_id=choice.committee_id,
        month=choice.month,
        form=choice.form,
        key=choice.key,
        slot=choice.slot,
        created_at=now,
    )
    session.add(item)
    topic.state = TopicState.PLANNED
    topic.updated_at = now
    session.add(topic)
    await session.flush()
    audit(
        session,
        actor=actor,
        action="plan.add",
        object_kind="topic",
        object_id=topic_id,
        after={"year": rules.year, "month": choice.month, "form": choice.form, "key": choice.key},
        now=now,
    )
    return item


async def remove_from_plan(
    session: AsyncSession, *, scope: StaffScope, topic_id: int, actor: Actor, now: dt.datetime
) -> Topic:
    """Take a topic out of its plan; it goes back to the shortlist."""
    require_admin(scope)
    item = (
        await session.execute(select(PlanItem).where(col(PlanItem.topic_id) == topic_id))
    ).scalar_one_or_none()
    topic = await session.get(Topic, topic_id)
    if item is None or topic is None:
        raise DomainError("topic_stale")
    await _plan_for_change(session, year=topic.year, now=now)
    await session.delete(item)
    topic.state = TopicState.SHORTLISTED
    topic.updated_at = now
    session.add(topic)
    audit(
        session, actor=actor, action="plan.remove", object_kind="topic", object_id=topic_id, now=now
    )
    await session.flush()
    return topic


async def publish_plan(
    session: AsyncSession,
    *,
    scope: StaffScope,
    year: int,
    actor: Actor,
    notifier: Notifier,
    now: dt.datetime,
) -> ConsultationPlan:
    """Publish the year's draft plan as its next version; every active member is told once."""
    require_admin(scope)
    plan = await plan_of(session, year=year)
    planned = await planned_topics(session, year=year)
    if plan is None or not planned:
        raise DomainError("plan_empty")
    if plan.state == PlanState.PUBLISHED:
        raise DomainError("plan_unchanged")
    plan.state = PlanState.PUBLISHED
    plan.published_items = json.dumps(
        [{field: getattr(p.item, field) for field in PUBLISHED_FIELDS} for p in planned]
    )
    plan.version += 1
    plan.published_at = now
    plan.updated_at = now
    session.add(plan)
    audit(
        session,
        actor=actor,
        action="plan.publish",
        object_kind="consultation_plan",
        object_id=plan.id,
        after={"year": year, "version": plan.version},
        now=now,
    )
    members = (
        await session.execute(
            select(col(Member.id)).where(col(Member.status) == MemberStatus.ACTIVE)
        )
    ).scalars()
    member_ids = [member_id for member_id in members if member_id is not None]
    for chats in (await member_chats(session, member_ids)).values():
        for identity in chats:
            await add(
                session,
                to=Recipient.of(identity),
                message=notifier.render(
                    "plan-published", identity, year=year, version=plan.version
                ),
                dedupe_key=f"plan:{year}:v{plan.version}:chat:{identity.id}",
                now=now,
                kind="plan-published",
            )
    return plan


async def plan_counts(session: AsyncSession, *, year: int) -> dict[str, int]:
    """Key topics, plan and extra consultations of the year's plan."""
    items = [planned.item for planned in await planned_topics(session, year=year)]
    return {
        "key": sum(item.key for item in items),
        "plan": sum(item.slot == PlanSlot.PLAN for item in items),
        "extra": sum(item.slot == PlanSlot.EXTRA for item in items),
    }


async def published_plan(session: AsyncSession, *, year: int) -> ConsultationPlan | None:
    """The year's plan once published (what the public page and members read).

    Its last published version stands while the office works on the next one.
    """
    plan = await plan_of(session, year=year)
    return plan if plan is not None and plan.version > 0 else None


async def published_topics(session: AsyncSession, *, year: int) -> list[PlannedTopic]:
    """The items of the plan's last published version, ordered like :func:`planned_topics`."""
    plan = await published_plan(session, year=year)
    if plan is None:
        return []
    items = [PlanItem(plan_id=plan.id or 0, **row) for row in json.loads(plan.published_items)]
    topics = {t.id: t for t in await session.scalars(
        select(Topic).where(col(Topic.id).in_([item.topic_id for item in items]))
    )}  # fmt: skip
    committees = {c.id: c for c in await session.scalars(
        select(SpecialCommittee).where(
            col(SpecialCommittee.id).in_([item.committee_id for item in items])
        )
    )}  # fmt: skip
    found = [
        PlannedTopic(item, topics[item.topic_id], committees[item.committee_id])
        for item in items
        if item.topic_id in topics and item.committee_id in committees
    ]
    return sorted(found, key=lambda p: (p.item.month, not p.item.key))


async def topics_count(session: AsyncSession, *, year: int) -> int:
    """How many topics the year has, in any state."""
    query = select(func.count()).where(col(Topic.year) == year)
    return int((await session.execute(query)).scalar_one())
