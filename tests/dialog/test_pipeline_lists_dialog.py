"""/lists: an administrator reads the lists, pages departments, gets both workbooks; others not."""

from __future__ import annotations

from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.methods import AnswerCallbackQuery, SendDocument, TelegramMethod
from sqlalchemy import update

from storage.db import Database, write_transaction
from storage.models import Staff
from tests.support.cases import staff_desk
from tests.support.chat import ChatUser, forged
from tests.unit.test_pipeline_lists import a_year

REFUSAL = "The lists of proposals and outcomes are for the committee office's administrators."


def alerts(sent: list[TelegramMethod[Any]]) -> list[str]:
    return [str(r.text) for r in sent if isinstance(r, AnswerCallbackQuery) and r.text]


def documents(sent: list[TelegramMethod[Any]]) -> list[SendDocument]:
    return [r for r in sent if isinstance(r, SendDocument)]


async def test_an_administrator_reads_the_lists(roster: Database, office: ChatUser) -> None:
    await a_year(roster)
    sent = await office.send("/lists")
    card = office.texts(sent)[-1]
    assert "<b>Problem, outcome and satisfaction lists, 2026</b>" in card
    assert "Problem list: 6 suggestions formed" in card
    assert "Outcome list: 3 suggestions answered" in card
    sent = await office.press(office.button("Last quarter"))
    card = office.texts(sent)[-1]
    assert "lists, 2026 Q3" in card and "Outcome list: 2 suggestions answered" in card
    sent = await office.press(office.button("Adoption by department"))
    page = office.texts(sent)[-1]
    assert "Adoption by department" in page and "1 answered · 1 adopted" in page
    await office.press(office.button("Lists"))
    sent = await office.press(office.button("Export workbook"))
    [book] = documents(sent)
    assert book.document.filename == "lists-2026-Q3.xlsx"
    sent = await office.press(office.button("Quarterly review report"))
    [review] = documents(sent)
    assert review.document.filename == "review-2026-Q3.xlsx"
    assert "Quarterly review report, 2026 Q3" in str(review.caption)


async def test_forged_and_demoted_presses_are_refused(roster: Database, office: ChatUser) -> None:
    await a_year(roster)
    await office.send("/lists")
    # A page number typed into a button is brought back in range, never an error.
    await office.press(forged(office, "dep_pages:99"))
    sent = await office.press(office.button("Adoption by department"))
    assert "(page 1 of 1)" in office.texts(sent)[-1]
    await office.press(office.button("Lists"))
    # A press from a card of another dialog is refused.
    sent = await office.press("aaaa\x1dexport")
    assert not documents(sent) and alerts(sent)
    export = office.button("Export workbook")
    async with roster.session() as session, write_transaction(session):
        await session.execute(update(Staff).values(role="station"))
    sent = await office.press(export)
    assert not documents(sent)
    assert REFUSAL in alerts(sent)


async def test_station_staff_are_refused(
    roster: Database, dispatcher: Dispatcher, bot: Bot
) -> None:
    await staff_desk(roster, stations=("xq-jingde",), name="敬德站", chat_id=8101)
    station = ChatUser(dispatcher, bot, user_id=8101)
    sent = await station.send("/lists")
    assert station.texts(sent) == [REFUSAL]
