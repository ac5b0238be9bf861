"""/forget in the web chat: the database, the uploads on disk and the chat's history."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import struct
import zlib
from types import SimpleNamespace
from typing import Any

from aiogram import Dispatcher
from sqlalchemy import select

from bot.app import AppContext
from bot.channels.webchat import WebChat
from bot.channels.webchat.frames import Sender
from services.chats.webchat_files import FileKind
from services.clock import ManualClock
from storage.db import Database
from storage.models import Attachment, ChatIdentity, Issue, Resident
from tests.support.flows import submit_report, write_report_until_review
from tests.unit.test_privacy import Needles, leftovers, subscribe_and_queue

CHAT = 10**12 + 424_242
OTHER_CHAT = 10**12 + 515_151
PHONE = "13912345678"
DRAFT_PHONE = "13611112222"
CASE_AT = (38.123457, 106.654321)
DRAFT_AT = (38.234561, 106.765432)


def png(seed: str) -> bytes:
    """A valid 2x2 PNG whose colour (and so whose content hash) depends on ``seed``."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    colour = hashlib.sha256(seed.encode()).digest()[:3]
    raw = b"".join(b"\x00" + colour * 2 for _ in range(2))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


class Socket:
    """The page's socket: refused frames arrive as JSON, everything the bot draws as text."""

    closed = False

    def __init__(self) -> None:
        self.sent: list[Any] = []
        self.pushed: list[dict[str, Any]] = []

    async def send_json(self, data: Any) -> None:
        self.sent.append(data)

    async def send_str(self, data: str) -> None:
        self.pushed.append(json.loads(data))


async def upload(
    webchat: WebChat, chat_id: int, data: bytes, name: str, address: str = "127.0.0.1"
) -> str:
    """What the upload route does with a file: claim it for the chat, then store it."""
    stored = webchat.media.describe(data, name=name)
    await webchat.store.hold(stored, chat_id=chat_id, kind=FileKind.UPLOAD, client_address=address)
    webchat.media.write(data, stored)
    return stored.file_id


class WebUser:
    """A web chat page, driven with the same calls as ``ChatUser`` (enough for the flows).

    It draws what it is pushed, as the browser does: messages, edits, deletions, and the
    history the server sends when the chat is erased.
    """

    _frames = itertools.count(1)

    def __init__(self, webchat: WebChat, chat_id: int) -> None:
        self.webchat = webchat
        self.chat_id = chat_id
        self.sender = Sender(chat_id=chat_id, language_code="en")
        self.images: dict[str, bytes] = {}
        self.socket = Socket()
        self.page: list[dict[str, Any]] = []
        webchat.hub.attach(chat_id, self.socket)  # type: ignore[arg-type]

    def history(self) -> list[dict[str, Any]]:
        return list(self.page)

    def _draw(self, event: dict[str, Any]) -> None:
        if event["type"] == "history":
            self.page = list(event["events"])
        elif event["type"] == "message":
            self.page.append(event)
        elif event["type"] == "delete":
            self.page = [e for e in self.page if e["message_id"] != event["message_id"]]
        elif event["type"] == "edit":
            for shown in self.page:
                if shown["message_id"] == event["message_id"]:
                    shown["inline_keyboard"] = event["inline_keyboard"]
                    if event["html"] is not None:
                        shown["html"] = event["html"]

    async def frame(self, kind: str, **fields: Any) -> list[SimpleNamespace]:
        seen = len(self.socket.pushed)
        raw = json.dumps({"type": kind, "id": f"f{next(self._frames)}", **fields})
        await self.webchat.handle_frame(raw, sender=self.sender, socket=self.socket)  # type: ignore[arg-type]
        assert self.socket.sent == []
        fresh = self.socket.pushed[seen:]
        for event in fresh:
            self._draw(event)
        return [
            SimpleNamespace(text=event.get("html"), event=event)
            for event in fresh
            if event["type"] == "message"
        ]

    async def send(self, text: str) -> list[SimpleNamespace]:
        return await self.frame("text", text=text)

    async def press(self, data: str) -> list[SimpleNamespace]:
        message_id = 0
        for event in reversed(self.history()):
            rows = event.get("inline_keyboard") or []
            if any(button["callback_data"] == data for row in rows for button in row):
                message_id = event["message_id"]
                break
        return await self.frame("callback", message_id=message_id, data=data)

    def button(self, contains: str) -> str:
        for event in reversed(self.history()):
            for row in event.get("inline_keyboard") or []:
                for button in row:
                    if contains in button["text"]:
                        return str(button["callback_data"])
            if event.get("inline_keyboard"):
                break
        raise AssertionError(f"no button with {contains!r}")

    async def photo(self, name: str = "photo") -> list[SimpleNamespace]:
        data = self.images.get(name) or png(f"{self.chat_id}:{name}")
        file_id = await upload(self.webchat, self.chat_id, data, f"{name}.png")
        return await self.frame("file", file_id=file_id)

    async def location(self, latitude: float, longitude: float) -> list[SimpleNamespace]:
        return await self.frame("location", latitude=latitude, longitude=longitude)

    async def contact(self, phone: str) -> list[SimpleNamespace]:
        return await self.frame("contact", phone=phone)

    def texts(self, requests: list[SimpleNamespace]) -> list[str]:
        return [str(request.text) for request in requests if request.text is not None]


