"""The resident's report, from /start to the case number, and everything that can go wrong."""

from __future__ import annotations

import re

from aiogram import Bot
from aiogram.methods import SendMessage
from aiogram.types import ReplyKeyboardMarkup
from sqlalchemy import func, select

from bot.app import AppContext, build_dispatcher
from storage.db import Database
from storage.models import Attachment, Issue, IssueEvent
from tests.support.chat import ChatUser
from tests.support.flows import CASE_NUMBER, submit_report, write_report_until_review


async def count_issues(db: Database) -> int:
    async with db.session() as session:
        return int((await session.execute(select(func.count()).select_from(Issue))).scalar_one())


async def test_start_greets_and_shows_the_menu(resident: ChatUser) -> None:
    sent = await resident.send("/start")
    assert len(sent) == 1 and isinstance(sent[0], SendMessage)
    assert "Welcome" in sent[0].text
    markup = sent[0].reply_markup
    assert isinstance(markup, ReplyKeyboardMarkup)
    labels = [button.text for row in markup.keyboard for button in row]
    assert labels == [
        "📝 Report an issue",
        "📋 My issues",
        "📍 Liaison stations",
        "❓ Help",
        "💡 Suggest a topic",
    ]


async def test_whole_report_is_stored_with_photos_location_and_consented_phone(
    resident: ChatUser, sqlite_db: Database
) -> None:
    number = await submit_report(
        resident, photos=2, location=(38.4901, 106.2421), phone="+86 138 0013 8000"
    )
    assert re.fullmatch(r"2026-\d{6}", number)
    async with sqlite_db.session() as session:
        issue = (await session.execute(select(Issue).where(Issue.number == number))).scalar_one()
        photos = (
            (await session.execute(select(Attachment).where(Attachment.issue_id == issue.id)))
            .scalars()
            .all()
        )
        events = (
            (await session.execute(select(IssueEvent).where(IssueEvent.issue_id == issue.id)))
            .scalars()
            .all()
        )
    assert issue.status == "new"
    assert issue.description.startswith("Cars block the fire lane")
    assert (issue.latitude, issue.longitude) == (38.4901, 106.2421)
    assert issue.contact_phone == "+8613800138000" and issue.contact_consent_at is not None
    assert not issue.anonymous
    assert [p.file_id for p in photos] == ["photo-0", "photo-1"]
    assert [e.kind for e in events] == ["submitted"]
    assert number in resident.texts()[-1] and "Every case gets an answer" in resident.texts()[-1]


async def test_anonymous_report_without_photos_or_location(
    resident: ChatUser, sqlite_db: Database
) -> None:
    number = await submit_report(resident)
    async with sqlite_db.session() as session:
        issue = (await session.execute(select(Issue).where(Issue.number == number))).scalar_one()
    assert issue.anonymous and issue.contact_phone is None and issue.latitude is None


async def test_case_numbers_count_up(resident: ChatUser, other_resident: ChatUser) -> None:
    first = await submit_report(resident)
    # Another problem: the same words would be offered the first case to follow instead.
    second = await submit_report(
        other_resident, description="Shared bikes pile up on the pavement outside the metro exit."
    )
    assert int(second.split("-")[1]) == int(first.split("-")[1]) + 1


async def test_report_in_chinese(dispatcher, bot: Bot) -> None:  # type: ignore[no-untyped-def]
    user = ChatUser(dispatcher, bot, user_id=2001, language_code="zh-hans")
    sent = await user.send("/start")
    assert "欢迎使用政协社情民意联络平台" in user.texts(sent)[0]
    await user.send("📝 反映问题")
    assert "第 1 步" in user.texts()[-1]
    await user.press(user.button("北安社区"))
    await user.press(user.button("停车"))
    await user.send("小区三号门每天晚上都有车辆占用消防通道，存在安全隐患。")
    await user.send("⏭ 跳过")
    await user.send("⏭ 跳过")
    await user.press(user.button("匿名"))
    assert "请核对您的反映内容" in user.texts()[-1]
    sent = await user.press(user.button("提交"))
    assert any("案件编号" in text and CASE_NUMBER.search(text) for text in user.texts(sent))


