"""The demo's consultation topics and its published plan for the demo's year.

Residents suggested topics at two stations, two members suggested theirs, the office entered
a government request and a plenary speech; some are shortlisted, one declined, and the plan
holds a key topic and a long-running one (长线协商) and stands published. Everything is dated
from the demo's "now", so the seed reads the same on any day.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.accounts.scope import StaffScope
from services.audit import Actor
from services.members.rules import RuleBook
from services.outbox.notices import Notifier
from services.topics.desk import decline_topic, shortlist_topic
from services.topics.plan import PlanChoice, add_to_plan, publish_plan
from services.topics.records import create_topic
from storage.db import write_transaction
from storage.enums import ActorKind, TopicSource, TopicState
from storage.models import Member, Resident, SpecialCommittee, Station, Topic
from storage.models.plan import PlanSlot

# (title, description, source, station code or member code, state)
DEMO_TOPICS: tuple[tuple[str, str, TopicSource, str, TopicState], ...] = (
    (
        "老旧小区加装电梯",
        "多位居民反映老旧小区老人上下楼困难，希望加快加装电梯。",
        TopicSource.RESIDENT,
        "xq-jingde",
        TopicState.PLANNED,
    ),
    (
        "社区停车难",
        "晚间车辆占用消防通道，希望统筹增加停车位。",
        TopicSource.RESIDENT,
        "jf-beian",
        TopicState.SUGGESTED,
    ),
    ("小区广场舞噪音", "", TopicSource.RESIDENT, "jf-beian", TopicState.DECLINED),
    (
        "普惠托育服务供给",
        "0至3岁婴幼儿托育资源不足，价格偏高。",
        TopicSource.MEMBER,
        "M001",
        TopicState.SHORTLISTED,
    ),
    (
        "黄河流域生态保护和高质量发展",
        "连续多年跟踪的长线协商议题。",
        TopicSource.MEMBER,
        "M002",
        TopicState.PLANNED,
    ),
    (
        "优化营商环境",
        "市政府点题：围绕审批提速、涉企服务开展协商。",
        TopicSource.GOVERNMENT_REQUEST,
        "",
        TopicState.PLANNED,
    ),
    (
        "农村人居环境整治",
        "全体会议大会发言提出。",
        TopicSource.PLENARY_SPEECH,
        "",
        TopicState.SHORTLISTED,
    ),
)
# Where the planned ones go: title -> (committee code, month, form, key, slot).
DEMO_PLAN: dict[str, tuple[str, int, str, bool, PlanSlot]] = {
    "优化营商环境": ("economy", 4, "thematic", True, PlanSlot.PLAN),
    "黄河流域生态保护和高质量发展": (
        "population-environment",
        6,
        "bimonthly",
        True,
        PlanSlot.PLAN,
    ),
    "老旧小区加装电梯": ("social-legal", 9, "talk-it-over", False, PlanSlot.EXTRA),
}
LONG_RUNNING = "黄河流域生态保护和高质量发展"


async def _proposer(
    session: AsyncSession, source: TopicSource, code: str
) -> tuple[Actor, int | None]:
    """Who suggested a demo topic, and at which station."""
    if source == TopicSource.RESIDENT:
        station = (
            await session.execute(select(Station).where(col(Station.code) == code))
        ).scalar_one_or_none()
        resident = (await session.execute(select(col(Resident.id)).limit(1))).scalar_one_or_none()
        return Actor(ActorKind.RESIDENT, resident), station.id if station else None
    if source == TopicSource.MEMBER:
        member = (
            await session.execute(select(Member).where(col(Member.code) == code))
        ).scalar_one_or_none()
        if member is not None:
            return Actor(ActorKind.MEMBER, member.id, member.name), None
    return Actor.cli("demo"), None


async def seed_demo_topics(
    session: AsyncSession,
    *,
    now: dt.datetime,
    tz: dt.tzinfo,
    rulebook: RuleBook,
    notifier: Notifier,
) -> int:
    """Suggest, decide and plan the demo topics and publish the plan, unless done; how many."""
    if (await session.execute(select(col(Topic.id)).limit(1))).first() is not None:
        return 0
    year = now.astimezone(tz).year
    rules = rulebook.for_year(year)
    office = StaffScope(staff_id=0, name="demo", admin=True, station_ids=frozenset())
    actor = Actor.cli("demo")
    committees = {c.code: c.id for c in (await session.execute(select(SpecialCommittee))).scalars()}
    async with write_transaction(session):
        for number, (title, text, source, code, state) in enumerate(DEMO_TOPICS):
            proposer, station_id = await _proposer(session, source, code)
            suggested_at = now - dt.timedelta(days=60 - number)
            hand = source in (TopicSource.GOVERNMENT_REQUEST, TopicSource.PLENARY_SPEECH)
            topic = await create_topic(
                session,
                year=year,
                title=title,
                description=text,
                source=source,
                actor=proposer,
                now=suggested_at,
                station_id=station_id,
                state=TopicState.SHORTLISTED if hand else TopicState.SUGGESTED,
                long_running=title == LONG_RUNNING,
            )
            topic_id = topic.id or 0
            decided = suggested_at + dt.timedelta(days=7)
            if state == TopicState.DECLINED:
                await decline_topic(
                    session,
                    scope=office,
                    topic_id=topic_id,
                    reason="已作为个案转交街道办理。",
                    actor=actor,
                    notifier=notifier,
                    now=decided,
                )
                continue
            if state in (TopicState.SHORTLISTED, TopicState.PLANNED) and not hand:
                await shortlist_topic(
                    session,
                    scope=office,
                    topic_id=topic_id,
                    actor=actor,
                    notifier=notifier,
                    now=decided,
                )
            if state == TopicState.PLANNED:
                committee, month, form, key, slot = DEMO_PLAN[title]
                await add_to_plan(
                    session,
                    scope=office,
                    topic_id=topic_id,
                    choice=PlanChoice(committees.get(committee) or 0, month, form, key, slot),
                    rules=rules,
                    actor=actor,
                    now=decided,
                )
        await publish_plan(
            session,
            scope=office,
            year=year,
            actor=actor,
            notifier=notifier,
            now=now - dt.timedelta(days=30),
        )
    return len(DEMO_TOPICS)