def file_id(data: bytes) -> str:
    return "web-" + hashlib.sha256(data).hexdigest()[:40]


async def ids_of(db: Database, chat_id: int) -> tuple[int, int]:
    async with db.session() as session:
        identity = (
            await session.execute(
                select(ChatIdentity).where(
                    ChatIdentity.channel == "web", ChatIdentity.chat_id == chat_id
                )
            )
        ).scalar_one()
        resident = (
            await session.execute(select(Resident).where(Resident.identity_id == identity.id))
        ).scalar_one()
        assert identity.id is not None and resident.id is not None
        return identity.id, resident.id


async def test_forget_in_the_web_chat_leaves_no_trace(
    app: AppContext, dispatcher: Dispatcher, sqlite_db: Database, clock: ManualClock
) -> None:
    webchat = WebChat(app, dispatcher)
    me, other = WebUser(webchat, CHAT), WebUser(webchat, OTHER_CHAT)
    shared, own, draft, stray = png("shared"), png("own"), png("draft"), png("stray")
    me.images = {"photo-0": shared, "photo-1": own}
    other.images = {"photo-0": shared}
    number = await submit_report(me, photos=2, location=CASE_AT, phone=PHONE)
    # Other words, or the second report would be offered the first case to follow ("me too").
    await submit_report(
        other, photos=1, description="The street light at the corner of lane 5 is broken."
    )
    identity_id, resident_id = await ids_of(sqlite_db, CHAT)
    await subscribe_and_queue(sqlite_db, identity_id, resident_id, dialog_row=False)
    clock.advance(dt.timedelta(minutes=1))
    me.images = {"stray": stray, "photo-0": draft}
    assert "tap “📝 Report an issue” first" in me.texts(await me.photo("stray"))[0]
    exported = [request.event for request in await me.send("/mydata")]
    [export_url] = [event["document"]["url"] for event in exported if event["document"]]
    export = export_url.split("?")[0].rsplit("/", 1)[-1]
    await write_report_until_review(me, photos=1, location=DRAFT_AT, phone=DRAFT_PHONE)
    clock.advance(dt.timedelta(minutes=1))

    await me.send("/forget")
    sent = await me.press(me.button("Erase my data"))

    assert [event["html"] for event in me.history()] == [request.text for request in sent]
    assert me.texts(sent)[0].startswith("Everything stored about you here was erased")
    gone = [file_id(own), file_id(draft), file_id(stray), export]
    assert [webchat.media.path(key) for key in gone] == [None] * 4
    assert webchat.media.path(file_id(shared)) is not None
    assert other.history(), "another chat's history stays"
    # The chat's history went from the database too; what the page was told after is not kept.
    assert await webchat.store.history(CHAT) == []
    assert await webchat.store.history(OTHER_CHAT) != []
    needles = Needles(CHAT, texts=(PHONE, DRAFT_PHONE, *gone), numbers=(*CASE_AT, *DRAFT_AT))
    assert await leftovers(sqlite_db, needles) == []
    async with sqlite_db.session() as session:
        issue = (await session.execute(select(Issue).where(Issue.number == number))).scalar_one()
        assert issue.resident_id is None and issue.description.startswith("Cars block")
        photos = (await session.execute(select(Attachment.file_id))).scalars().all()
        assert photos == [file_id(shared)]
