"""Topics and the yearly plan: suggestions, the desk's scope, the plan's limits, publishing,
carrying long-running topics over."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from services.accounts.identities import ensure_resident, touch_identity
from services.accounts.scope import StaffScope
from services.audit import Actor
from services.errors import DomainError
from services.members.rules import RuleBook, Rules
from services.topics.carry import carry_over
from services.topics.config import PlanRules
from services.topics.desk import (
    add_topic_by_hand,
    decline_topic,
    list_topics,
    shortlist_topic,
    topic_for_staff,
)
from services.topics.plan import (
    PlanChoice,
    add_to_plan,
    planned_topics,
    publish_plan,
    published_plan,
    published_topics,
    remove_from_plan,
)
from services.topics.suggestions import suggest_as_member, suggest_as_resident
from storage.db import Database, write_transaction
from storage.enums import TopicSource, TopicState
from storage.models import SpecialCommittee, Station, Topic
from storage.models.plan import PlanSlot
from tests.support.members import NOW, TZ, member_by_code
from tests.support.notices import message_of, notifier, outbox

ADMIN = StaffScope(staff_id=1, name="王芳", admin=True, station_ids=frozenset())
OFFICE = Actor("staff", 1, "王芳")
YEAR = NOW.year


def rules_of(year: int = YEAR, **plan: object) -> Rules:
    rules = RuleBook().for_year(year)
    return rules.model_copy(update={"plan": PlanRules.model_validate(plan)}) if plan else rules


async def first_ids(db: Database) -> tuple[list[int], list[int]]:
    async with db.session() as session:
        stations = (await session.execute(select(Station.id).order_by(Station.id))).scalars()
        committees = (
            await session.execute(select(SpecialCommittee.id).order_by(SpecialCommittee.id))
        ).scalars()
        return [s for s in stations if s], [c for c in committees if c]


async def a_resident(db: Database, chat_id: int) -> int:
    async with db.session() as session:
        identity = await touch_identity(
            session, channel="telegram", chat_id=chat_id, chat_type="private", now=NOW
        )
        async with write_transaction(session):
            resident = await ensure_resident(session, identity_id=identity.id or 0, now=NOW)
        return resident.id or 0


async def shortlisted(db: Database, count: int, *, long_running: bool = False) -> list[int]:
    ids = []
    async with db.session() as session, write_transaction(session):
        for number in range(count):
            topic = await add_topic_by_hand(
                session,
                scope=ADMIN,
                year=YEAR,
                source=TopicSource.GOVERNMENT_REQUEST,
                title=f"议题 {number}",
                description="",
                long_running=long_running,
                actor=OFFICE,
                now=NOW,
            )
            ids.append(topic.id or 0)
    return ids


async def test_resident_suggests_within_the_daily_limit(roster: Database) -> None:
    stations, _committees = await first_ids(roster)
    resident_id = await a_resident(roster, 501)
    limits = PlanRules(resident_daily_suggestions=2)
    async with roster.session() as session, write_transaction(session):
        for title in ("公交线路", "社区食堂"):
            topic = await suggest_as_resident(
                session,
                resident_id=resident_id,
                station_id=stations[0],
                title=title,
                description="",
                rules=limits,
                now=NOW,
                tz=TZ,
            )
            assert topic.source == TopicSource.RESIDENT
            assert topic.state == TopicState.SUGGESTED
    async with roster.session() as session, write_transaction(session):
        with pytest.raises(DomainError) as refused:
            await suggest_as_resident(
                session,
                resident_id=resident_id,
                station_id=stations[0],
                title="第三个",
                description="",
                rules=limits,
                now=NOW,
                tz=TZ,
            )
    assert refused.value.code == "topic_daily_limit"
    assert refused.value.params == {"maximum": 2}
    # The next day the guard opens again, but the same title is still a duplicate.
    tomorrow = NOW + dt.timedelta(days=1)
    async with roster.session() as session, write_transaction(session):
        with pytest.raises(DomainError) as duplicate:
            await suggest_as_resident(
                session,
                resident_id=resident_id,
                station_id=stations[0],
                title="公交线路",
                description="",
                rules=limits,
                now=tomorrow,
                tz=TZ,
            )
    assert duplicate.value.code == "topic_duplicate"


async def test_member_links_only_their_own_proposal(roster: Database) -> None:
    member = await member_by_code(roster, "M001")
    async with roster.session() as session, write_transaction(session):
        topic = await suggest_as_member(
            session, member=member, title="托育服务", description="说明", now=NOW, tz=TZ
        )
        assert topic.source == TopicSource.MEMBER
        with pytest.raises(DomainError) as refused:
            await suggest_as_member(
                session, member=member, title="其他", description="", now=NOW, tz=TZ, proposal_id=9
            )
    assert refused.value.code == "not_found"


async def test_station_staff_see_their_stations_suggestions_only(roster: Database) -> None:
    stations, _committees = await first_ids(roster)
    resident_id = await a_resident(roster, 502)
    async with roster.session() as session, write_transaction(session):
        mine = await suggest_as_resident(
            session,
            resident_id=resident_id,
            station_id=stations[0],
            title="路灯",
            description="",
            rules=PlanRules(),
            now=NOW,
            tz=TZ,
        )
        theirs = await suggest_as_resident(
            session,
            resident_id=resident_id,
            station_id=stations[1],
            title="停车",
            description="",
            rules=PlanRules(),
            now=NOW,
            tz=TZ,
        )
    await shortlisted(roster, 1)
    station_staff = StaffScope(
        staff_id=2, name="李", admin=False, station_ids=frozenset({stations[0]})
    )
    async with roster.session() as session:
        seen = await list_topics(session, scope=station_staff, year=YEAR)
        assert [topic.id for topic in seen] == [mine.id]
        assert len(await list_topics(session, scope=ADMIN, year=YEAR)) == 3
        with pytest.raises(DomainError):
            await topic_for_staff(session, scope=station_staff, topic_id=theirs.id or 0)
    async with roster.session() as session, write_transaction(session):
        with pytest.raises(DomainError) as refused:
            await shortlist_topic(
                session,
                scope=station_staff,
                topic_id=mine.id or 0,
                actor=OFFICE,
                notifier=notifier(),
                now=NOW,
            )
    assert refused.value.code == "out_of_scope"


async def test_declining_tells_the_resident_once(roster: Database) -> None:
    stations, _committees = await first_ids(roster)
    resident_id = await a_resident(roster, 503)
    async with roster.session() as session, write_transaction(session):
        topic = await suggest_as_resident(
            session,
            resident_id=resident_id,
            station_id=stations[0],
            title="<b>噪音</b>",
            description="",
            rules=PlanRules(),
            now=NOW,
            tz=TZ,
        )
        await decline_topic(
            session,
            scope=ADMIN,
            topic_id=topic.id or 0,
            reason="已在办理",
            actor=OFFICE,
            notifier=notifier(),
            now=NOW,
        )
    async with roster.session() as session, write_transaction(session):
        with pytest.raises(DomainError) as stale:
            await shortlist_topic(
                session,
                scope=ADMIN,
                topic_id=topic.id or 0,
                actor=OFFICE,
                notifier=notifier(),
                now=NOW,
            )
    assert stale.value.code == "topic_stale"
    rows = await outbox(roster, "topic-decided")
    assert len(rows) == 1
    text = message_of(rows[0]).text
    assert "&lt;b&gt;噪音&lt;/b&gt;" in text and "已在办理" in text


async def test_plan_limits_are_refused_by_name(roster: Database) -> None:
    _stations, committees = await first_ids(roster)
    ids = await shortlisted(roster, 5)
    rules = rules_of(max_key_topics=1, plan_consultations=2, max_extra=1, max_per_month=2)
    async with roster.session() as session, write_transaction(session):
        await add_to_plan(
            session,
            scope=ADMIN,
            topic_id=ids[0],
            choice=PlanChoice(committees[0], 3, "thematic", key=True),
            rules=rules,
            actor=OFFICE,
            now=NOW,
        )
    refusals = [
        (PlanChoice(committees[0], 4, "thematic", key=True), "plan_key_limit"),
        (PlanChoice(committees[0], 13, "thematic"), "plan_month_invalid"),
        (PlanChoice(committees[0], 4, "dinner"), "plan_form_unknown"),
    ]
    for choice, code in refusals:
        async with roster.session() as session, write_transaction(session):
            with pytest.raises(DomainError) as refused:
                await add_to_plan(
                    session,
                    scope=ADMIN,
                    topic_id=ids[1],
                    choice=choice,
                    rules=rules,
                    actor=OFFICE,
                    now=NOW,
                )
        assert refused.value.code == code
    async with roster.session() as session, write_transaction(session):
        await add_to_plan(
            session,
            scope=ADMIN,
            topic_id=ids[1],
            choice=PlanChoice(committees[0], 3, "sector"),
            rules=rules,
            actor=OFFICE,
            now=NOW,
        )
    for choice, code, params in (
        (PlanChoice(committees[0], 3, "sector", slot=PlanSlot.EXTRA), "plan_month_limit", 2),
        (PlanChoice(committees[0], 5, "sector"), "plan_slot_limit", 2),
    ):
        async with roster.session() as session, write_transaction(session):
            with pytest.raises(DomainError) as refused:
                await add_to_plan(
                    session,
                    scope=ADMIN,
                    topic_id=ids[2],
                    choice=choice,
                    rules=rules,
                    actor=OFFICE,
                    now=NOW,
                )
        assert refused.value.code == code
        assert refused.value.params["maximum"] == params
    async with roster.session() as session, write_transaction(session):
        await add_to_plan(
            session,
            scope=ADMIN,
            topic_id=ids[2],
            choice=PlanChoice(committees[1], 6, "sector", slot=PlanSlot.EXTRA),
            rules=rules,
            actor=OFFICE,
            now=NOW,
        )
        with pytest.raises(DomainError) as refused:
            await add_to_plan(
                session,
                scope=ADMIN,
                topic_id=ids[3],
                choice=PlanChoice(committees[1], 7, "sector", slot=PlanSlot.EXTRA),
                rules=rules,
                actor=OFFICE,
                now=NOW,
            )
    assert refused.value.code == "plan_extra_limit"


async def test_publishing_raises_the_version_and_tells_members_once_each(
    roster: Database,
) -> None:
    _stations, committees = await first_ids(roster)
    ids = await shortlisted(roster, 2)
    rules = rules_of()
    async with roster.session() as session, write_transaction(session):
        with pytest.raises(DomainError) as empty:
            await publish_plan(
                session, scope=ADMIN, year=YEAR, actor=OFFICE, notifier=notifier(), now=NOW
            )
        assert empty.value.code == "plan_empty"
    async with roster.session() as session, write_transaction(session):
        await add_to_plan(
            session,
            scope=ADMIN,
            topic_id=ids[0],
            choice=PlanChoice(committees[0], 5, "thematic", key=True),
            rules=rules,
            actor=OFFICE,
            now=NOW,
        )
        plan = await publish_plan(
            session, scope=ADMIN, year=YEAR, actor=OFFICE, notifier=notifier(), now=NOW
        )
        assert plan.version == 1
        with pytest.raises(DomainError) as unchanged:
            await publish_plan(
                session, scope=ADMIN, year=YEAR, actor=OFFICE, notifier=notifier(), now=NOW
            )
        assert unchanged.value.code == "plan_unchanged"
    assert len(await outbox(roster, "plan-published")) == 3  # three linked members
    later = NOW + dt.timedelta(hours=1)
    async with roster.session() as session, write_transaction(session):
        await add_to_plan(
            session,
            scope=ADMIN,
            topic_id=ids[1],
            choice=PlanChoice(committees[1], 6, "bimonthly"),
            rules=rules,
            actor=OFFICE,
            now=later,
        )
        # A changed plan is a draft until published again; version 1 stands meanwhile.
        shown = await published_plan(session, year=YEAR)
        assert shown is not None and shown.version == 1 and shown.state == "draft"
        assert [p.topic.id for p in await published_topics(session, year=YEAR)] == [ids[0]]
        again = await publish_plan(
            session, scope=ADMIN, year=YEAR, actor=OFFICE, notifier=notifier(), now=later
        )
        assert again.version == 2
    rows = await outbox(roster, "plan-published")
    assert len(rows) == 6
    assert len({row.dedupe_key for row in rows}) == 6
    async with roster.session() as session, write_transaction(session):
        topic = await remove_from_plan(
            session, scope=ADMIN, topic_id=ids[1], actor=OFFICE, now=later
        )
        assert topic.state == TopicState.SHORTLISTED
        assert [p.topic.id for p in await planned_topics(session, year=YEAR)] == [ids[0]]
        # Version 2, as published, still lists both until the office publishes again.
        published = await published_topics(session, year=YEAR)
        assert sorted(p.topic.id for p in published) == sorted(ids)
        assert [p.item.month for p in published] == [5, 6]


async def test_long_running_topics_carry_over_once(roster: Database) -> None:
    _stations, committees = await first_ids(roster)
    long_ids = await shortlisted(roster, 1, long_running=True)
    short_ids = await shortlisted(roster, 1)
    async with roster.session() as session, write_transaction(session):
        for topic_id, month in ((long_ids[0], 4), (short_ids[0], 5)):
            await add_to_plan(
                session,
                scope=ADMIN,
                topic_id=topic_id,
                choice=PlanChoice(committees[0], month, "thematic", key=True),
                rules=rules_of(),
                actor=OFFICE,
                now=NOW,
            )
    next_rules = rules_of(YEAR + 1)
    async with roster.session() as session, write_transaction(session):
        carried = await carry_over(session, from_year=YEAR, rules=next_rules, actor=OFFICE, now=NOW)
    async with roster.session() as session, write_transaction(session):
        again = await carry_over(session, from_year=YEAR, rules=next_rules, actor=OFFICE, now=NOW)
    assert len(carried) == 1 and again == []
    async with roster.session() as session:
        topics = (await session.execute(select(Topic).where(Topic.year == YEAR + 1))).scalars()
        (new,) = list(topics)
        assert new.continues_topic_id == long_ids[0]
        assert new.long_running and new.state == TopicState.PLANNED
        (planned,) = await planned_topics(session, year=YEAR + 1)
        assert planned.item.month == 4 and planned.item.key
