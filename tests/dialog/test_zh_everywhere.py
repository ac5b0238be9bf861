"""Every message and keyboard of every persona's flows, in a Chinese chat, reads as Chinese.

Each test drives one persona through its flows in zh_CN (with the English labels of the
shared flow helpers, translated by ``ZhChatUser``), gathers what the chats were shown (texts,
captions, buttons, alerts, queued notices) and fails on any Latin word past the allowlist of
``tests.support.latin``; and on too little shown, so it cannot pass by running nothing.
"""

from __future__ import annotations

import datetime as dt

from aiogram import Bot, Dispatcher
from sqlalchemy import select, update
from sqlmodel import col

from bot.app import AppContext
from storage.db import Database, write_transaction
from storage.models import Issue, Meeting, SpecialCommittee
from tests.dialog.conftest import invitation, link_office
from tests.dialog.test_year_reports import ranked_roster
from tests.support.assessment_ledger import entry, meeting, rebuild
from tests.support.flows import submit_report, write_report_until_review
from tests.support.members import NOW
from tests.support.notices import outbox
from tests.support.zh_chat import Shown, ZhChatUser, row_button

DESCRIPTION = "小区三号门每天晚上都有车辆占用消防通道，存在安全隐患。"


async def zh_member(db: Database, dp: Dispatcher, bot: Bot, code: str, user_id: int) -> ZhChatUser:
    user = ZhChatUser(dp, bot, user_id=user_id)
    await user.send(f"/start inv-{await invitation(db, code)}")
    return user


async def zh_office(db: Database, dp: Dispatcher, bot: Bot) -> ZhChatUser:
    await link_office(db, 8001)
    return ZhChatUser(dp, bot, user_id=8001)


async def reload_by_number(db: Database, number: str) -> Issue:
    async with db.session() as session:
        found = await session.execute(select(Issue).where(col(Issue.number) == number))
        return found.scalar_one()


async def shown(db: Database, *users: ZhChatUser) -> Shown:
    seen = Shown()
    seen.requests(users[0].session.requests, {user.user.id for user in users})
    seen.outbox(await outbox(db))
    seen.typed_by(*users)
    return seen


async def test_the_residents_flows(dispatcher: Dispatcher, bot: Bot, sqlite_db: Database) -> None:
    resident = ZhChatUser(dispatcher, bot, user_id=2001)
    await resident.send("/start")
    await resident.send("❓ Help")
    await resident.send("/help")
    await resident.send("📍 Liaison stations")
    await resident.tap("Bei'an")
    await resident.send("📋 My issues")
    # the report: every step, photos, a place, the phone, the review and its edits
    await write_report_until_review(
        resident,
        description=DESCRIPTION,
        photos=2,
        location=(38.4901, 106.2421),
        phone="+86 138 0013 8000",
    )
    for part in ("Description", "Category", "Contact"):
        await resident.tap(part)
        await resident.send("/cancel") if part == "Description" else None
    await write_report_until_review(resident, description=DESCRIPTION)
    await resident.tap("Submit")
    number = await submit_report(resident, description=DESCRIPTION)
    await resident.send("📋 My issues")
    await resident.tap(number)
    await resident.send("/language")
    await resident.send("/nonsense")
    seen = await shown(sqlite_db, resident)
    seen.check(at_least=40)


async def test_the_members_flows(roster: Database, dispatcher: Dispatcher, bot: Bot) -> None:
    member = await zh_member(roster, dispatcher, bot, "M001", 7001)
    await member.send("/start")
    await member.send("/help")
    # the activity log, every step, a refusal or two on the way
    await member.send("🗓 Log an activity")
    await member.tap("Forum with sector group people")
    await member.send("昨天下午")
    await member.tap("Yesterday")
    await member.tap("My sector")
    await member.send("很多")
    await member.send("12")
    await member.tap("王丽")
    await member.tap("Done")
    await member.tap("Jingde")
    await member.send("短")
    await member.send("与教师座谈课后托管和作业负担问题，收集到六条意见。")
    await member.document("application/pdf")
    await member.photo("act-1")
    await member.send("✅ Done")
    await member.tap("People")
    await member.send("15")
    await member.tap("Save")
    await member.send("📊 My progress")
    await member.send("🗂 My activities")
    await member.tap("2026-11-19")
    await member.tap("Edit")
    await member.tap("Summary")
    await member.send("与教师座谈，学校同意延长图书馆开放时间。")
    await member.tap("Save the changes")
    await member.tap("Delete")
    await member.send("/log 2026-11-20 12 与教师座谈课后托管")
    await member.send("📅 Meetings")
    await member.send("/nonsense")
    seen = await shown(roster, member)
    seen.check(at_least=40)


