"""The platforms the simulated people use: the fake Bot API, and a Telegram user on it.

``CityFake`` is the in-repo fake Bot API (``tests.support.fake_bot_api.FakeBotAPI``) with two
additions a year-long run needs: a compact log of what it accepted (chat, method, text), kept
instead of full call records so a year of calls fits in memory, and a wake-up per chat so that
thousands of simulated people can each wait for their own chat without being woken by every
call of every other chat.

``TelegramUser`` is one person in a private chat, driving the app only as Telegram would: it
pushes messages and button presses into the fake's update queue (the app takes them by long
polling or by webhook) and reads what the bot sent back from the fake, edits applied. A step
waits for what it needs next (a button, a text) with a deadline, never for a fixed time.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.support.fake_bot_api import CallRecord, FakeBotAPI
from tests.support.fake_bot_api.protocol import JSONDict

CASE_NUMBER = re.compile(r"\b(\d{4}-\d{6})\b")
MEETING_TITLE = re.compile(r"\b([a-z-]+ meeting \d+)\b")
SENDING_METHODS = frozenset({"sendMessage", "sendPhoto", "sendDocument", "sendLocation"})
STEP_TIMEOUT = 60.0
# A person whose message or tap got no answer at all (a reply lost to a 429, say) tries once more.
SILENCE = 8.0


class StepTimeoutError(TimeoutError):
    """What a simulated person waited for did not come within the deadline."""


@dataclass(slots=True)
class Accepted:
    """One message the fake accepted: the fake's own log line."""

    chat_id: int
    method: str
    text: str
    at: float


class CityFake(FakeBotAPI):
    """The fake Bot API with a compact log and per-chat wake-ups (see the module docstring)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.accepted: list[Accepted] = []
        self.refused: Counter[int] = Counter()
        self.method_count: Counter[str] = Counter()
        self._activity: dict[int, asyncio.Event] = {}
        self._callback_chats: dict[str, int] = {}
        self.keep_calls = False
        self.mentions: dict[tuple[int, str], list[int]] = {}
        self._locks: dict[int, asyncio.Lock] = {}
        self.updates_pushed = 0
        self.repeated_actions = 0
        self.changes: dict[int, list[int]] = {}

    def _finish(self, record: CallRecord, status: int, payload: JSONDict) -> None:
        record.status = status
        record.response = payload
        self.method_count[record.method] += 1
        self.stats["statuses"][status] += 1
        if self.keep_calls:
            self.calls.append(record)
            self._by_method.setdefault(record.method, []).append(record)
        chat = record.chat_id
        if chat is None and record.method == "answerCallbackQuery":
            chat = self._callback_chats.pop(str(record.params.get("callback_query_id")), None)
        if not isinstance(chat, int):
            return
        if status == 200 and (
            record.method in SENDING_METHODS or record.method.startswith("editMessage")
        ):
            changed = payload["result"]
            message_id = (
                int(changed["message_id"])
                if isinstance(changed, dict)
                else int(record.params.get("message_id") or 0)
            )
            self.changes.setdefault(chat, []).append(message_id)
        if record.method in SENDING_METHODS:
            if status == 200:
                text = str(record.params.get("text") or record.params.get("caption") or "")
                self.accepted.append(Accepted(chat, record.method, text, time.monotonic()))
                message_id = int(payload["result"]["message_id"])
                mentioned = set(CASE_NUMBER.findall(text)) | set(MEETING_TITLE.findall(text))
                for number in mentioned:
                    self.mentions.setdefault((chat, number), []).append(message_id)
            elif status == 429:
                self.refused[chat] += 1
        event = self._activity.get(chat)
        if event is not None:
            event.set()

    def user_message(self, chat_id: int, text: str | None, **kwargs: Any) -> JSONDict:
        """Push a user's message (counted)."""
        self.updates_pushed += 1
        return super().user_message(chat_id, text, **kwargs)

    def user_callback(self, chat_id: int, data: str, message_id: int, **kwargs: Any) -> JSONDict:
        """Push a button press (counted)."""
        self.updates_pushed += 1
        return super().user_callback(chat_id, data, message_id, **kwargs)

    def note_callback(self, update: JSONDict, chat_id: int) -> None:
        """Remember which chat a pushed button press came from, for its answerCallbackQuery."""
        self._callback_chats[str(update["callback_query"]["id"])] = chat_id

    def lock(self, chat_id: int) -> asyncio.Lock:
        """Held by whoever acts in this chat: a person does one thing at a time."""
        lock = self._locks.get(chat_id)
        if lock is None:
            lock = self._locks[chat_id] = asyncio.Lock()
        return lock

    def mark(self, chat_id: int) -> int:
        """How many changes (messages sent or edited) the chat has seen so far."""
        return len(self.changes.get(chat_id, ()))

    def activity(self, chat_id: int) -> asyncio.Event:
        """An event set whenever the bot acts on this chat (cleared by the waiter)."""
        event = self._activity.get(chat_id)
        if event is None:
            event = self._activity[chat_id] = asyncio.Event()
        return event


