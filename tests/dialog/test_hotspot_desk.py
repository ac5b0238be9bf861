"""📈 Reports → 🔥 Hotspots: the month's list and cards, the workbook, a topic in one tap (once),
station staff scoped to their stations, forged hotspot ids refused."""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

from aiogram import Bot, Dispatcher
from aiogram.methods import AnswerCallbackQuery, SendDocument
from sqlalchemy import func, insert, select

from services.audit import Actor
from services.demo.hotline_texts import PROBLEMS, compose
from services.hotspots.engine import run_month
from storage.db import Database
from storage.models import HotlineRecord, Hotspot, Topic, TopicLink
from tests.support.cases import staff_desk
from tests.support.chat import ChatUser, forged

TZ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)
# Bei'an's coordinates: the zombie cars are reported around the station.
BEIAN = (38.49, 106.242)


def alerts(sent: list[object]) -> list[str]:
    return [str(r.text) for r in sent if isinstance(r, AnswerCallbackQuery) and r.text]


async def seed_hotspots(db: Database) -> dict[str, int]:
    """Two hotspots of November: zombie cars at Bei'an (located) and Jingde's fire lane."""
    rng = random.Random(3)
    rows = []
    for key, located in (("zombie-cars", True), ("fire-lane", False)):
        problem = next(p for p in PROBLEMS if p.key == key)
        for n in range(5):
            rows.append({
                "ticket_id": f"{key}-{n}", "text": compose(problem, rng), "category_text": "",
                "received_at": dt.datetime(2026, 11, 2 + n, 2, tzinfo=dt.UTC),
                "district": problem.area, "address": problem.place, "batch": "test",
                "latitude": BEIAN[0] + n / 10_000 if located else None,
                "longitude": BEIAN[1] if located else None, "imported_at": NOW,
            })  # fmt: skip
    rows[0]["text"] = str(rows[0]["text"]) + "电话13912345678 <b>"
    async with db.writing() as session:
        await session.execute(insert(HotlineRecord), rows)
        await run_month(session, month="2026-11", tz=TZ, now=NOW, actor=Actor.cli())
    async with db.session() as session:
        hotspots = list(await session.scalars(select(Hotspot)))
    return {("zombie" if h.station_id else "fire"): h.id or 0 for h in hotspots}


async def test_admin_reads_the_month_and_makes_one_topic(
    roster: Database, office: ChatUser
) -> None:
    ids = await seed_hotspots(roster)
    assert set(ids) == {"zombie", "fire"}
    await office.send("📈 Reports")
    sent = await office.press(office.button("Hotspots of the month"))
    assert "2 hotspots from 0 cases and 10 hotline records" in office.texts(sent)[-1]
    sent = await office.press(office.button("#1 "))
    card = office.texts(sent)[-1]
    assert "Hotspot #1 of 2026-11" in card and "Examples" in card
    assert "13912345678" not in card and "<b>" not in card.split("Examples")[1]
    topic_button = office.button("Turn into a topic")
    sent = await office.press(topic_button)
    assert any("Topic added" in text for text in alerts(sent))
    assert "💡 Topic:" in office.texts(sent)[-1]
    sent = await office.press(topic_button)
    assert any("already a topic" in text for text in alerts(sent))
    async with roster.session() as session:
        topics = list(await session.scalars(select(Topic)))
        links = await session.scalar(select(func.count()).select_from(TopicLink))
    assert len(topics) == 1 and topics[0].source == "hotspot"
    assert links == 1 + 5  # the hotspot and its five hotline records
    await office.press(office.button("Back"))
    sent = await office.press(office.button("The workbook"))
    assert [r.document.filename for r in sent if isinstance(r, SendDocument)] == [
        "hotspots-2026-11.xlsx"
    ]


async def test_station_staff_see_their_stations_only(
    roster: Database, office: ChatUser, dispatcher: Dispatcher, bot: Bot
) -> None:
    ids = await seed_hotspots(roster)
    await staff_desk(roster, stations=("jf-beian",), name="李站", chat_id=8002)
    station = ChatUser(dispatcher, bot, user_id=8002)
    await station.send("📈 Reports")
    sent = await station.press(station.button("Hotspots of the month"))
    assert "1 hotspots from" in station.texts(sent)[-1]
    assert not [text for text, _ in station.inline_buttons() if "Run again" in text]
    for forged_id in (ids["fire"], 99_999, "x"):
        sent = await station.press(forged(station, f"hotspot:{forged_id}"))
        assert alerts(sent) == ["This button is not valid."]
    sent = await station.press(forged(station, "hs_run"))
    assert alerts(sent) == ["Only the office's administrators can run the hotspots."]
    sent = await station.press(station.button("北安"))
    assert "北安" in station.texts(sent)[-1]
    # The administrator's own list offers the run again.
    await office.send("📈 Reports")
    await office.press(office.button("Hotspots of the month"))
    sent = await office.press(office.button("Run again"))
    assert any("2 hotspots found" in text for text in alerts(sent))
