"""The real aiogram client against the in-repo fake Bot API: polling, webhook, replays."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from bot.runner import serve
from bot.settings import Settings
from services.clock import ManualClock
from storage.db import Database
from storage.models import Issue, Meeting
from tests.conftest import START
from tests.support.fake_bot_api import FakeBotAPI
from tests.support.processes import free_port

TOKEN = "424242:E2E-test-token"
CHAT = 5550001


class TelegramUser:
    """A person in a private chat, typing and tapping through the fake server."""

    def __init__(self, fake: FakeBotAPI, chat_id: int, language_code: str = "en") -> None:
        self.fake = fake
        self.chat_id = chat_id
        self.language_code = language_code

    async def expect(self, fragment: str, *, after: int = 0, timeout: float = 10) -> dict[str, Any]:
        def found() -> dict[str, Any] | None:
            for message in self.fake.sent_to(self.chat_id)[after:]:
                if fragment in str(message.get("text") or ""):
                    return message
            return None

        await self.fake.wait_for(found, timeout=timeout, what=f"a message with {fragment!r}")
        message = found()
        assert message is not None
        return message

    async def say(self, text: str | None, expect: str, **extra: Any) -> dict[str, Any]:
        mark = len(self.fake.sent_to(self.chat_id))
        self.fake.user_message(self.chat_id, text, language_code=self.language_code, **extra)
        return await self.expect(expect, after=mark)

    async def tap(self, message: dict[str, Any], label: str, expect: str) -> dict[str, Any]:
        data = button(message, label)
        mark = len(self.fake.sent_to(self.chat_id))
        self.fake.user_callback(
            self.chat_id, data, message["message_id"], language_code=self.language_code
        )
        return await self.expect(expect, after=mark)


def button(message: dict[str, Any], label: str) -> str:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    for row in rows:
        for item in row:
            if label in item["text"]:
                return str(item["callback_data"])
    raise AssertionError(f"no {label!r} button in {rows}")


async def run_report(user: TelegramUser) -> str:
    await user.say("/start", "Welcome")
    stations = await user.say("📝 Report an issue", "Step 1 of 6")
    categories = await user.tap(stations, "Bei'an", "Step 2 of 6")
    await user.tap(categories, "Parking", "Step 3 of 6")
    await user.say("Cars block the fire lane at gate 3 every night after 8 pm.", "Step 4 of 6")
    photo = [{"file_id": "AgAD-e2e", "file_unique_id": "u-e2e", "width": 800, "height": 600}]
    await user.say(None, "Photo 1 of 3 added.", photo=photo)
    await user.say("✅ Done", "Step 5 of 6")
    location = {"latitude": 38.49, "longitude": 106.24}
    contact = await user.say(None, "Step 6 of 6", location=location)
    review = await user.tap(contact, "anonymous", "Please check your report")
    sent = await user.tap(review, "Submit", "Your case number is")
    match = re.search(r"\d{4}-\d{6}", str(sent["text"]))
    assert match, sent
    return match.group(0)


def settings_for(tmp_path: Path, fake: FakeBotAPI, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": f"sqlite+aiosqlite:///{tmp_path / 'liaison.db'}",
        "data_dir": tmp_path / "var",
        "telegram_token": SecretStr(TOKEN),
        "telegram_api_url": fake.base_url,
        "web_port": free_port(),
        "default_locale": "en",
        "_env_file": None,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
async def running(
    request: pytest.FixtureRequest, tmp_path: Path, fake: FakeBotAPI
) -> AsyncIterator[Settings]:
    overrides = getattr(request, "param", {})
    if overrides.get("webhook"):
        port = free_port()
        overrides = {
            "web_port": port,
            "webhook_url": f"http://127.0.0.1:{port}/telegram/webhook",
            "webhook_secret": SecretStr("e2e-secret"),
        }
    settings = settings_for(tmp_path, fake, **overrides)
    stop = asyncio.Event()
    clock = ManualClock(START)
    task = asyncio.create_task(serve(settings, seed_demo=True, clock=clock, stop=stop))
    if settings.webhook_url:
        await fake.wait_for(lambda: fake.webhook is not None, timeout=15, what="setWebhook")
    else:
        await fake.wait_for(lambda: fake.waiting_pollers == 1, timeout=15, what="polling")
    yield settings
    stop.set()
    await asyncio.wait_for(task, timeout=15)


@asynccontextmanager
async def database(settings: Settings) -> AsyncIterator[Database]:
    """The running bot's database, opened beside it for a test's own reads and writes."""
    db = Database(settings.database_url)
    try:
        yield db
    finally:
        await db.dispose()


async def staff_chat(fake: FakeBotAPI, settings: Settings, chat_id: int) -> TelegramUser:
    """王芳, staff, her Telegram chat linked as the CLI links it."""
    from services.accounts.identities import touch_identity
    from services.accounts.staff import add_staff, bind_staff
    from storage.db import write_transaction

    async with database(settings) as db, db.session() as session:
        staff = await add_staff(session, name="王芳", now=START)
        identity = await touch_identity(
            session, channel="telegram", chat_id=chat_id, chat_type="private", now=START
        )
        async with write_transaction(session):
            await bind_staff(session, staff_id=staff.id or 0, identity=identity, now=START)
    return TelegramUser(fake, chat_id)


async def member_chat(
    fake: FakeBotAPI, settings: Settings, code: str, chat_id: int
) -> TelegramUser:
    """The roster's member ``code``, linked from this chat with an invitation code."""
    from services.accounts.invites import issue_invite
    from tests.support.members import member_by_code

    async with database(settings) as db:
        member = await member_by_code(db, code)
        async with db.session() as session:
            issued = await issue_invite(session, member_id=member.id or 0, now=START)
    user = TelegramUser(fake, chat_id)
    await user.say(f"/start {issued.payload}", "now linked")
    return user


