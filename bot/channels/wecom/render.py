"""Bot API texts and keyboards as WeCom draws them: plain text with links, cards, numbers.

WeCom's text messages show ``<a href>`` links and nothing else of Telegram's HTML, and take
2048 bytes; a ``button_interaction`` card takes at most six buttons, a short title and a
sub-title. A keyboard a card cannot hold (more buttons, links, a reply keyboard) becomes
numbered options under the text, answered by typing the number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape, unescape
from html.parser import HTMLParser

from aiogram.types import (
    ForceReply,
    InlineKeyboardMarkup,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from services.chats.wecom_messages import DrawnButton

MAX_TEXT_BYTES = 2048
MAX_CARD_BUTTONS = 6
# WeCom's card limits, in characters: the title, the sub-title, a button's label.
MAX_TITLE = 36
MAX_SUBTITLE = 160
MAX_LABEL = 20
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | ForceReply | None


def clean_text(text: str) -> str:
    """Text as it arrived, without control characters other than newline and tab."""
    return CONTROL.sub("", text.replace("\r\n", "\n"))


class _Flattener(HTMLParser):
    """Telegram HTML to WeCom text: tags dropped, ``<a href>`` kept, entities decoded."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._link: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._link = dict(attrs).get("href")
            if self._link:
                self.parts.append(f'<a href="{escape(self._link)}">')
        elif tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._link:
            self.parts.append("</a>")
            self._link = None

    def handle_data(self, data: str) -> None:
        # Outside a link, "<" and "&" are shown as typed; WeCom reads only <a> as markup.
        self.parts.append(data)


def to_wecom_text(text: str, parse_mode: str | None) -> str:
    """A Bot API text in WeCom's text: HTML flattened to plain text with its links kept."""
    if parse_mode is None or parse_mode.upper() != "HTML":
        return text
    flattener = _Flattener()
    flattener.feed(text)
    flattener.close()
    return "".join(flattener.parts)


def plain(text: str) -> str:
    """WeCom text without its links' markup, for a card, which shows no links."""
    return unescape(re.sub(r"<a href=\"([^\"]*)\">(.*?)</a>", r"\2 (\1)", text, flags=re.S))


def split_text(text: str, limit: int = MAX_TEXT_BYTES) -> list[str]:
    """Parts of at most ``limit`` UTF-8 bytes, cut at line ends where possible, never in a link."""
    parts: list[str] = []
    rest = text
    while len(rest.encode()) > limit:
        cut = _cut(rest, limit)
        parts.append(rest[:cut].rstrip("\n"))
        rest = rest[cut:].lstrip("\n")
    if rest or not parts:
        parts.append(rest)
    return parts


def _cut(text: str, limit: int) -> int:
    """Where to cut ``text`` so the head fits in ``limit`` bytes."""
    size = 0
    fits = 0
    for index, char in enumerate(text):
        size += len(char.encode())
        if size > limit:
            break
        fits = index + 1
    head = text[:fits]
    links = [(m.start(), m.end()) for m in re.finditer(r"<a href=\"[^\"]*\">.*?</a>", text, re.S)]
    for start, end in links:
        if start < fits < end:
            fits = start if start > 0 else min(end, len(text))
            head = text[:fits]
            break
    newline = head.rfind("\n")
    if newline > fits // 2:
        return newline + 1
    return fits or 1


@dataclass(frozen=True)
class Drawing:
    """How a message's keyboard is drawn: card buttons, numbered options, or nothing."""

    card: list[DrawnButton]
    numbered: list[DrawnButton]
    # Links of URL buttons, listed under the text.
    links: list[tuple[str, str]]


def drawing(markup: Markup) -> Drawing:
    """Sort a keyboard into what WeCom can draw."""
    if isinstance(markup, ReplyKeyboardMarkup):
        labels = [button.text for row in markup.keyboard for button in row]
        numbered = [
            DrawnButton(kind="text", data=label, label=label, position=index)
            for index, label in enumerate(labels, start=1)
        ]
        return Drawing(card=[], numbered=numbered, links=[])
    if not isinstance(markup, InlineKeyboardMarkup):
        return Drawing(card=[], numbered=[], links=[])
    buttons = [button for row in markup.inline_keyboard for button in row]
    # A calendar pads its grid with blank buttons: as numbered options they are empty lines.
    callbacks = [b for b in buttons if b.callback_data is not None and b.text.strip()]
    links = [(b.text, b.url) for b in buttons if b.url]
    if len(callbacks) <= MAX_CARD_BUTTONS and not links:
        card = [
            DrawnButton(kind="callback", data=str(b.callback_data), label=b.text) for b in callbacks
        ]
        return Drawing(card=card, numbered=[], links=[])
    numbered = [
        DrawnButton(kind="callback", data=str(b.callback_data), label=b.text, position=index)
        for index, b in enumerate(callbacks, start=1)
    ]
    return Drawing(card=[], numbered=numbered, links=links)


def numbered_text(text: str, drawn: Drawing) -> str:
    """The text with its numbered options and links under it."""
    lines = [text] if text else []
    if drawn.numbered:
        lines.append("")
        lines.extend(f"{button.position}. {button.label}" for button in drawn.numbered)
    if drawn.links:
        lines.append("")
        lines.extend(f'<a href="{escape(url)}">{escape(label)}</a>' for label, url in drawn.links)
    return "\n".join(lines)


def fits_card(text: str) -> bool:
    """Whether a text fits a card's title and sub-title."""
    title, _, rest = plain(text).strip().partition("\n")
    return len(title) <= MAX_TITLE and len(rest.strip()) <= MAX_SUBTITLE


def shorten(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def card(
    text: str, buttons: list[tuple[str, str]], *, task_id: str, whole: bool
) -> dict[str, object]:
    """A ``button_interaction`` card: the text (``whole``: it fits), buttons (key, label).

    A text too long for the card goes before it as a text message; the card then shows the
    text's first line as its title, so the buttons still say what they answer.
    """
    flat = plain(text).strip()
    title, _, rest = flat.partition("\n")
    body: dict[str, object] = {
        "card_type": "button_interaction",
        "main_title": {"title": shorten(title, MAX_TITLE) or "…"},
        "task_id": task_id,
        "button_list": [
            {"text": shorten(label, MAX_LABEL), "style": 1, "key": key} for key, label in buttons
        ],
    }
    if whole and rest.strip():
        body["sub_title_text"] = rest.strip()
    return body
