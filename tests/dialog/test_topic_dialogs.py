"""Suggesting topics (a resident from a station card and the menu, a member), the office's topic
desk and plan, and forged topic ids refused."""

from __future__ import annotations

from aiogram import Bot, Dispatcher
from aiogram.methods import AnswerCallbackQuery
from sqlalchemy import select

from services.accounts.identities import touch_identity
from services.accounts.scope import StaffScope
from services.accounts.staff import add_staff, bind_staff
from services.audit import Actor
from services.members.rules import RuleBook
from services.topics.desk import add_topic_by_hand, decline_topic
from services.topics.plan import PlanChoice, add_to_plan
from storage.db import Database, write_transaction
from storage.enums import StaffRole, TopicSource, TopicState
from storage.models import ConsultationPlan, SpecialCommittee, Station, Topic
from tests.support.chat import ChatUser, forged
from tests.support.members import NOW
from tests.support.notices import notifier, outbox

ADMIN = StaffScope(staff_id=0, name="王芳", admin=True, station_ids=frozenset())


def alert(sent: list[object]) -> str:
    answers = [r for r in sent if isinstance(r, AnswerCallbackQuery) and r.text]
    assert answers, sent
    return str(answers[-1].text)


async def topics(db: Database) -> list[Topic]:
    async with db.session() as session:
        return list((await session.execute(select(Topic).order_by(Topic.id))).scalars())


async def station_named(db: Database, prefix: str) -> Station:
    async with db.session() as session:
        query = select(Station).where(Station.name_en.startswith(prefix))  # type: ignore[attr-defined]
        return (await session.execute(query)).scalar_one()


async def hand_topics(db: Database, *titles: str) -> list[int]:
    async with db.session() as session, write_transaction(session):
        made = [
            await add_topic_by_hand(
                session,
                scope=ADMIN,
                year=NOW.year,
                source=TopicSource.GOVERNMENT_REQUEST,
                title=title,
                description="",
                long_running=False,
                actor=Actor.cli(),
                now=NOW,
            )
            for title in titles
        ]
        return [topic.id or 0 for topic in made]


async def test_resident_suggests_from_the_station_card(
    resident: ChatUser, sqlite_db: Database
) -> None:
    await resident.send("📍 Liaison stations")
    await resident.press(resident.button("Jingde"))
    await resident.press(resident.button("Suggest a topic here"))
    sent = await resident.send("x" * 201)
    assert "too long" in resident.texts(sent)[-1]
    await resident.send("加装<电梯>")
    await resident.tap("Skip")
    review = resident.texts()[-1]
    assert "加装&lt;电梯&gt;" in review and "Jingde" in review and "without your name" in review
    sent = await resident.tap("Send")
    assert "Thank you" in resident.texts(sent)[-1]
    (topic,) = await topics(sqlite_db)
    jingde = await station_named(sqlite_db, "Jingde")
    assert (topic.title, topic.source, topic.station_id) == ("加装<电梯>", "resident", jingde.id)
    assert topic.proposer_kind == "resident"


async def test_resident_suggests_from_the_menu_within_the_daily_limit(
    resident: ChatUser, sqlite_db: Database
) -> None:
    for number in range(3):
        await resident.send("💡 Suggest a topic")
        await resident.tap("Bei'an")
        await resident.send(f"议题{number}")
        await resident.send("说明")
        await resident.tap("Send")
    await resident.send("💡 Suggest a topic")
    sent = await resident.press(forged(resident, "station:999"))
    assert alert(sent) == "This station is not available."
    await resident.tap("Bei'an")
    await resident.send("第四个议题")
    await resident.send("说明")
    sent = await resident.tap("Send")
    assert "3 topics today" in alert(sent)
    # Nothing typed is lost: the review is still there with the title.
    assert resident.button("Send")
    await resident.tap("Title")
    sent = await resident.send("第四个议题（改）")
    assert "第四个议题（改）" in resident.texts(sent)[-1] and "说明" in resident.texts(sent)[-1]
    assert len(await topics(sqlite_db)) == 3