async def standing_meeting(db: Database, title: str, days: int) -> Meeting:
    """A standing-committee meeting ``days`` ahead, its invitations queued."""
    import datetime as dt

    from services.meetings.invitations import MeetingInput, create_meeting
    from tests.support.notices import notifier

    data = MeetingInput(
        kind="standing",
        title=title,
        starts_at=START + dt.timedelta(days=days),
        ends_at=START + dt.timedelta(days=days, hours=2),
        venue="Committee hall",
        audience=["group:standing"],
    )
    async with db.session() as session:
        return await create_meeting(
            session, data=data, staff_id=None, now=START, notifier=notifier()
        )


async def stored_issue(settings: Settings, number: str) -> Issue:
    db = Database(settings.database_url)
    try:
        async with db.session() as session:
            return (await session.execute(select(Issue).where(Issue.number == number))).scalar_one()
    finally:
        await db.dispose()


async def test_report_over_long_polling(fake: FakeBotAPI, running: Settings) -> None:
    number = await run_report(TelegramUser(fake, CHAT))
    issue = await stored_issue(running, number)
    assert issue.channel == "telegram" and issue.latitude == 38.49
    commands = fake.commands_for(language_code="zh")
    assert commands is not None and any(c["command"] == "report" for c in commands)
    assert any(c["description"] == "反映问题" for c in commands)
    assert fake.webhook is None


@pytest.mark.parametrize("running", [{"webhook": True}], indirect=True)
async def test_report_over_the_webhook_and_a_replay(fake: FakeBotAPI, running: Settings) -> None:
    assert fake.webhook is not None and fake.webhook.secret_token == "e2e-secret"
    user = TelegramUser(fake, CHAT, language_code="zh-hans")
    await user.say("/start", "欢迎")
    before = len(fake.sent_to(CHAT))
    update = fake.user_message(CHAT, "/help", language_code="zh-hans")
    await user.expect("使用说明", after=before)
    count = len(fake.sent_to(CHAT))
    # Telegram may deliver the same update again; it is acknowledged and ignored.
    assert await fake.deliver_raw(update) == 200
    assert await fake.deliver_raw(update, secret="wrong") == 401
    assert await fake.deliver_raw(update, secret=None) == 401
    # One chat's updates are handled in order: once the next one is answered, a replay that
    # was handled would have been answered before it.
    await user.say("/help", "使用说明")
    assert len(fake.sent_to(CHAT)) == count + 1
    user.language_code = "en"
    await user.say("/language", "Choose your language")
    langs = fake.sent_to(CHAT)[-1]
    await user.tap(langs, "English", "Language set: English.")
    number = await run_report(user)
    assert (await stored_issue(running, number)).channel == "telegram"


