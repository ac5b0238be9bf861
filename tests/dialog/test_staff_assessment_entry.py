"""An administrator records a staff entry in the chat; wrong input and forged buttons refused."""

from __future__ import annotations

from aiogram.methods import AnswerCallbackQuery
from sqlalchemy import select

from storage.db import Database
from storage.models import AssessmentEntry, AuditEntry
from tests.dialog.test_meeting_materials import bot  # noqa: F401 - a bot that serves downloads
from tests.support.chat import ChatUser
from tests.unit.test_audiences import station_staff


def answer(sent: list[object]) -> str:
    return str([r for r in sent if isinstance(r, AnswerCallbackQuery)][-1].text)


def forged(data: str, item: str) -> str:
    return f"{data.rsplit(':', 1)[0]}:{item}"


async def test_an_admin_records_a_speech(office: ChatUser, roster: Database) -> None:
    sent = await office.send("/entry")
    assert "Whose record?" in office.texts(sent)[-1]
    sent = await office.send("M404")
    assert "No member matches" in office.texts(sent)[-1]
    await office.send("M001")
    item_button = office.button("M18")
    sent = await office.press(forged(item_button, "M01"))
    assert answer(sent) == "This button is not valid."
    await office.press(item_button)
    sent = await office.send("oral")
    assert "choose with the buttons" in office.texts(sent)[-1]
    await office.press(office.button("oral · 6"))
    sent = await office.send("2025-12-01")
    assert "not after today" in office.texts(sent)[-1]
    await office.send("2026-03-05")
    sent = await office.send("长" * 201)
    assert "longer than 200" in office.texts(sent)[-1]
    await office.send("全会大会发言")
    sent = await office.sticker()
    assert "send a photo or a document" in office.texts(sent)[-1]
    sent = await office.send("会议纪要第3页")
    review = office.texts(sent)[-1]
    assert "M001 张建华" in review and "全会大会发言" in review and "oral" in review
    sent = await office.press(office.button("Save"))
    assert "now has 6 points on M18" in office.texts(sent)[-1]
    async with roster.session() as session:
        entry = (await session.execute(select(AssessmentEntry))).scalar_one()
        assert (entry.item_code, entry.level, entry.channel) == ("M18", "oral", "chat")
        assert entry.recorded_by_staff_id is not None
        logged = await session.execute(
            select(AuditEntry).where(AuditEntry.action == "assessment.entry.add")
        )
        assert logged.scalar_one().actor_kind == "staff"


async def test_a_sector_entry_without_levels(office: ChatUser, roster: Database) -> None:
    await office.send("/entry")
    await office.press(office.button("A sector"))
    await office.press(office.button("China National Democratic"))
    await office.press(office.button("S05"))
    await office.send("2026-06-01")
    await office.send("界别视察")
    sent = await office.photo()
    assert "Evidence file: attached" in office.texts(sent)[-1]
    sent = await office.press(office.button("Save"))
    assert "now has 3 points on S05" in office.texts(sent)[-1]
    async with roster.session() as session:
        entry = (await session.execute(select(AssessmentEntry))).scalar_one()
        assert entry.evidence_file_key and entry.sector_id is not None


async def test_skip_and_discard(office: ChatUser, roster: Database) -> None:
    await office.send("/entry")
    await office.send("张建华")
    await office.press(office.button("M20"))
    await office.press(office.button("turned into policy"))
    await office.send("2026-06-01")
    await office.send("建议被采纳")
    sent = await office.send("⏭ Skip")
    assert "Check the entry" in office.texts(sent)[-1]
    sent = await office.press(office.button("Discard"))
    assert "Nothing was saved." in office.texts(sent)[-1]
    async with roster.session() as session:
        assert (await session.execute(select(AssessmentEntry))).first() is None


async def test_station_staff_are_refused(roster: Database, office: ChatUser) -> None:
    await station_staff(roster, 8002, "jf-beian")
    station = ChatUser(office.dp, office.bot, user_id=8002)
    sent = await station.send("/entry")
    assert "for the committee office's administrators" in station.texts(sent)[-1]
