"""The driver of ``bench/updates.py --workers``: residents who talk to workers over HTTP.

Each resident walks the report flow (``bench/updates_flow.py``): it posts a step to its
worker's webhook, as Telegram would, and sends the next one only when the bot's answer to
this one reached the fake Bot API, which reports every call naming a chat on a pipe
(``Replies`` reads it). Residents are spread over the workers round robin by chat, as a
reverse proxy balancing connections keeps one client on one upstream.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiogram_dialog.utils import CB_SEP

from bench.updates_fake import FakeProcess
from bench.updates_flow import (
    CASE_NUMBER,
    DIFFERENT,
    REPORT_STEPS,
    Awaited,
    Press,
    Step,
    Text,
    Updates,
    chat_of_query,
)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class DriveError(Exception):
    """A resident could not go on: no answer in time, a refused post, a missing button."""


@dataclass
class ChatState:
    """What one resident saw of the bot: its newest buttons, the texts of this turn."""

    buttons: list[tuple[str, int]] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    awaited: Awaited | None = None
    turn: asyncio.Future[None] | None = None


class Replies:
    """The fake's reports, by chat; a turn waits here for the call that ends it."""

    def __init__(self) -> None:
        self.chats: dict[int, ChatState] = {}
        self.webhooks: set[str] = set()
        self.calls_reported = 0
        self.method_counts: dict[str, int] = {}

    async def read(self, fake: FakeProcess) -> None:
        """Read the fake's lines until it ends."""
        try:
            while True:
                self.feed(await fake.readline())
        except EOFError:
            return

    def feed(self, line: bytes) -> None:
        """One line of the fake: a call, or its final counts."""
        record = json.loads(line)
        if isinstance(record, dict):
            self.method_counts = record.get("calls", {})
            return
        self.calls_reported += 1
        method, chat_id, query_id, message_id, text, markup, url = record
        if method == "setWebhook":
            self.webhooks.add(url)
            return
        chat = int(chat_id) if chat_id is not None else chat_of_query(query_id or "")
        state = self.chats.get(chat) if chat is not None else None
        if state is None:
            return
        if markup is not None and "inline_keyboard" in markup:
            keyboard = json.loads(markup)["inline_keyboard"]
            state.buttons = [
                (button["callback_data"], int(message_id or 0))
                for row in keyboard
                for button in row
                if "callback_data" in button
            ]
        if text is not None:
            state.texts.append(text)
        if state.turn is not None and not state.turn.done() and _ends(state, method, query_id):
            state.turn.set_result(None)

    def expect(self, chat_id: int, awaited: Awaited) -> asyncio.Future[None]:
        """Start a turn of the chat; the future is done when the call ending it arrived."""
        state = self.chats.setdefault(chat_id, ChatState())
        state.texts = []
        state.awaited = awaited
        state.turn = asyncio.get_running_loop().create_future()
        if awaited.button_prefix is not None and _has_button(state, awaited.button_prefix):
            state.buttons = []  # the previous turn's buttons do not end this one
        return state.turn

    def forget(self, chat_id: int) -> None:
        """Drop a chat that is done."""
        self.chats.pop(chat_id, None)


def _ends(state: ChatState, method: str, query_id: str | None) -> bool:
    awaited = state.awaited
    if awaited is None:
        return False
    if awaited.callback_query_id is not None:
        return method == "answerCallbackQuery" and query_id == awaited.callback_query_id
    if awaited.button_prefix is not None:
        return _has_button(state, awaited.button_prefix)
    return method == "sendMessage"


def _has_button(state: ChatState, prefix: str) -> bool:
    return any(data.split(CB_SEP)[-1].startswith(prefix) for data, _ in state.buttons)


@dataclass
class Drive:
    """Everything the residents share: the HTTP client, the workers, the fake's reports."""

    http: aiohttp.ClientSession
    webhooks: Sequence[str]
    secret: str
    bot_id: int
    replies: Replies
    updates: Updates
    rng: random.Random
    step_timeout: float
    handled: int = 0
    case_numbers: list[str] = field(default_factory=list)

    async def post(self, chat_id: int, body: bytes) -> None:
        """One update to the chat's worker; the webhook answers once it stored it."""
        url = self.webhooks[chat_id % len(self.webhooks)]
        headers = {SECRET_HEADER: self.secret, "Content-Type": "application/json"}
        async with self.http.post(url, data=body, headers=headers) as response:
            await response.read()
            if response.status != 200:
                raise DriveError(f"chat {chat_id}: the webhook answered {response.status}")

    async def walk(self, chat_id: int) -> None:
        """The whole report, /report to the case number, each step after the bot's answer."""
        replies = self.replies
        for step in REPORT_STEPS:
            await self.turn(chat_id, step)
        if _has_button(replies.chats[chat_id], DIFFERENT.prefix):
            await self.turn(chat_id, DIFFERENT)
        texts = replies.chats[chat_id].texts
        match = next((m for m in map(CASE_NUMBER.search, texts) if m is not None), None)
        if match is None:
            raise DriveError(f"chat {chat_id}: no case number in {texts!r}")
        self.case_numbers.append(match.group())
        replies.forget(chat_id)

    async def turn(self, chat_id: int, step: Step) -> None:
        """Post one step and wait for the call that ends the bot's answer to it."""
        if isinstance(step, Text):
            awaited = Awaited(button_prefix=step.then)
            body = self.updates.text(chat_id, step.text)
        else:
            data, message_id = self._button(chat_id, step)
            body, query_id = self.updates.press(chat_id, data, message_id, self.bot_id)
            awaited = Awaited(callback_query_id=query_id)
        answered = self.replies.expect(chat_id, awaited)
        await self.post(chat_id, body)
        try:
            await asyncio.wait_for(answered, self.step_timeout)
        except TimeoutError:
            texts = self.replies.chats[chat_id].texts
            raise DriveError(
                f"chat {chat_id}: no answer to {step} within {self.step_timeout:g} s; "
                f"texts since: {texts!r}"
            ) from None
        self.handled += 1

    def _button(self, chat_id: int, step: Press) -> tuple[str, int]:
        state = self.replies.chats.get(chat_id, ChatState())
        found = [
            (data, message_id)
            for data, message_id in state.buttons
            if data.split(CB_SEP)[-1].startswith(step.prefix)
        ]
        if not found:
            raise DriveError(f"chat {chat_id}: no {step.prefix!r} button after {state.texts!r}")
        return self.rng.choice(found)


async def throughput(drive: Drive, chat_ids: Sequence[int]) -> dict[str, Any]:
    """Every chat walks at once; updates answered per second over the whole run."""
    first, started = drive.handled, time.perf_counter()
    async with asyncio.TaskGroup() as group:
        for chat_id in chat_ids:
            group.create_task(drive.walk(chat_id))
    seconds = time.perf_counter() - started
    updates = drive.handled - first
    return {"updates": updates, "seconds": seconds, "updates_per_second": updates / seconds}