@pytest.mark.parametrize("running", [{"webhook": True}], indirect=True)
async def test_malformed_webhook_requests_get_400_and_no_traceback(
    fake: FakeBotAPI, running: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    url = str(running.webhook_url)
    headers = {"X-Telegram-Bot-Api-Secret-Token": "e2e-secret", "Content-Type": "application/json"}
    good = {
        "update_id": 880001,
        "message": {
            "message_id": 1,
            "from": {"id": CHAT, "is_bot": False, "first_name": "T", "language_code": "en"},
            "chat": {"id": CHAT, "type": "private"},
            "date": 1_795_000_000,
            "text": "/help",
        },
    }
    wrong_types = {**good, "message": {**good["message"], "chat": {"id": "me", "type": 5}}}
    bodies = [
        json.dumps(good)[:-9].encode(),  # truncated
        json.dumps([good]).encode(),  # an array
        json.dumps(wrong_types).encode(),
        json.dumps({**good, "update_id": "x"}).encode(),
    ]
    with caplog.at_level(logging.INFO):
        async with aiohttp.ClientSession(headers=headers) as session:
            for body in bodies:
                async with session.post(url, data=body) as response:
                    assert response.status == 400, body
            async with session.post(url, data=json.dumps(good)) as response:
                assert response.status == 200
        await TelegramUser(fake, CHAT).expect("How this works")
    troubles = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert troubles == []


async def test_polling_confirms_a_batch_only_once_it_is_stored(
    fake: FakeBotAPI, running: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.inbox import UpdateInbox

    store = UpdateInbox.put
    failures: list[int] = []

    async def failing_once(self: UpdateInbox, updates: Sequence[tuple[int, str]]) -> int:
        if updates and not failures:
            failures.append(updates[0][0])
            raise OperationalError("INSERT", {}, Exception("database is locked"))
        return await store(self, updates)

    monkeypatch.setattr(UpdateInbox, "put", failing_once)
    user = TelegramUser(fake, CHAT)
    await user.say("/help", "How this works")
    assert failures  # the first attempt failed, the batch was asked for again
    assert len(fake.sent_to(CHAT)) == 1
    assert fake.pending_updates == []


async def test_web_chat_runs_beside_telegram(fake: FakeBotAPI, running: Settings) -> None:
    url = f"http://127.0.0.1:{running.web_port}"
    async with aiohttp.ClientSession() as session, session.get(f"{url}/healthz") as response:
        assert (await response.json()) == {"status": "ok"}
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        assert response.status == 200 and "bootstrap" in await response.text()


async def test_forbidden_chat_does_not_break_the_bot(fake: FakeBotAPI, running: Settings) -> None:
    fake.block_chat(CHAT + 1)
    fake.user_message(CHAT + 1, "/start")
    await fake.wait_for_call("sendMessage", count=1, chat_id=CHAT + 1)
    user = TelegramUser(fake, CHAT)
    await user.say("/start", "Welcome")


async def test_member_links_and_logs_over_telegram(fake: FakeBotAPI, running: Settings) -> None:
    from services.accounts.invites import issue_invite
    from storage.models import Activity
    from tests.support.members import member_by_code

    db = Database(running.database_url)
    try:
        member = await member_by_code(db, "M003")
        assert member.id is not None
        async with db.session() as session:
            issued = await issue_invite(session, member_id=member.id, now=START)
    finally:
        await db.dispose()
    user = TelegramUser(fake, CHAT + 7)
    await user.say(f"/start {issued.payload}", "now linked to your member record")
    review = await user.say(
        "/log 2026-11-19 9 visited shop owners about street-market rents",
        "Please check the activity",
    )
    await user.tap(review, "Save", "Saved. This quarter: 1 qualifying activities")
    await user.say("📊 My progress", "Person-times: 9 of 40")
    db = Database(running.database_url)
    try:
        async with db.session() as session:
            # The demo's members have activities of their own; this is M003's one.
            stored = (
                await session.execute(select(Activity).where(Activity.member_id == member.id))
            ).scalar_one()
    finally:
        await db.dispose()
    assert (stored.member_id, stored.people_count, stored.channel) == (member.id, 9, "telegram")


async def test_invitation_is_delivered_and_answered_over_telegram(
    fake: FakeBotAPI, running: Settings
) -> None:
    from storage.models import MeetingInvitee

    user = await member_chat(fake, running, "M005", CHAT + 9)
    async with database(running) as db:
        await standing_meeting(db, "Standing committee, December", days=2)
    # The runner's delivery loop picks the invitation up within its tick.
    invitation = await user.expect("Standing committee, December", timeout=15)
    fake.user_callback(user.chat_id, button(invitation, "I will attend"), invitation["message_id"])

    def edited() -> bool:
        current = fake.message(user.chat_id, invitation["message_id"]) or {}
        return "Your answer: attending" in str(current.get("text"))

    await fake.wait_for(edited, timeout=10, what="the invitation edited with the answer")
    async with database(running) as db, db.session() as session:
        answers = (await session.execute(select(MeetingInvitee.response))).scalars().all()
    assert "attending" in answers


async def test_a_cancellation_reaches_the_invited_over_telegram(
    fake: FakeBotAPI, running: Settings
) -> None:
    from services.audit import Actor
    from services.meetings.changes import cancel_meeting
    from tests.support.notices import notifier

    user = await member_chat(fake, running, "M005", CHAT + 10)
    async with database(running) as db:
        meeting = await standing_meeting(db, "Standing committee, January", days=3)
        await user.expect("Standing committee, January", timeout=15)
        async with db.session() as session:
            await cancel_meeting(
                session,
                meeting_id=meeting.id or 0,
                sequence=0,
                now=START,
                notifier=notifier(),
                actor=Actor.cli(),
            )
    # The runner's delivery loop picks the notice up within its tick.
    notice = await user.expect("will not take place", timeout=15)
    assert "Remove from my calendar" in str(notice.get("reply_markup"))


async def test_staff_find_a_case_over_telegram(fake: FakeBotAPI, running: Settings) -> None:
    """/case with a number opens the card; typed words list the matches with their buttons."""
    number = await run_report(TelegramUser(fake, CHAT + 9))
    office = await staff_chat(fake, running, CHAT + 10)
    await office.say(f"/case {number}", f"Case {number}")
    found = await office.say("fire lane gate", "Cases matching “fire lane gate”")
    fake.user_callback(office.chat_id, button(found, number), found["message_id"])

    def card_shown() -> bool:
        shown = fake.message(office.chat_id, found["message_id"]) or {}
        return f"Case {number}" in str(shown.get("text") or "")

    await fake.wait_for(card_shown, timeout=10, what="the case card in place of the results")


async def test_a_stale_case_card_is_refused_over_telegram(
    fake: FakeBotAPI, running: Settings
) -> None:
    """A card drawn before a colleague accepted the case refuses its Reject and is redrawn."""
    from services.accounts.scope import StaffScope
    from services.audit import Actor
    from services.cases import casework
    from tests.support.notices import notifier

    number = await run_report(TelegramUser(fake, CHAT + 11))
    office = await staff_chat(fake, running, CHAT + 12)
    card = await office.say(f"/case {number}", f"Case {number}")
    assert "Status: Received" in str(card["text"])

    issue = await stored_issue(running, number)
    colleague = StaffScope(staff_id=0, name="李站", admin=True, station_ids=frozenset())
    async with database(running) as db, db.session() as session:
        await casework.accept(
            session, issue_id=issue.id or 0, scope=colleague,
            actor=Actor("staff", 0, "李站"), now=START, notifier=notifier(),
        )  # fmt: skip

    answered = len(fake.calls_of("answerCallbackQuery"))
    fake.user_callback(office.chat_id, button(card, "Reject"), card["message_id"])

    def refused() -> bool:
        calls = fake.calls_of("answerCallbackQuery")[answered:]
        return any("out of date" in str(call.params.get("text")) for call in calls)

    await fake.wait_for(refused, timeout=10, what="the stale press refused")

    def redrawn() -> bool:
        shown = fake.message(office.chat_id, card["message_id"]) or {}
        return "Status: Accepted" in str(shown.get("text") or "")

    await fake.wait_for(redrawn, timeout=10, what="the card drawn again as it stands")
    assert (await stored_issue(running, number)).status == "accepted"


async def test_a_member_reads_their_record_over_telegram(
    fake: FakeBotAPI, running: Settings
) -> None:
    user = await member_chat(fake, running, "M102", CHAT + 12)
    record = await user.say("📁 My record", "Rank ")
    assert "Members living in the city" in record["text"]

    async def tap_and_read(label: str, expect: str) -> dict[str, Any]:
        """Tap a button of the record's card, which is edited in place."""
        fake.user_callback(user.chat_id, button(record, label), record["message_id"])

        def drawn() -> dict[str, Any] | None:
            current = fake.message(user.chat_id, record["message_id"]) or {}
            return current if expect in str(current.get("text")) else None

        await fake.wait_for(drawn, timeout=10, what=f"the record showing {expect!r}")
        current = drawn()
        assert current is not None
        return current

    record = await tap_and_read("Past years", "2025:")
    assert "points" in record["text"]
    record = await tap_and_read("Back", "Rank ")
    await tap_and_read("Items and lines", "choose one to see its lines")
