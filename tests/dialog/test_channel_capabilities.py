"""Handlers follow what a channel states about itself, never the type of its session.

Each test runs once on a Bot registered as Telegram and once on one registered as the web
chat; both Bots record their calls the same way, so only the stated capabilities differ.
"""

from __future__ import annotations

from collections.abc import Collection

import pytest
from aiogram import Bot, Dispatcher

from bot.app import AppContext
from bot.channels.capabilities import TELEGRAM, web_chat
from services.accounts.identities import touch_identity
from services.accounts.staff import add_staff, bind_staff
from storage.db import Database, write_transaction
from tests.dialog.test_meetings_dialog import _meeting, set_up_meeting
from tests.support.chat import ChatUser
from tests.support.flows import write_report_until_review
from tests.support.members import NOW
from tests.support.recording import RecordingSession

CHANNEL_TOKEN = "424242:TEST-token-for-a-registered-channel"
RESIDENT_CHAT = 5_150_001
OFFICE_CHAT = 8_150_001


class Memory:
    """A channel's own store of a chat's files: remembers what it was told to forget."""

    def __init__(self) -> None:
        self.forgotten: list[tuple[int, list[str]]] = []

    async def forget_chat(self, chat_id: int, file_ids: Collection[str]) -> None:
        self.forgotten.append((chat_id, sorted(file_ids)))


def registered_bot(app: AppContext, channel: str, memory: Memory) -> Bot:
    """A recording Bot, registered as the channel would register its own."""
    bot = Bot(CHANNEL_TOKEN, session=RecordingSession())
    app.register_channel(bot.id, TELEGRAM if channel == "telegram" else web_chat(memory))
    return bot


@pytest.mark.parametrize(
    ("channel", "link"),
    [
        ("telegram", "https://t.me/liaison_bot?start=mt-{token}"),
        ("web", "/?start=mt-{token}"),
    ],
)
async def test_the_check_in_link_is_written_the_channels_way(
    app: AppContext, dispatcher: Dispatcher, roster: Database, channel: str, link: str
) -> None:
    office = ChatUser(dispatcher, registered_bot(app, channel, Memory()), user_id=OFFICE_CHAT)
    async with roster.session() as session:
        staff = await add_staff(session, name="王芳", now=NOW)
        identity = await touch_identity(
            session, channel=channel, chat_id=OFFICE_CHAT, chat_type="private", now=NOW
        )
        async with write_transaction(session):
            await bind_staff(session, staff_id=staff.id or 0, identity=identity, now=NOW)
    await set_up_meeting(office)
    meeting = await _meeting(roster)
    await office.send("📅 Meetings")
    sent = await office.press(office.button("Elderly care"))
    expected = link.format(token=meeting.checkin_token)
    # A clickable link: the web chat's page and Telegram both open it with a tap.
    assert f'Check-in link: <a href="{expected}">{expected}</a>' in office.texts(sent)[0]
    sent = await office.press(office.button("QR"))
    assert sent[-1].__api_method__ == "sendPhoto"


@pytest.mark.parametrize(("channel", "keeps_files"), [("telegram", False), ("web", True)])
async def test_forget_erases_the_channels_own_files_where_it_keeps_them(
    app: AppContext, dispatcher: Dispatcher, channel: str, keeps_files: bool
) -> None:
    memory = Memory()
    me = ChatUser(dispatcher, registered_bot(app, channel, memory), user_id=RESIDENT_CHAT)
    await write_report_until_review(me, photos=1)
    await me.send("/forget")
    sent = await me.press(me.button("Erase my data"))
    assert me.texts(sent)[-1].startswith("Everything stored about you here was erased")
    # The draft's upload is freed by the erasure; only a channel holding files is told.
    assert memory.forgotten == ([(RESIDENT_CHAT, ["photo-0"])] if keeps_files else [])
