"""🖨 Printable record, "something is missing", and /record CODE as a read-only record.

The printable link names the chat's own member (or the record the administrator opened),
never a member from a button; without a public address the chat says the link cannot be made.
"""

from __future__ import annotations

import re
from typing import Any

from aiogram.methods import AnswerCallbackQuery, SendMessage
from sqlalchemy import select

from bot.app import AppContext
from bot.archive_routes import read_token
from bot.channels.webchat import web_secret
from storage.db import Database
from storage.models import AssessmentCorrection
from tests.support.assessment_ledger import YEAR, entry, rebuild
from tests.support.chat import ChatUser, forged
from tests.support.members import NOW, member_by_code

PUBLIC = "https://liaison.example.org"


def alerts(sent: list[Any]) -> list[str]:
    return [str(r.text) for r in sent if isinstance(r, AnswerCallbackQuery) and r.text]


def link_in(sent: list[Any]) -> str:
    found = [
        m.group(0)
        for r in sent
        if isinstance(r, SendMessage)
        for m in [re.search(PUBLIC + r"/archive/\S+", str(r.text))]
        if m
    ]
    assert len(found) == 1, sent
    return found[0]


async def lines_for(db: Database, code: str) -> int:
    member = await member_by_code(db, code)
    await entry(db, "M18", member_id=member.id, level="oral")
    await rebuild(db)
    return member.id or 0


def with_public_url(app: AppContext) -> None:
    app.settings = app.settings.model_copy(update={"public_url": PUBLIC})


async def test_printable_needs_a_public_address(roster: Database, member: ChatUser) -> None:
    await lines_for(roster, "M001")
    await member.send("📁 My record")
    sent = await member.press(member.button("Printable record"))
    [text] = alerts(sent)
    assert "LIAISON_PUBLIC_URL" in text and "not set" in text
    assert not [r for r in sent if isinstance(r, SendMessage)]


async def test_members_link_is_their_own_even_when_forged(
    app: AppContext, roster: Database, member: ChatUser, second_member: ChatUser
) -> None:
    with_public_url(app)
    own = await lines_for(roster, "M001")
    other = await lines_for(roster, "M002")
    await member.send("📁 My record")
    sent = await member.press(member.button("Printable record"))
    link = link_in(sent)
    assert "until" in " ".join(member.texts(sent))
    ticket = read_token(web_secret(app.settings), link.rsplit("/", 1)[1], now=NOW)
    assert (ticket.member_id, ticket.year) == (own, YEAR)
    # A forger naming the other member's id in the button data still gets no link to it.
    sent = await member.press(forged(member, f"print:{other}"))
    assert "/archive/" not in " ".join(member.texts(sent))
    # Nor does the member's own button, pressed again, ever name anyone else.
    token = link_in(await member.press(member.button("Printable record"))).rsplit("/", 1)[1]
    assert read_token(web_secret(app.settings), token, now=NOW).member_id == own


async def test_something_is_missing_on_an_item(roster: Database, member: ChatUser) -> None:
    await lines_for(roster, "M001")
    await member.send("📁 My record")
    await member.press(member.button("Items and lines"))
    await member.press(member.button("·"))
    sent = await member.press(member.button("Something is missing"))
    assert "What is missing from this item?" in member.texts(sent)[-1]
    sent = await member.send("The second speech in June is not listed.")
    card = member.texts(sent)[-1]
    assert "Something is missing from this item." in card and "second speech" in card
    sent = await member.press(member.button("Send"))
    assert "Sent to the office." in alerts(sent)
    assert "Something is missing" not in " ".join(t for t, _d in member.inline_buttons())
    async with roster.session() as session:
        [stored] = (await session.execute(select(AssessmentCorrection))).scalars().all()
    assert (stored.line_id, stored.item_code, stored.state) == (None, "M18", "pending")
    # The hidden button pressed anyway (a replay) asks nothing twice.
    sent = await member.press(forged(member, "missing"))
    assert alerts(sent) == ["This button is not valid."]


async def test_staff_record_reads_items_and_lines(
    app: AppContext, roster: Database, office: ChatUser
) -> None:
    with_public_url(app)
    member_id = await lines_for(roster, "M001")
    sent = await office.send("/record M001")
    assert f"My record</b> · 张建华 · {YEAR}" in office.texts(sent)[-1]
    sent = await office.press(office.button("Printable record"))
    token = link_in(sent).rsplit("/", 1)[1]
    assert read_token(web_secret(app.settings), token, now=NOW).member_id == member_id
    await office.press(office.button("Items and lines"))
    sent = await office.press(forged(office, "item:M01"))
    assert alerts(sent) == ["This button is not valid."]
    sent = await office.press(office.button("·"))
    text = office.texts(sent)[-1]
    assert "张建华" in text and "office entry “Entry”" in text
    labels = " ".join(t for t, _d in office.inline_buttons())
    assert "correction" not in labels and "missing" not in labels


async def test_stale_record_card_is_refused(roster: Database, office: ChatUser) -> None:
    await lines_for(roster, "M001")
    await office.send("/record M001")
    old_print = office.button("Printable record")
    await office.send("/record M002")
    sent = await office.press(old_print)
    assert alerts(sent) == ["This card is out of date. Here is where you are now."]
    # The card drawn again is the record now open (李文静's), and no link was made.
    assert "李文静" in office.texts(sent)[-1]
    assert "/archive/" not in " ".join(office.texts(sent))


async def test_a_past_years_printable_record(
    app: AppContext, roster: Database, member: ChatUser
) -> None:
    from services.assessment.publication import close_year
    from services.audit import Actor
    from tests.support.assessment_ledger import BOOK, TZ

    with_public_url(app)
    own = await lines_for(roster, "M001")
    async with roster.session() as session:
        await close_year(
            session, year=YEAR, rules=BOOK.for_year(YEAR), actor=Actor.cli(), now=NOW, tz=TZ
        )
    await member.send("📁 My record")
    await member.press(member.button("Past years"))
    sent = await member.press(forged(member, "past_print:2019"))
    assert alerts(sent) == ["This button is not valid."]
    sent = await member.press(member.button(f"🖨 {YEAR}"))
    ticket = read_token(web_secret(app.settings), link_in(sent).rsplit("/", 1)[1], now=NOW)
    assert (ticket.member_id, ticket.year) == (own, YEAR)
