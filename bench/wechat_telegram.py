"""The Telegram baseline of ``bench/wechat.py``: the same report flow through the fake Bot API.

The bot's sends and edits to each chat (``RATE_LIMITED_METHODS``, the calls Telegram counts
as messages) are what a report costs there.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from typing import Any

from bench.wechat_walk import (
    CASE_NUMBER,
    FLOW,
    LATITUDE,
    LONGITUDE,
    REPORT_STEPS,
    Step,
    StepError,
    description,
    mean,
)
from tests.support.fake_bot_api import RATE_LIMITED_METHODS, FakeBotAPI


class TelegramResident:
    """A person in a private Telegram chat walking the flow through the fake Bot API."""

    def __init__(self, fake: FakeBotAPI, chat_id: int, description: str) -> None:
        self.fake = fake
        self.description = description
        self.chat_id = chat_id
        self.shown: dict[str, Any] = {}

    async def walk(self, timeout: float) -> str:
        """The report flow to the case number; the case number."""
        for step in FLOW[:REPORT_STEPS]:
            mark = len(self.fake.sent_to(self.chat_id))
            self._act(step)
            self.shown = await self._expect(step.expect, mark, timeout)
        match = CASE_NUMBER.search(str(self.shown.get("text")))
        if match is None:
            raise StepError(f"telegram {self.chat_id}: no case number in {self.shown}")
        return match.group()

    def messages(self) -> Counter[str]:
        """The bot's message calls to this chat (sends and edits), by method."""
        return Counter(
            call.method
            for call in self.fake.calls
            if call.chat_id == self.chat_id and call.method in RATE_LIMITED_METHODS
        )

    def _act(self, step: Step) -> None:
        fake, chat = self.fake, self.chat_id
        if step.kind == "event":
            fake.user_message(chat, "/start")
        elif step.kind == "say":
            fake.user_message(chat, step.value or self.description)
        elif step.kind == "photo":
            size = {"width": 800, "height": 600}
            photo = [{"file_id": f"AgAD-{chat}", "file_unique_id": f"u-{chat}", **size}]
            fake.user_message(chat, None, photo=photo)
        elif step.kind == "location":
            fake.user_message(chat, None, location={"latitude": LATITUDE, "longitude": LONGITUDE})
        elif step.value == "Done":
            # Telegram's photo step ends with a reply-keyboard button, typed as text.
            fake.user_message(chat, "✅ Done")
        else:
            fake.user_callback(chat, _button(self.shown, step.value), self.shown["message_id"])

    async def _expect(self, fragment: str, mark: int, timeout: float) -> dict[str, Any]:
        def found() -> dict[str, Any] | None:
            for message in self.fake.sent_to(self.chat_id)[mark:]:
                if fragment in str(message.get("text") or ""):
                    return message
            return None

        try:
            await self.fake.wait_for(found, timeout, what=f"{fragment!r} in chat {self.chat_id}")
        except TimeoutError:
            last = [str(m.get("text"))[:80] for m in self.fake.sent_to(self.chat_id)[mark:]]
            raise StepError(f"telegram {self.chat_id}: no {fragment!r} in {last}") from None
        message = found()
        assert message is not None
        return message


def _button(message: dict[str, Any], label: str) -> str:
    for row in (message.get("reply_markup") or {}).get("inline_keyboard") or []:
        for item in row:
            if label in item["text"]:
                return str(item["callback_data"])
    raise StepError(f"no {label!r} button in {message.get('text')!r}")


async def telegram_costs(
    fake: FakeBotAPI, residents: int, timeout: float, rng: random.Random
) -> dict[str, Any]:
    """The report flow for ``residents`` chats at once; the bot's message calls per report."""
    people = [
        TelegramResident(fake, 7_700_000 + index, description(rng)) for index in range(residents)
    ]
    outcomes = await asyncio.gather(
        *(person.walk(timeout) for person in people), return_exceptions=True
    )
    failures = [str(outcome) for outcome in outcomes if isinstance(outcome, StepError)]
    for outcome in outcomes:
        if isinstance(outcome, BaseException) and not isinstance(outcome, StepError):
            raise outcome
    walked = zip(people, outcomes, strict=True)
    done = [person for person, outcome in walked if isinstance(outcome, str)]
    counts = [person.messages() for person in done]
    methods: Counter[str] = Counter()
    for count in counts:
        methods.update(count)
    totals = [sum(count.values()) for count in counts]
    return {
        "reports_completed": len({outcome for outcome in outcomes if isinstance(outcome, str)}),
        "telegram_messages_per_report": mean(totals),
        "by_method": {name: round(value / len(done), 2) for name, value in sorted(methods.items())},
        "failures": failures,
    }