async def test_cancel_drops_the_draft_at_any_step(resident: ChatUser, sqlite_db: Database) -> None:
    await resident.send("/report")
    await resident.press(resident.button("Bei'an"))
    sent = await resident.send("✖ Cancel")
    assert "discarded" in resident.texts(sent)[0]
    sent = await resident.send("Cars block the fire lane at gate 3 every night.")
    assert "menu" in resident.texts(sent)[0]
    await write_report_until_review(resident)
    sent = await resident.send("/cancel")
    assert "discarded" in resident.texts(sent)[0]
    assert await count_issues(sqlite_db) == 0
    sent = await resident.send("/cancel")
    assert "nothing to cancel" in resident.texts(sent)[0]


async def test_edit_from_the_review(resident: ChatUser, sqlite_db: Database) -> None:
    await write_report_until_review(resident)
    await resident.press(resident.button("Description"))
    sent = await resident.send("The street light at gate 3 has been dark for a week.")
    review = resident.texts(sent)[-1]
    assert "street light" in review and "Please check your report" in review
    await resident.press(resident.button("Category"))
    sent = await resident.press(resident.button("Public facilities"))
    assert "Public facilities" in resident.texts(sent)[-1]
    await resident.press(resident.button("Contact"))
    await resident.press(resident.button("phone number"))
    sent = await resident.send("13900139000")
    assert "13900139000" in resident.texts(sent)[-1]
    await resident.press(resident.button("Station"))
    sent = await resident.press(resident.button("Yuehai"))
    assert "Yuehai" in resident.texts(sent)[-1]
    await resident.press(resident.button("Submit"))
    async with sqlite_db.session() as session:
        issue = (await session.execute(select(Issue))).scalar_one()
    assert issue.description.startswith("The street light")
    assert issue.contact_phone == "13900139000"


async def test_photos_can_be_removed_in_the_edit(resident: ChatUser, sqlite_db: Database) -> None:
    await write_report_until_review(resident, photos=2)
    await resident.press(resident.button("Photos"))
    sent = await resident.send("🗑 Remove the photos")
    assert "removed" in resident.texts(sent)[0]
    await resident.photo("new-photo")
    sent = await resident.send("✅ Done")
    assert "Photos: 1" in resident.texts(sent)[-1]
    await resident.press(resident.button("Submit"))
    async with sqlite_db.session() as session:
        files = (await session.execute(select(Attachment.file_id))).scalars().all()
    assert files == ["new-photo"]


async def test_half_written_report_survives_a_restart(
    app: AppContext, bot: Bot, sqlite_db: Database
) -> None:
    first = ChatUser(build_dispatcher(app), bot, user_id=3001)
    await first.send("/report")
    await first.press(first.button("Bei'an"))
    await first.press(first.button("Parking"))
    # A new process: a new Dispatcher and FSM storage over the same database.
    second = ChatUser(build_dispatcher(app), bot, user_id=3001)
    sent = await second.send("Cars block the fire lane at gate 3 every night after 8 pm.")
    assert "Step 4 of 6" in second.texts(sent)[0]
    await second.send("⏭ Skip")
    await second.send("⏭ Skip")
    await second.press(second.button("anonymous"))
    third = ChatUser(build_dispatcher(app), bot, user_id=3001)
    sent = await third.press(second.button("Submit"))
    assert any(CASE_NUMBER.search(text) for text in third.texts(sent))
    assert await count_issues(sqlite_db) == 1


async def test_start_during_a_report_offers_to_resume(resident: ChatUser) -> None:
    await resident.send("/report")
    await resident.press(resident.button("Bei'an"))
    sent = await resident.send("/start")
    assert "not sent yet" in resident.texts(sent)[-1]
    sent = await resident.press(resident.button("Continue"))
    assert "Step 2 of 6" in resident.texts(sent)[-1]