async def test_the_staff_and_assignee_desks(
    roster: Database, dispatcher: Dispatcher, bot: Bot
) -> None:
    office = await zh_office(roster, dispatcher, bot)
    holder = await zh_member(roster, dispatcher, bot, "M002", 7002)
    resident = ZhChatUser(dispatcher, bot, user_id=2001)
    first = await submit_report(resident, description=DESCRIPTION)
    number = await submit_report(resident, description=DESCRIPTION + "夜间尤其严重。")
    await office.send("/start")
    await office.send("📥 Case queue")
    await office.tap("All stations")
    await office.tap(number)
    await office.tap("Accept")
    await office.tap("Assign")
    await office.tap("A member")
    await office.tap("李文静")
    await office.tap("Default")
    # the assignee: welcome, the card, a note, an extension, the answer
    await holder.send("/start")
    await holder.press(row_button((await outbox(roster, "case-assigned"))[-1], "Open the case"))
    await holder.tap("Note")
    await holder.send("已电话联系物业公司。")
    await holder.tap("Reply to the resident")
    await holder.send("我们已请物业在消防通道划线并安排夜间巡查。")
    await holder.tap("Rewrite")
    await holder.send("物业已在消防通道划线，并安排夜间巡查。")
    await holder.tap("Send to the resident")
    await holder.send("📨 Assigned cases")
    await holder.tap("Write a social-conditions report")
    await holder.tap("Next")
    await holder.tap(number)
    await holder.tap("Next")
    await holder.send("老旧小区消防通道")
    await holder.send("老旧小区的消防通道每天晚上都被车辆占用。")
    await holder.tap("Send to staff")
    # the resident rates it and reopens it
    replies = await outbox(roster, "case-reply")
    await resident.press(row_button(replies[-1], "Rate the answer"))
    await resident.tap("★★☆☆☆")
    await resident.tap("No, not solved")
    await resident.send("车辆仍然每天晚上停在那里。")
    assert (await reload_by_number(roster, number)).status == "reopened"
    # back at the desk: resolve, merge
    await office.send("📥 Case queue")
    await office.tap("All stations")
    await office.tap(number)
    await office.tap("Resolve")
    await office.tap("Back to the case")
    await office.tap("Duplicate")
    await office.send("2026-999999")
    await office.send(first)
    await office.tap("Back to the case")
    await office.tap("Reply")
    await office.tap("问题已解决")
    await office.tap("Send to the resident")
    # reports and stats
    await office.send("📈 Reports")
    await office.tap("Cases by station")
    await office.tap("Quarter minimums")
    await office.send("/nonsense")
    seen = await shown(roster, office, holder, resident)
    seen.check(at_least=60)


