"""/mydata and /forget on Telegram: the export, the erasure, refusals, starting afresh."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from aiogram import Bot, Dispatcher
from aiogram.methods import AnswerCallbackQuery, SendDocument, TelegramMethod
from aiogram.types import BufferedInputFile, CallbackQuery, Message, Update, User
from aiogram.utils.i18n import I18n
from sqlalchemy import select

from bot.channels.telegram import bot_commands
from handlers.help_texts import help_text
from handlers.resident.privacy import PrivacyCB
from services.clock import ManualClock
from storage.db import Database
from storage.models import ChatIdentity, Issue, IssueEvent, Resident
from tests.support.chat import ChatUser
from tests.support.flows import submit_report, write_report_until_review
from tests.support.state import draft_of
from tests.unit.test_privacy import Needles, add_timeline, leftovers, subscribe_and_queue

CHAT = 987_654_321
PHONE = "13912345678"
DRAFT_PHONE = "13611112222"
OTHER_PHONE = "13700001111"
CASE_AT = (38.123457, 106.654321)
DRAFT_AT = (38.234561, 106.765432)


def answer_of(sent: list[TelegramMethod[Any]]) -> str:
    answers = [r for r in sent if isinstance(r, AnswerCallbackQuery)]
    assert len(answers) == 1, sent
    return str(answers[0].text or "")


def document_of(sent: list[TelegramMethod[Any]]) -> tuple[dict[str, Any], str, str]:
    [request] = [r for r in sent if isinstance(r, SendDocument)]
    assert isinstance(request.document, BufferedInputFile)
    assert re.fullmatch(r"mydata-\d{8}-\d{6}\.json", request.document.filename or "")
    raw = request.document.data.decode("utf-8")
    return json.loads(raw), raw, str(request.caption)


def press_update(user: ChatUser, data: str) -> Update:
    """A button press with a fixed update id, to feed twice."""
    message = Message(
        message_id=1,
        date=dt.datetime.now(dt.UTC),
        chat=user.chat,
        from_user=User(id=user.bot.id, is_bot=True, first_name="Liaison"),
        text="…",
    )
    query = CallbackQuery(
        id="replayed", from_user=user.user, chat_instance="ci", message=message, data=data
    )
    return Update(update_id=900_000_001, callback_query=query)


@pytest.fixture
def me(dispatcher: Dispatcher, bot: Bot) -> ChatUser:
    return ChatUser(dispatcher, bot, user_id=CHAT)


async def ids_of(db: Database, chat_id: int) -> tuple[int | None, int | None]:
    async with db.session() as session:
        identity = (
            await session.execute(select(ChatIdentity).where(ChatIdentity.chat_id == chat_id))
        ).scalar_one_or_none()
        if identity is None:
            return None, None
        resident = (
            await session.execute(select(Resident).where(Resident.identity_id == identity.id))
        ).scalar_one_or_none()
        return identity.id, resident.id if resident else None


@pytest.fixture
def i18n(dispatcher: Dispatcher) -> I18n:
    return dispatcher["app"].i18n  # type: ignore[no-any-return]


def test_help_and_command_menu_list_both_commands(i18n: I18n) -> None:
    with i18n.context(), i18n.use_locale("en"):
        text = help_text()
        commands = [command.command for command in bot_commands()]
    assert "/mydata" in text and "/forget" in text
    assert commands.index("mydata") == commands.index("myissues") + 1
    assert "forget" in commands


async def test_mydata_sends_everything_as_readable_json(
    me: ChatUser, sqlite_db: Database, clock: ManualClock
) -> None:
    number = await submit_report(
        me, photos=1, location=CASE_AT, phone=PHONE, description="楼道灯坏了，晚上看不见台阶。"
    )
    clock.advance(dt.timedelta(minutes=1))
    await write_report_until_review(me, phone=DRAFT_PHONE)
    sent = await me.send("/mydata")
    data, raw, caption = document_of(sent)
    assert "楼道灯坏了" in raw and "\\u" not in raw
    assert "Everything stored about you here" in caption
    assert data["chat"]["chat_id"] == CHAT and data["chat"]["channel"] == "telegram"
    [case] = data["cases"]
    assert case["number"] == number
    assert case["contact_phone"] == PHONE
    assert case["location"] == {"latitude": CASE_AT[0], "longitude": CASE_AT[1]}
    assert case["photos"] == [{"kind": "photo", "channel": "telegram", "file_id": "photo-0"}]
    assert [line["kind"] for line in case["timeline"]] == ["submitted"]
    assert data["unfinished_report"]["contact_phone"] == DRAFT_PHONE
    assert data["unfinished_report"]["station"]["code"] == "jf-beian"
    # The report being written goes on where it was.
    assert "Your unfinished report is kept" in me.texts(sent)[0]
    assert (await draft_of(me))[0] == "ReportForm:review"


async def test_mydata_of_a_new_chat_holds_only_the_chat(me: ChatUser) -> None:
    sent = await me.send("/mydata")
    data, _raw, caption = document_of(sent)
    assert "Nothing is stored about you beyond this chat itself" in caption
    assert data["chat"]["chat_id"] == CHAT
    assert data["cases"] == [] and data["unfinished_report"] is None


async def test_forget_erases_every_trace_and_keeps_anonymous_cases(
    me: ChatUser, other_resident: ChatUser, sqlite_db: Database, clock: ManualClock
) -> None:
    number = await submit_report(me, photos=2, location=CASE_AT, phone=PHONE)
    identity_id, resident_id = await ids_of(sqlite_db, CHAT)
    assert identity_id is not None and resident_id is not None
    async with sqlite_db.session() as session:
        issue = (await session.execute(select(Issue).where(Issue.number == number))).scalar_one()
    await add_timeline(sqlite_db, issue, resident_id)
    await subscribe_and_queue(sqlite_db, identity_id, resident_id, dialog_row=False)
    # Another problem: the same words would be offered the first case to follow instead.
    kept_number = await submit_report(
        other_resident,
        phone=OTHER_PHONE,
        description="Shared bikes pile up on the pavement outside the metro exit.",
    )
    clock.advance(dt.timedelta(minutes=1))
    await write_report_until_review(me, photos=1, location=DRAFT_AT, phone=DRAFT_PHONE)
    clock.advance(dt.timedelta(minutes=1))

    sent = await me.send("/forget")
    question = me.texts(sent)[0]
    assert "your cases (1) stay as anonymous records" in question
    assert "the committee must keep a record of every case and its answer" in question
    sent = await me.press(me.button("Erase my data"))
    assert me.texts(sent)[-1].startswith("Everything stored about you here was erased")

    needles = Needles(
        CHAT,
        texts=(PHONE, DRAFT_PHONE, "photo-0", "photo-1"),
        numbers=(*CASE_AT, *DRAFT_AT),
    )
    assert await leftovers(sqlite_db, needles) == []
    assert await draft_of(me) == (None, {})
    async with sqlite_db.session() as session:
        issue = (await session.execute(select(Issue).where(Issue.number == number))).scalar_one()
        assert issue.description.startswith("Cars block the fire lane")
        replies = (
            (
                await session.execute(
                    select(IssueEvent.body).where(
                        IssueEvent.issue_id == issue.id, IssueEvent.public.is_(True)
                    )
                )
            )
            .scalars()
            .all()
        )
        assert "The light was repaired on Monday." in replies
        other = (
            await session.execute(select(Issue).where(Issue.number == kept_number))
        ).scalar_one()
        assert other.contact_phone == OTHER_PHONE and other.resident_id is not None


async def test_keep_my_data_erases_nothing(me: ChatUser, sqlite_db: Database) -> None:
    await submit_report(me, phone=PHONE)
    await me.send("/forget")
    sent = await me.press(me.button("Keep my data"))
    assert "Nothing was erased" in me.texts(sent)[0]
    assert (await ids_of(sqlite_db, CHAT))[1] is not None
    assert await draft_of(me) == (None, {})


async def test_forged_stale_and_replayed_confirmations_do_nothing(
    me: ChatUser, sqlite_db: Database, clock: ManualClock
) -> None:
    await submit_report(me, phone=PHONE)
    clock.advance(dt.timedelta(minutes=1))
    before = await ids_of(sqlite_db, CHAT)
    no_longer_open = "This question is no longer open, so nothing was erased."

    sent = await me.press(PrivacyCB(action="erase", nonce="guessed").pack())
    assert answer_of(sent).startswith(no_longer_open)
    await me.send("/forget")
    first = me.button("Erase my data")
    for guess in ("guessed", "猜的"):
        sent = await me.press(PrivacyCB(action="erase", nonce=guess).pack())
        assert answer_of(sent).startswith(no_longer_open)
    await me.send("/forget")
    second = me.button("Erase my data")
    assert first != second
    assert answer_of(await me.press(first)).startswith(no_longer_open)
    nonce = PrivacyCB.unpack(second).nonce
    wrong = PrivacyCB(action="wipe", nonce=nonce).pack()
    assert answer_of(await me.press(wrong)) == "This button is not valid."
    sent = await me.press("pv:erase")
    assert answer_of(sent) == "This button is no longer active. Please use the menu."
    await me.press(me.button("Keep my data"))
    assert answer_of(await me.press(second)).startswith(no_longer_open)
    assert await ids_of(sqlite_db, CHAT) == before

    # A replay of the very update that erased is ignored; a new press finds no question.
    clock.advance(dt.timedelta(minutes=1))
    await me.send("/forget")
    erase = me.button("Erase my data")
    update = press_update(me, erase)
    assert answer_of(await me.feed(update)) == ""
    assert (await ids_of(sqlite_db, CHAT))[1] is None
    assert await me.feed(update) == []
    assert answer_of(await me.press(erase)).startswith(no_longer_open)


async def test_members_and_staff_are_sent_to_the_office(
    member: ChatUser, office: ChatUser, sqlite_db: Database
) -> None:
    for user in (member, office):
        sent = await user.send("/forget")
        assert "please ask the office to correct or erase them" in user.texts(sent)[0]
        assert all(getattr(request, "reply_markup", None) is None for request in sent)
        sent = await user.press(PrivacyCB(action="erase", nonce="x").pack())
        assert answer_of(sent).startswith("This question is no longer open")
        identity_id, _resident = await ids_of(sqlite_db, user.chat.id)
        assert identity_id is not None
    sent = await member.send("/mydata")
    _data, _raw, caption = document_of(sent)
    assert "kept by the committee office" in caption


async def test_after_forget_the_chat_starts_afresh(
    me: ChatUser, sqlite_db: Database, clock: ManualClock
) -> None:
    old_number = await submit_report(me, phone=PHONE)
    await me.send("/forget")
    await me.press(me.button("Erase my data"))
    clock.advance(dt.timedelta(minutes=10))
    sent = await me.send("/start")
    assert "Welcome to the CPPCC liaison desk" in me.texts(sent)[0]
    sent = await me.send("/myissues")
    assert "not reported anything yet" in me.texts(sent)[0]
    # Another problem: the erased case is no longer theirs and would be offered to follow.
    new_number = await submit_report(
        me, description="Shared bikes pile up on the pavement outside the metro exit."
    )
    async with sqlite_db.session() as session:
        identity = (
            await session.execute(select(ChatIdentity).where(ChatIdentity.chat_id == CHAT))
        ).scalar_one()
        old, new = [
            (await session.execute(select(Issue).where(Issue.number == number))).scalar_one()
            for number in (old_number, new_number)
        ]
    # A new identity (SQLite may hand out the freed row id again), and only the new case is theirs.
    assert identity.created_at == clock.now()
    assert old.resident_id is None and new.resident_id is not None
    sent = await me.send("/myissues")
    assert "1 in all" in me.texts(sent)[0]
