"""A Chinese chat driven with the English labels of the flow helpers, and what it was shown.

``ZhChatUser`` speaks zh_CN to the bot but takes the English labels the helpers in
``tests.support.flows`` and the dialog tests use: a label typed or a button looked for is
translated through the catalogues (and the reference data's names) first. ``Shown`` gathers
every text, caption, button label, alert and outbox notice a set of chats met.
"""

from __future__ import annotations

import functools
import html
import json
import re
from collections.abc import Iterable
from typing import Any

from aiogram.methods import TelegramMethod
from aiogram.types import InlineKeyboardMarkup, ReplyKeyboardMarkup
from babel.messages.pofile import read_po

from bot.i18n import LOCALES_DIR
from services.demo.data import DEMO_DATA_PATH
from services.outbox.queue import Outgoing
from storage.models import OutboxMessage
from tests.support.chat import ChatUser

_PLACEHOLDER = re.compile(r"\{[^{}]*\}|%\(\w+\)[sd]")


def _po(locale: str) -> dict[str, str]:
    with (LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    pairs = {}
    for message in catalog:
        if message.id and isinstance(message.id, str) and isinstance(message.string, str):
            pairs[message.id] = message.string or message.id
    return pairs


def _names(node: Any, found: list[tuple[str, str]]) -> None:
    if isinstance(node, dict):
        if isinstance(node.get("name_en"), str) and isinstance(node.get("name_zh"), str):
            found.append((node["name_en"], node["name_zh"]))
        for value in node.values():
            _names(value, found)
    elif isinstance(node, list):
        for value in node:
            _names(value, found)


@functools.cache
def bilingual() -> list[tuple[str, str]]:
    """(English, Chinese) of every catalogue entry and reference name, shortest English first."""
    english, chinese = _po("en"), _po("zh_CN")
    pairs = [(english.get(msgid, msgid), text) for msgid, text in chinese.items()]
    _names(json.loads(DEMO_DATA_PATH.read_text(encoding="utf-8")), pairs)
    return sorted(pairs, key=lambda pair: len(pair[0]))


def _piece(chinese: str) -> str:
    """The longest literal part of a translation (placeholders and edges left out)."""
    parts = [part.strip() for part in _PLACEHOLDER.split(chinese)]
    return max(parts, key=len) if parts else chinese


def in_chinese(english: str) -> list[str]:
    """What ``english`` (a label or a part of one) may read as in Chinese, likeliest first."""
    exact = [zh for en, zh in bilingual() if en == english]
    partial = [_piece(zh) for en, zh in bilingual() if english in en and en != english]
    return [english, *exact, *(piece for piece in partial if piece)]


class ZhChatUser(ChatUser):
    """A chat whose client speaks Chinese, driven with English labels."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("language_code", "zh-hans")
        super().__init__(*args, **kwargs)
        self.typed: list[str] = []

    async def send(self, text: str) -> list[TelegramMethod[Any]]:
        exact = [zh for en, zh in bilingual() if en == text]
        typed = exact[0] if exact and not text.startswith("/") else text
        self.typed.append(typed)
        return await super().send(typed)

    def _first(self, english: str, find: Any) -> Any:
        for candidate in in_chinese(english):
            try:
                return find(candidate)
            except AssertionError:
                continue
        return find(english)  # the original error, naming the buttons there were

    def button(self, contains: str) -> str:
        return str(self._first(contains, super().button))

    def button_on_message(self, contains: str) -> tuple[str, int]:
        return self._first(contains, super().button_on_message)  # type: ignore[no-any-return]


def row_button(row: OutboxMessage, english: str) -> str:
    """Callback data of the button of a queued notice labelled ``english`` in Chinese."""
    buttons = [b for line in Outgoing.loads(row.payload).buttons for b in line]
    for candidate in in_chinese(english):
        for button in buttons:
            if candidate in button["text"] and "callback_data" in button:
                return button["callback_data"]
    raise AssertionError(f"no {english!r} button in {buttons}")


class Shown:
    """Everything some chats were shown, each piece with where it came from."""

    def __init__(self) -> None:
        self.items: dict[str, str] = {}  # text -> origin
        self.echoes: set[str] = set()

    def add(self, text: str | None, origin: str) -> None:
        if text and text.strip():
            self.items.setdefault(text, origin)

    def requests(self, requests: Iterable[TelegramMethod[Any]], chats: set[int]) -> None:
        for request in requests:
            chat = getattr(request, "chat_id", None)
            name = request.__api_method__
            if chat is not None and chat not in chats:
                continue
            for field in ("text", "caption"):
                value = getattr(request, field, None)
                if isinstance(value, str):
                    self.add(value, f"{name}.{field}")
            for item in getattr(request, "media", None) or []:
                self.add(getattr(item, "caption", None), f"{name}.media.caption")
            markup = getattr(request, "reply_markup", None)
            if isinstance(markup, InlineKeyboardMarkup):
                for line in markup.inline_keyboard:
                    for button in line:
                        self.add(button.text, f"{name} inline button")
            elif isinstance(markup, ReplyKeyboardMarkup):
                self.add(markup.input_field_placeholder, f"{name} placeholder")
                for line in markup.keyboard:
                    for key in line:
                        self.add(key.text, f"{name} reply button")

    def outbox(self, rows: Iterable[OutboxMessage]) -> None:
        for row in rows:
            message = Outgoing.loads(row.payload)
            self.add(message.text, f"outbox {row.kind}")
            for line in message.buttons:
                for button in line:
                    self.add(button["text"], f"outbox {row.kind} button")

    def typed_by(self, *users: ZhChatUser) -> None:
        """What the users typed themselves: an echo of it may stay as they wrote it."""
        for user in users:
            self.echoes.update(text for text in user.typed if len(text) > 3)

    def latin(self) -> dict[str, list[str]]:
        from tests.support.latin import latin_words

        found = {}
        for text, origin in self.items.items():
            stripped = text
            for echo in sorted(self.echoes, key=len, reverse=True):
                stripped = stripped.replace(echo, " ").replace(html.escape(echo), " ")
            words = latin_words(stripped)
            if words:
                found[f"[{origin}] {text}"] = words
        return found

    def check(self, *, at_least: int) -> None:
        assert len(self.items) >= at_least, (
            f"only {len(self.items)} distinct texts and labels were shown: the flows did not run"
        )
        print(f"{len(self.items)} distinct texts and labels checked")
        found = self.latin()
        assert not found, "Latin words in Chinese chats:\n" + "\n".join(
            f"{words} in {text!r}" for text, words in found.items()
        )