async def test_meetings_broadcasts_and_errors(
    roster: Database, dispatcher: Dispatcher, bot: Bot
) -> None:
    office = await zh_office(roster, dispatcher, bot)
    member = await zh_member(roster, dispatcher, bot, "M001", 7001)
    other = await zh_member(roster, dispatcher, bot, "M002", 7002)
    # a meeting, its invitations, an RSVP and a leave decided
    await office.send("➕ New meeting")
    await office.tap("Bimonthly consultation")
    await office.send("老旧小区养老服务协商")
    await office.send("yesterday 10:00")
    await office.send("2026-11-27 14:30")
    await office.send("14:00")
    await office.send("17:00")
    await office.send("政协会议厅三楼")
    await office.tap("All members")
    await office.send("⏭ Skip")
    await office.send("⏭ Skip")
    await office.tap("Create and invite")
    by_chat = {}
    for row in await outbox(roster, "meeting-invitation"):
        by_chat[row.identity_id] = row
    rows = list(by_chat.values())
    await member.press(row_button(rows[0], "I will attend"))
    await other.press(row_button(rows[1], "Ask for leave"))
    await other.send("当天在医院值夜班")
    [request] = await outbox(roster, "meeting-leave-request")
    await office.press(row_button(request, "Approve"))
    await office.send("📅 Meetings")
    await office.tap("养老")
    await member.send("📅 Meetings")
    # a broadcast, composed, reviewed and sent
    await office.send("📣 Broadcast")
    await office.tap("By sector")
    await office.tap("Education")
    await office.send("x" * 4097)
    await office.send("请各位委员本周五前提交季度履职情况。")
    await office.send("⏭ Skip")
    await office.tap("Send now")
    # errors: forged buttons, stale cards, wrong media, over-long text
    await member.press("mt:view:4242")
    await member.press("is:view:4242")
    await member.sticker()
    await member.send("/nonsense")
    seen = await shown(roster, office, member, other)
    seen.check(at_least=60)


async def test_the_record_corrections_and_yearly_reports(
    app: AppContext, roster: Database, dispatcher: Dispatcher, bot: Bot
) -> None:
    app.settings = app.settings.model_copy(update={"public_url": "https://liaison.example.org"})
    ids = await ranked_roster(roster)
    before = NOW - dt.timedelta(days=12)
    meeting_id = await meeting(
        roster,
        "bimonthly",
        {ids["M001"]: ("attending", before, True), ids["M002"]: ("leave_approved", before, False)},
    )
    async with roster.session() as session, write_transaction(session):
        await session.execute(
            update(Meeting).where(col(Meeting.id) == meeting_id).values(title="养老服务协商")
        )
    await entry(roster, "M18", member_id=ids["M001"], level="oral")
    await rebuild(roster)
    member = await zh_member(roster, dispatcher, bot, "M001", 7001)
    office = await zh_office(roster, dispatcher, bot)
    await office.send("/start")  # the office's language is known before notices are queued
    # the member's record: the year, an item's lines, one line, a correction, a missing item
    await member.send("📁 My record")
    await member.tap("Printable record")
    await member.tap("Items and lines")
    await member.tap("·")
    await member.tap("·")
    await member.tap("Ask for a correction")
    await member.send("我做了两次发言，不是一次。")
    await member.tap("Send")
    await member.tap("Back to the lines")
    await member.tap("Something is missing")
    await member.send("六月的调研报告没有列入。")
    await member.tap("Send")
    await member.tap("Back to items")
    await member.tap("Back")
    await member.tap("Past years")
    # the office: the queue and a request's card, a member's record, the yearly reports
    await office.send("/corrections")
    await office.tap("张建华")
    await office.send("/record M001")
    await office.tap("Items and lines")
    await office.tap("·")
    await office.send("📈 Reports")
    await office.tap("Attendance this year")
    await office.tap("The workbook")
    await office.send("📈 Reports")
    await office.tap("Assessment standings")
    await office.tap("More")
    await office.tap("The workbook")
    await office.tap("Past years")
    # the year's steps: close, recommend, decide, publish (the notices read as Chinese too)
    async with roster.session() as session:
        committee = (await session.execute(select(SpecialCommittee))).scalars().first()
        assert committee is not None
        committee_name = committee.name_zh
    await office.tap("◀ Back")
    await office.tap("⚙ The year's steps")
    await office.tap("🔒 Close the year")
    await office.tap("✅ Close the year")
    await office.tap("🏅 Recommend")
    await office.tap(committee_name)
    await office.tap("M001")
    await office.tap("✅ Save the recommendation")
    await office.tap("⚖ Decide")
    await office.tap("M001")
    await office.tap("✅ Save the decision")
    await office.tap("📣 Publish")
    await office.tap("📣 Publish")
    assert await outbox(roster, "assessment-published")
    seen = await shown(roster, office, member)
    seen.check(at_least=30)
