"""Bot API messages drawn as WeChat text: plain text with links, buttons as menu links.

WeChat text knows one piece of markup, ``<a href>``; everything else of Telegram's HTML
becomes plain text. An inline keyboard becomes lines of ``weixin://bizmsgmenu`` links, whose
tap comes back as a text message carrying the link's ``msgmenuid`` (our button's token).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from aiogram import Bot
from aiogram.client.default import Default
from aiogram.types import InlineKeyboardMarkup, ReplyKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from services.chats.wechat import DrawnButton

# How long a file's link works (bot/channels/wechat/files.py).
LINK_HOURS = 24
# WeChat's limit for one text message, in bytes of UTF-8.
MAX_TEXT_BYTES = 2048
LINK = re.compile(r"<a href=\"[^\"]*\">.*?</a>", re.DOTALL)
# Text that would read as a link to WeChat once sent: user text must never become one.
_LINK_OPENING = re.compile(r"<(?=\s*/?\s*a\b)", re.IGNORECASE)


class _Flattener(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self._href: str | None = None
        self._label: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href = dict(attrs).get("href") or ""
            self._label = []
        elif tag == "br":
            self.out.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            label = "".join(self._label)
            self.out.append(link(self._href, label) if self._href else safe_text(label))
            self._href = None

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._label.append(data)
        else:
            self.out.append(safe_text(data))


def mode_of(bot: Bot, value: Any) -> str | None:
    """The parse mode a call asks for, the Bot's default resolved."""
    if isinstance(value, Default):
        value = bot.default[value.name]
    return str(value) if value else None


def hints() -> dict[str, str]:
    """The words for what WeChat cannot do, in the language of the update being handled."""
    hours = LINK_HOURS
    try:
        return {
            "location": _("📍 To share a location: tap + below, then Location."),
            "contact": _("☎️ Please type your phone number."),
            "document": _("The link works for {hours} hours.").format(hours=hours),
        }
    except LookupError:  # no language chosen (a call from outside any update or delivery)
        return {
            "location": "📍 To share a location: tap + below, then Location.",
            "contact": "☎️ Please type your phone number.",
            "document": f"The link works for {hours} hours.",
        }


def safe_text(text: str) -> str:
    """Plain text that WeChat will not read as a link."""
    return _LINK_OPENING.sub("＜", text)


def link(href: str, label: str) -> str:
    """A WeChat text link."""
    return f'<a href="{html.escape(href, quote=True)}">{safe_text(label)}</a>'


def plain_text(text: str | None, parse_mode: str | None) -> str:
    """Telegram text (HTML or plain) as WeChat text: plain, with its links kept."""
    if not text:
        return ""
    if (parse_mode or "").lower() != "html":
        return safe_text(text)
    flattener = _Flattener()
    flattener.feed(text)
    flattener.close()
    return "".join(flattener.out)


def menu_link(label: str, token: str) -> str:
    """A link whose tap sends ``label`` back as a message carrying ``token``."""
    # The content is echoed back as the message text; quotes and ampersands would end it.
    content = re.sub(r"[\"&<>#]", " ", label).strip() or "?"
    return f'<a href="weixin://bizmsgmenu?msgmenucontent={content}&msgmenuid={token}">{content}</a>'


@dataclass
class Keyboard:
    """A keyboard as WeChat draws it: buttons to store, links, hints; or nothing (the menu)."""

    buttons: list[DrawnButton]
    # Lines of (button index or None, text): a None line is drawn as it is.
    lines: list[list[tuple[int | None, str]]]

    def draw(self, tokens: list[str]) -> str:
        """The lines under the text, with the stored buttons' tokens."""
        drawn = []
        for line in self.lines:
            items = [
                menu_link(text, tokens[index]) if index is not None else text
                for index, text in line
            ]
            drawn.append("   ".join(items))
        return "\n".join(drawn)


def keyboard(markup: Any, hints: dict[str, str]) -> Keyboard:
    """What a reply markup becomes; a persistent reply keyboard is the main menu, not drawn.

    The main menu is WeChat's own custom menu, always under the chat: repeating it under every
    message would drown the text. ``hints`` holds the localized words for what WeChat cannot
    do: ``location`` (share it with + -> Location) and ``contact`` (type the number).
    """
    result = Keyboard(buttons=[], lines=[])
    if isinstance(markup, InlineKeyboardMarkup):
        for row in markup.inline_keyboard:
            line: list[tuple[int | None, str]] = []
            for button in row:
                if button.callback_data is not None:
                    result.buttons.append(
                        DrawnButton(kind="callback", data=button.callback_data, label=button.text)
                    )
                    line.append((len(result.buttons) - 1, button.text))
                elif button.url is not None:
                    line.append((None, link(button.url, button.text)))
            if line:
                result.lines.append(line)
    elif isinstance(markup, ReplyKeyboardMarkup) and not markup.is_persistent:
        for reply_row in markup.keyboard:
            reply_line: list[tuple[int | None, str]] = []
            for reply_button in reply_row:
                label = reply_button.text
                if reply_button.request_location:
                    reply_line.append((None, hints["location"]))
                elif reply_button.request_contact:
                    reply_line.append((None, hints["contact"]))
                else:
                    result.buttons.append(DrawnButton(kind="text", data=label, label=label))
                    reply_line.append((len(result.buttons) - 1, label))
            if reply_line:
                result.lines.append(reply_line)
    return result


def _size(text: str) -> int:
    return len(text.encode())


def split_text(text: str, limit: int = MAX_TEXT_BYTES) -> list[str]:
    """Pieces of at most ``limit`` bytes, cut between lines where it can, never inside a link."""
    if _size(text) <= limit:
        return [text]
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if _size(candidate) <= limit:
            current = candidate
            continue
        if current:
            pieces.append(current)
        current = ""
        for atom in _atoms(line):
            if _size(current + atom) > limit:
                if current:
                    pieces.append(current)
                current = atom if _size(atom) <= limit else _cut(atom, limit, pieces)
            else:
                current += atom
    if current:
        pieces.append(current)
    return pieces


def _atoms(line: str) -> list[str]:
    """A line as links (kept whole) and single characters."""
    atoms: list[str] = []
    position = 0
    for match in LINK.finditer(line):
        atoms.extend(line[position : match.start()])
        atoms.append(match.group(0))
        position = match.end()
    atoms.extend(line[position:])
    return atoms


def _cut(atom: str, limit: int, pieces: list[str]) -> str:
    """A link longer than a whole message: sent as plain characters, it cannot be kept."""
    current = ""
    for char in atom:
        if _size(current + char) > limit:
            pieces.append(current)
            current = ""
        current += char
    return current