@dataclass
class TelegramUser:
    """One person in a private Telegram chat with the bot, through the fake."""

    fake: CityFake
    chat_id: int
    first_name: str = "Resident"
    language_code: str = "en"
    updates_sent: int = 0
    seen: int = field(default=0)
    acted_at: float = 0.0
    repeat: Callable[[], Any] | None = None
    floor: int = 0

    # --- acting -----------------------------------------------------------------------------

    def send(self, text: str | None, **extra: Any) -> None:
        """Type a message (or send a photo, location, contact through ``extra``)."""
        self.seen = self.fake.mark(self.chat_id)
        self.acted_at = time.monotonic()

        def push() -> None:
            self.fake.user_message(
                self.chat_id,
                text,
                first_name=self.first_name,
                language_code=self.language_code,
                **extra,
            )

        push()
        self.repeat = push
        self.updates_sent += 1

    def press_data(self, data: str, message_id: int) -> None:
        """Press a button whose data is known, on the bot's message ``message_id``."""
        self.seen = self.fake.mark(self.chat_id)
        self.acted_at = time.monotonic()

        def push() -> None:
            update = self.fake.user_callback(
                self.chat_id,
                data,
                message_id,
                first_name=self.first_name,
                language_code=self.language_code,
            )
            self.fake.note_callback(update, self.chat_id)

        push()
        self.repeat = push
        self.updates_sent += 1

    async def press(self, label: str | re.Pattern[str], timeout: float = STEP_TIMEOUT) -> None:
        """Press the newest inline button matching ``label``, waiting for it to be shown."""
        data, message_id = await self.wait_button(label, timeout)
        self.press_data(data, message_id)

    # --- reading ------------------------------------------------------------------------------

    def buttons(self, newest: int = 8) -> list[tuple[str, str, int]]:
        """Inline buttons as they are now: first on the messages sent or edited since the last
        action (the bot's answer to it, however many notices came meanwhile), newest first,
        then on the chat's ``newest`` messages, or on every message from ``floor`` if set."""
        history = self.fake.chats.sent.get(self.chat_id, [])
        changed = list(
            dict.fromkeys(reversed(self.fake.changes.get(self.chat_id, [])[self.seen :]))
        )
        # With a floor (a card being worked on) every message from it on: a burst of notices
        # must not push the card out of sight.
        start = self.floor if self.floor else len(history) - newest
        recent = [int(sent["message_id"]) for sent in reversed(history[max(0, start) :])]
        found: list[tuple[str, str, int]] = []
        for message_id in dict.fromkeys([*changed, *recent]):
            current = self.fake.chats.messages.get((self.chat_id, message_id))
            if current is None:
                continue
            markup = current.get("reply_markup") or {}
            for row in markup.get("inline_keyboard", ()):
                for button in row:
                    if "callback_data" in button:
                        found.append(
                            (str(button["text"]), str(button["callback_data"]), message_id)
                        )
        return found

    def find_button(self, label: str | re.Pattern[str], newest: int = 8) -> tuple[str, int] | None:
        """Callback data and message id of the newest button matching ``label``, if shown."""
        for text, data, message_id in self.buttons(newest):
            matches = label.search(text) if isinstance(label, re.Pattern) else label in text
            if matches:
                return data, message_id
        return None

    def button_on_mention(
        self, number: str, label: str, containing: str = ""
    ) -> tuple[str, int] | None:
        """The newest message naming ``number`` (and ``containing``) with a ``label`` button."""
        for message_id in reversed(self.fake.mentions.get((self.chat_id, number), ())):
            current = self.fake.chats.messages.get((self.chat_id, message_id)) or {}
            if containing not in str(current.get("text") or current.get("caption") or ""):
                continue
            markup = current.get("reply_markup") or {}
            for row in markup.get("inline_keyboard", ()):
                for button in row:
                    if label in str(button["text"]) and "callback_data" in button:
                        return str(button["callback_data"]), message_id
        return None

    async def wait_notice(
        self, number: str, label: str, containing: str = "", timeout: float = STEP_TIMEOUT
    ) -> tuple[str, int]:
        """Wait for a notice about case ``number`` carrying a ``label`` button."""
        found: tuple[str, int] = await self.until(
            lambda: self.button_on_mention(number, label, containing),
            f"notice on {number} with {label!r} {containing!r}",
            timeout,
            answer_expected=False,
        )
        return found

    def texts(self, since: int | None = None) -> list[str]:
        """Current texts (or captions) of the messages sent or edited since change ``since``."""
        changes = self.fake.changes.get(self.chat_id, [])
        found: list[str] = []
        for message_id in dict.fromkeys(changes[self.seen if since is None else since :]):
            current = self.fake.chats.messages.get((self.chat_id, message_id)) or {}
            found.append(str(current.get("text") or current.get("caption") or ""))
        return found

    async def until(
        self,
        found: Callable[[], Any],
        what: str,
        timeout: float = STEP_TIMEOUT,
        *,
        answer_expected: bool = True,
    ) -> Any:
        """Wait until ``found()`` returns something truthy; return it.

        When the bot has not answered the person's last action at all after ``SILENCE``
        seconds (and an answer is what is awaited), the action is repeated once.
        """
        event = self.fake.activity(self.chat_id)
        deadline = time.monotonic() + timeout
        while True:
            event.clear()
            result = found()
            if result:
                return result
            now = time.monotonic()
            if (
                answer_expected
                and self.repeat is not None
                and now - self.acted_at >= SILENCE
                and self.fake.mark(self.chat_id) == self.seen
            ):
                self.repeat()
                self.repeat = None
                self.fake.repeated_actions += 1
            remaining = deadline - now
            if answer_expected and self.repeat is not None:
                remaining = min(remaining, max(0.05, self.acted_at + SILENCE - now))
            if remaining <= 0:
                shown = [text for text, _data, _id in self.buttons()]
                raise StepTimeoutError(
                    f"chat {self.chat_id}: no {what} within {timeout:g} s; "
                    f"last texts {[t[:80] for t in self.texts()[-2:]]}; buttons {shown}"
                )
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                continue

    async def wait_button(
        self, label: str | re.Pattern[str], timeout: float = STEP_TIMEOUT
    ) -> tuple[str, int]:
        """Wait until a button matching ``label`` is shown; its data and message id."""
        found: tuple[str, int] = await self.until(
            lambda: self.find_button(label), f"button {label!r}", timeout
        )
        return found

    async def wait_text(
        self,
        pattern: re.Pattern[str],
        timeout: float = STEP_TIMEOUT,
        *,
        since: int | None = None,
        answer_expected: bool = True,
    ) -> re.Match[str]:
        """Wait until a message sent or edited since the last action matches ``pattern``."""

        def search() -> re.Match[str] | None:
            for text in reversed(self.texts(since)):
                match = pattern.search(text)
                if match:
                    return match
            return None

        found: re.Match[str] = await self.until(
            search, f"text {pattern.pattern!r}", timeout, answer_expected=answer_expected
        )
        return found

    async def turn_page(self, label: re.Pattern[str], timeout: float = STEP_TIMEOUT) -> None:
        """Press a pager button and wait until its own message changed.

        Not just any change: in a chat that notices keep arriving in, the next notice would
        pass for the new page.
        """
        data, message_id = await self.wait_button(label, timeout)
        self.press_data(data, message_id)
        start = self.seen
        await self.until(
            lambda: message_id in self.fake.changes.get(self.chat_id, [])[start:],
            f"page of message {message_id}",
            timeout,
        )

    async def wait_reply(self, timeout: float = STEP_TIMEOUT) -> None:
        """Wait until the bot sent or edited a message in this chat since the last action."""
        start = self.seen
        await self.until(lambda: self.fake.mark(self.chat_id) > start, "reply", timeout)