async def test_member_suggests_and_cannot_link_anothers_proposal(
    member: ChatUser, roster: Database
) -> None:
    await member.send("💡 Suggest a topic")
    await member.send("托育服务供给")
    await member.send("0至3岁托育资源不足")
    sent = await member.press(forged(member, "proposal:999"))
    assert alert(sent) == "This topic is not available."
    await member.tap("my own suggestion")
    await member.tap("Send")
    (topic,) = await topics(roster)
    assert (topic.source, topic.proposer_kind, topic.station_id) == ("member", "member", None)


async def test_office_shortlists_plans_and_publishes(
    office: ChatUser, member: ChatUser, roster: Database
) -> None:
    await member.send("💡 Suggest a topic")
    await member.send("托育服务供给")
    await member.tap("Skip")
    await member.tap("my own suggestion")
    await member.tap("Send")
    await office.send("/topics")
    await office.tap("托育服务供给")
    sent = await office.tap("Shortlist")
    assert "Shortlisted" in alert(sent)
    assert len(await outbox(roster, "topic-decided")) == 1
    await office.tap("Put in the plan")
    await office.tap("Education, Science")
    await office.tap("5")
    await office.tap("Thematic")
    await office.tap("Key topic")
    sent = await office.tap("✅ Put in the plan")
    assert "Put in the plan" in alert(sent)
    (topic,) = await topics(roster)
    assert topic.state == TopicState.PLANNED
    await office.tap("Back")
    await office.tap("The plan")
    assert "Key topics 1 of 10" in office.texts()[-1]
    sent = await office.tap("Publish")
    assert "version 1" in alert(sent)
    async with roster.session() as session:
        plan = (await session.execute(select(ConsultationPlan))).scalar_one()
        assert plan.version == 1 and plan.state == "published"
    assert len(await outbox(roster, "plan-published")) == 1  # the one linked member
    sent = await member.send("/plan")
    assert "托育服务供给" in member.texts(sent)[-1]


async def test_over_the_month_limit_is_refused_with_the_limit(
    office: ChatUser, roster: Database
) -> None:
    first, second, third = await hand_topics(roster, "甲", "乙", "丙")
    rules = RuleBook().for_year(NOW.year)
    async with roster.session() as session, write_transaction(session):
        committee = (await session.execute(select(SpecialCommittee.id))).scalars().first()
        for topic_id in (first, second):
            await add_to_plan(
                session,
                scope=ADMIN,
                topic_id=topic_id,
                choice=PlanChoice(committee or 0, 3, "thematic"),
                rules=rules,
                actor=Actor.cli(),
                now=NOW,
            )
    await office.send("/topics")
    await office.tap("shortlisted")
    await office.tap("丙")
    await office.tap("Put in the plan")
    await office.tap("Economic")
    await office.tap("3")
    await office.tap("Sector")
    sent = await office.tap("✅ Put in the plan")
    assert alert(sent) == (
        "Month 3 already holds 2 consultations, the most the year's rules allow for one month."
    )
    # The choices are kept: another month goes through.
    async with roster.session() as session:
        assert (await session.get(Topic, third)).state == TopicState.SHORTLISTED  # type: ignore[union-attr]