async def test_menu_detour_keeps_the_draft(resident: ChatUser) -> None:
    await resident.send("/report")
    await resident.press(resident.button("Bei'an"))
    await resident.press(resident.button("Parking"))
    sent = await resident.send("📋 My issues")
    texts = resident.texts(sent)
    assert "not reported anything" in texts[0]
    assert "unfinished report is kept" in texts[1] and "Step 3 of 6" in texts[2]
    sent = await resident.send("Cars block the fire lane at gate 3 every night after 8 pm.")
    assert "Step 4 of 6" in resident.texts(sent)[0]


async def test_station_qr_deep_link_preselects_the_station(resident: ChatUser) -> None:
    sent = await resident.send("/start st-jf-beian")
    texts = resident.texts(sent)
    assert "Bei'an Community Liaison Station" in texts[1] and "QR code" in texts[1]
    assert "Step 2 of 6" in texts[2]
    await resident.press(resident.button("Parking"))
    await resident.send("Cars block the fire lane at gate 3 every night after 8 pm.")
    await resident.send("⏭ Skip")
    await resident.send("⏭ Skip")
    sent = await resident.press(resident.button("anonymous"))
    assert "Station: Bei'an Community Liaison Station" in resident.texts(sent)[-1]


async def test_a_station_qr_in_the_middle_of_a_report_keeps_the_draft(resident: ChatUser) -> None:
    await resident.send("/report")
    await resident.press(resident.button("Bei'an"))
    await resident.press(resident.button("Parking"))
    await resident.send("Cars block the fire lane at gate 3 every night after 8 pm.")
    sent = await resident.send("/start st-xq-jingde")  # scanned at another station
    texts = resident.texts(sent)
    assert "continues, now at <b>Jingde" in texts[0]
    assert "Step 4 of 6" in texts[-1]  # still at the photos, the description kept
    await resident.send("⏭ Skip")
    await resident.send("⏭ Skip")
    sent = await resident.press(resident.button("anonymous"))
    review = resident.texts(sent)[-1]
    assert "Station: Jingde" in review and "fire lane at gate 3" in review


async def test_unknown_station_code_falls_back_to_the_list(resident: ChatUser) -> None:
    sent = await resident.send("/start st-nowhere")
    texts = resident.texts(sent)
    assert "does not match any liaison station" in texts[0]
    assert "Step 1 of 6" in texts[-1]


async def test_nearest_station_by_location(resident: ChatUser) -> None:
    await resident.send("/report")
    await resident.press(resident.button("nearest"))
    sent = await resident.location(38.4899, 106.2419)
    assert "nearest stations" in resident.texts(sent)[0]
    buttons = resident.inline_buttons()
    assert "Bei'an" in buttons[0][0] and "km" in buttons[0][0]
    sent = await resident.press(buttons[0][1])
    assert "Step 2 of 6" in resident.texts(sent)[-1]


async def test_language_switch(resident: ChatUser) -> None:
    await resident.send("/language")
    sent = await resident.press(resident.button("中文"))
    assert resident.texts(sent) == ["语言已设为中文。"]
    sent = await resident.send("/start")
    assert "欢迎" in resident.texts(sent)[0]
    await resident.send("/language")
    sent = await resident.press(resident.button("English"))
    assert resident.texts(sent) == ["Language set: English."]


async def test_help_lists_the_commands(resident: ChatUser) -> None:
    sent = await resident.send("❓ Help")
    assert "/report" in resident.texts(sent)[0] and "Privacy" in resident.texts(sent)[0]


async def test_stations_directory(resident: ChatUser) -> None:
    await resident.send("📍 Liaison stations")
    sent = await resident.press(resident.button("Jingde"))
    assert "Address: Jingde Street Community Service Centre" in resident.texts(sent)[0]
    sent = await resident.press(resident.button("map"))
    assert sent[-1].__api_method__ == "sendLocation"
    sent = await resident.press(resident.button("Report an issue here"))
    assert "Jingde" in resident.texts(sent)[1] and "Step 2 of 6" in resident.texts(sent)[2]
    # Chosen from the list, not scanned: the station line says no more than its name.
    assert "QR code" not in resident.texts(sent)[1]
