"""What one update costs the database: transactions per update, and the identity cache."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from aiogram import Bot, Dispatcher, F, Router
from aiogram.methods import SendMessage
from aiogram.types import Message
from sqlalchemy import event
from sqlalchemy.engine import Connection

from bot.app import AppContext, build_dispatcher
from services.accounts.identities import (
    LAST_SEEN_RESOLUTION,
    IdentityCache,
    find_identity,
    set_locale,
    touch_identity,
)
from services.accounts.identity_batches import IdentityBatches
from storage.db import Database
from storage.fsm import SQLStorage
from storage.models import ChatIdentity
from tests.dialog.conftest import invitation
from tests.support.chat import ChatUser
from tests.support.flows import CASE_NUMBER, write_report_until_review
from tests.support.members import NOW, import_sample


class Transactions:
    """Counts the transactions begun and committed on an engine."""

    def __init__(self) -> None:
        self.begun = 0
        self.committed = 0

    def begin(self, _connection: Connection) -> None:
        self.begun += 1

    def commit(self, _connection: Connection) -> None:
        self.committed += 1


@contextmanager
def counting(db: Database) -> Iterator[Transactions]:
    counts = Transactions()
    engine = db.engine.sync_engine
    event.listen(engine, "begin", counts.begin)
    event.listen(engine, "commit", counts.commit)
    try:
        yield counts
    finally:
        event.remove(engine, "begin", counts.begin)
        event.remove(engine, "commit", counts.commit)


def echo_router() -> Router:
    router = Router(name="echo")

    @router.message(F.text)
    async def echo(message: Message) -> None:
        await message.answer(message.text or "")

    return router


async def test_an_echo_update_is_one_transaction(
    app: AppContext, bot: Bot, sqlite_db: Database
) -> None:
    user = ChatUser(build_dispatcher(app, routers=[echo_router()]), bot, user_id=1001)
    await user.send("first contact")  # creates the identity
    with counting(sqlite_db) as counts:
        sent = await user.send("hello")
    assert user.texts(sent) == ["hello"]
    # Only the replay record's commit: no identity read, no replay read, no second connection.
    assert (counts.begun, counts.committed) == (1, 1)


async def test_chats_writing_for_the_first_time_at_once_are_each_answered(
    app: AppContext, bot: Bot, sqlite_db: Database
) -> None:
    dp = build_dispatcher(app, routers=[echo_router()])
    users = [ChatUser(dp, bot, user_id=3001 + n) for n in range(6)]
    await asyncio.gather(*(user.send(f"hello from {user.chat.id}") for user in users))
    answered = {
        (request.chat_id, request.text)
        for request in users[0].session.requests
        if isinstance(request, SendMessage)
    }
    assert answered == {(user.chat.id, f"hello from {user.chat.id}") for user in users}
    async with sqlite_db.session() as session:
        stored = [
            await find_identity(session, channel="telegram", chat_id=user.chat.id) for user in users
        ]
    assert all(identity is not None and identity.role == "resident" for identity in stored)
    assert len({identity.id for identity in stored if identity is not None}) == len(users)


@contextmanager
def statements_on(db: Database) -> Iterator[list[str]]:
    """The SQL statements run on ``db`` meanwhile, first word and table."""
    seen: list[str] = []

    def note(_conn: Connection, _cursor: object, statement: str, *_args: object) -> None:
        words = statement.split()
        if words[0] == "BEGIN":
            seen.append(statement)
            return
        table = next((w for w in words if w.startswith("chat_identity")), "")
        seen.append(f"{words[0]} {table}".strip())

    engine = db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


async def test_chats_looked_up_together_share_one_read_and_one_insert(sqlite_db: Database) -> None:
    await import_sample(sqlite_db)
    batches = IdentityBatches(sqlite_db)

    async def load_all() -> list[ChatIdentity]:
        return await asyncio.gather(
            *(
                batches.load(
                    channel="telegram",
                    chat_id=chat_id,
                    chat_type="private",
                    client_locale="en",
                    now=NOW,
                )
                for chat_id in range(9101, 9106)
            )
        )

    with statements_on(sqlite_db) as first:
        made = await load_all()
    assert [identity.chat_id for identity in made] == list(range(9101, 9106))
    assert len({identity.id for identity in made}) == 5
    assert first == [
        "BEGIN",
        "SELECT chat_identity.id,",
        "BEGIN IMMEDIATE",
        "INSERT chat_identity",
        "SELECT chat_identity.id,",
    ]
    with statements_on(sqlite_db) as again:
        found = await load_all()
    # Known chats: one read, and the write lock is never asked for.
    assert [identity.id for identity in found] == [identity.id for identity in made]
    assert again == ["BEGIN", "SELECT chat_identity.id,"]


async def test_a_first_contact_made_twice_keeps_one_identity(sqlite_db: Database) -> None:
    await import_sample(sqlite_db)
    batches = IdentityBatches(sqlite_db)
    made = await asyncio.gather(
        *(
            batches.load(
                channel="telegram", chat_id=9001, chat_type="private", client_locale="en", now=NOW
            )
            for _ in range(3)
        ),
        batches.load(channel="web", chat_id=9001, chat_type="private", client_locale=None, now=NOW),
    )
    assert len({identity.id for identity in made[:3]}) == 1
    assert made[3].id != made[0].id and made[3].channel == "web"
    again = await batches.load(
        channel="telegram", chat_id=9001, chat_type="private", client_locale="zh_CN", now=NOW
    )
    # Already there: the row is returned as it is, never inserted twice.
    assert again.id == made[0].id and again.client_locale == "en"


async def test_a_report_step_is_one_transaction(resident: ChatUser, sqlite_db: Database) -> None:
    await resident.send("/start")
    with counting(sqlite_db) as counts:
        sent = await resident.send("📝 Report an issue")
    assert sent
    # The first step in the process reads the stations to choose from, on the update's own
    # session; then its dialog state and replay record commit together.
    assert (counts.begun, counts.committed) == (2, 2)
    await resident.send("/start")
    with counting(sqlite_db) as counts:
        sent = await resident.send("📝 Report an issue")
    assert sent
    # From then on the stations and the dialog's stack and context come from memory.
    assert (counts.begun, counts.committed) == (1, 1)


async def test_a_first_report_writes_its_resident_and_case_in_one_transaction(
    resident: ChatUser, sqlite_db: Database
) -> None:
    await write_report_until_review(resident)
    with counting(sqlite_db) as counts:
        sent = await resident.press(resident.button("Submit"))
    assert any(CASE_NUMBER.search(text) for text in resident.texts(sent))
    # The open cases the report might look like are read first; then the resident, the case
    # and its first timeline line in one write; then the end of the dialog with the replay
    # record. Nothing else: the draft was read from memory.
    assert (counts.begun, counts.committed) == (3, 3)


async def test_a_dialog_state_not_in_memory_is_read_on_the_update_session(
    resident: ChatUser, sqlite_db: Database
) -> None:
    await resident.send("/start")
    await resident.send("📝 Report an issue")
    storage = resident.dp.storage
    assert isinstance(storage, SQLStorage)
    await storage.close()  # as after a restart: every key is read again
    in_use, most = 0, 0

    def checkout(*_args: object) -> None:
        nonlocal in_use, most
        in_use += 1
        most = max(most, in_use)

    def checkin(*_args: object) -> None:
        nonlocal in_use
        in_use -= 1

    pool = sqlite_db.engine.sync_engine.pool
    event.listen(pool, "checkout", checkout)
    event.listen(pool, "checkin", checkin)
    try:
        with counting(sqlite_db) as counts:
            sent = await resident.send("✖ Cancel")
    finally:
        event.remove(pool, "checkout", checkout)
        event.remove(pool, "checkin", checkin)
    assert sent
    # aiogram's own FSM middleware reads the chat's state before the update's session opens;
    # the dialog's stack and context are read in the update's one read transaction, never on
    # a second connection; the end of the dialog commits with the replay record.
    assert (counts.begun, counts.committed) == (3, 2)  # that first read is only closed
    assert most == 1


async def test_a_language_change_is_seen_by_the_next_update(resident: ChatUser) -> None:
    await resident.send("/start")
    await resident.send("/language")
    await resident.press(resident.button("中文"))
    sent = await resident.send("/start")
    assert "Welcome" not in resident.texts(sent)[0]


async def test_a_role_change_by_invitation_is_seen_by_the_next_update(
    roster: Database, dispatcher: Dispatcher, bot: Bot
) -> None:
    user = ChatUser(dispatcher, bot, user_id=7001)
    sent = await user.send("/start")  # cached as a resident
    assert "📝 Report an issue" in str(sent[0].reply_markup)
    assert "now linked" in user.texts(await user.send(f"/start inv-{await invitation(roster)}"))[0]
    sent = await user.send("/start")
    assert "📝 Report an issue" not in str(sent[0].reply_markup)


async def test_the_cache_forgets_an_identity_written_elsewhere_in_the_process(
    sqlite_db: Database,
) -> None:
    await import_sample(sqlite_db)
    cache = IdentityCache(max_age=dt.timedelta(hours=1))
    cache.watch(sqlite_db.engine)
    later = NOW + LAST_SEEN_RESOLUTION * 2
    async with sqlite_db.session() as session:
        identity = await touch_identity(
            session, channel="telegram", chat_id=42, chat_type="private", now=NOW, cache=cache
        )
        await touch_identity(
            session, channel="telegram", chat_id=43, chat_type="private", now=NOW, cache=cache
        )
        # A chat's own last-seen note keeps the other chats cached.
        await touch_identity(
            session, channel="telegram", chat_id=43, chat_type="private", now=later, cache=cache
        )
    assert cache.get(("telegram", 42), later) is not None
    async with sqlite_db.session() as session:
        assert identity.id is not None
        await set_locale(session, identity_id=identity.id, locale="en")
    assert cache.get(("telegram", 42), later) is None
    async with sqlite_db.session() as session:
        again = await touch_identity(
            session, channel="telegram", chat_id=42, chat_type="private", now=later, cache=cache
        )
        stored = await find_identity(session, channel="telegram", chat_id=42)
    assert again.locale == "en" and stored is not None and stored.locale == "en"