async def test_forged_topic_ids_are_refused(
    office: ChatUser, resident: ChatUser, roster: Database, dispatcher: Dispatcher, bot: Bot
) -> None:
    (secret,) = await hand_topics(roster, "机关议题")
    jingde = await station_named(roster, "Jingde")
    async with roster.session() as session:
        staff = await add_staff(
            session, name="李站长", role=StaffRole.STATION, now=NOW, station_ids=[jingde.id or 0]
        )
        identity = await touch_identity(
            session, channel="telegram", chat_id=8101, chat_type="private", now=NOW
        )
        async with write_transaction(session):
            await bind_staff(session, staff_id=staff.id or 0, identity=identity, now=NOW)
    station_staff = ChatUser(dispatcher, bot, user_id=8101)
    await station_staff.send("/topics")
    assert "机关议题" not in str(station_staff.inline_buttons())
    sent = await station_staff.press(forged(station_staff, f"topic:{secret}"))
    assert alert(sent) == "This topic is not available."
    # A resident has no desk: /topics is not theirs, and a forged press on their own card fails.
    await resident.send("💡 Suggest a topic")
    sent = await resident.press(forged(resident, f"topic:{secret}"))
    assert alert(sent) == "This button is not valid."
    # A resident's suggestion at Jingde is theirs to read, not to decide.
    await resident.send("📍 Liaison stations")
    await resident.press(resident.button("Jingde"))
    await resident.press(resident.button("Suggest a topic here"))
    await resident.send("街道路灯")
    await resident.tap("Skip")
    await resident.tap("Send")
    await station_staff.send("/topics")
    await station_staff.tap("街道路灯")
    assert "Shortlist" not in str(station_staff.inline_buttons())
    sent = await station_staff.press(forged(station_staff, "shortlist"))
    assert alert(sent) == "Only the office's administrators decide on topics and the plan."
    states = {topic.title: topic.state for topic in await topics(roster)}
    assert states == {"机关议题": TopicState.SHORTLISTED, "街道路灯": TopicState.SUGGESTED}


async def test_office_declines_with_a_reason_and_filters_by_source(
    office: ChatUser, resident: ChatUser, member: ChatUser, roster: Database
) -> None:
    sent = await member.send("/plan")
    assert "not published yet" in member.texts(sent)[-1]
    await resident.send("💡 Suggest a topic")
    await resident.tap("Bei'an")
    await resident.send("广场舞噪音")
    await resident.tap("Skip")
    await resident.tap("Send")
    await member.send("💡 Suggest a topic")
    await member.send("托育服务供给")
    await member.tap("Skip")
    await member.tap("my own suggestion")
    await member.tap("Send")
    await office.send("/topics")
    await office.tap("a member's suggestion")
    buttons = str(office.inline_buttons())
    assert "托育服务供给" in buttons and "广场舞噪音" not in buttons
    await office.tap("all sources")
    await office.tap("广场舞噪音")
    await office.tap("Decline")
    sent = await office.send("   ")
    assert "give the reason" in office.texts(sent)[-1]
    await office.send("已作为个案<转交>街道办理")
    assert "declined" in office.texts()[-1]
    (row,) = await outbox(roster, "topic-decided")
    assert "&lt;转交&gt;" in row.payload and row.chat_id == resident.chat.id
    # A declined topic offers no decision any more.
    await office.tap("Back")
    await office.tap("declined")
    await office.tap("广场舞噪音")
    assert "Shortlist" not in str(office.inline_buttons())


async def test_a_stale_shortlist_press_is_refused(
    office: ChatUser, resident: ChatUser, roster: Database
) -> None:
    await resident.send("💡 Suggest a topic")
    await resident.tap("Bei'an")
    await resident.send("公交线路")
    await resident.tap("Skip")
    await resident.tap("Send")
    await office.send("/topics")
    await office.tap("公交线路")
    stale = office.button("Shortlist")
    (topic,) = await topics(roster)
    async with roster.session() as session, write_transaction(session):
        await decline_topic(
            session,
            scope=ADMIN,
            topic_id=topic.id or 0,
            reason="另一位管理员已处理",
            actor=Actor.cli(),
            notifier=notifier(),
            now=NOW,
        )
    sent = await office.press(stale)
    assert alert(sent) == "This topic has changed meanwhile; here it is as it stands now."
    assert (await topics(roster))[0].state == TopicState.DECLINED
