"""Telegram's HTML parse mode: the tags it supports, balanced, or its parse errors verbatim."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from tests.support.fake_bot_api.protocol import ApiError, bad_request

_HTML_TAGS = frozenset(
    (
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "a",
        "tg-emoji",
        "tg-time",
        "code",
        "pre",
        "blockquote",
    )
)


def entities_error(reason: str) -> ApiError:
    """Telegram's answer to text it cannot parse."""
    return bad_request(f"can't parse entities: {reason}")


class TelegramHTML(HTMLParser):
    """Checks HTML as Telegram does and returns the text a user sees."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self._source = source
        self._parts: list[str] = []
        self._open: list[str] = []

    def parse(self) -> str:
        """The visible text; raises ApiError with Telegram's wording on bad markup."""
        self.feed(self._source)
        self.close()
        if self._open:
            raise entities_error(
                f'Can\'t find end tag corresponding to start tag "{self._open[-1]}"'
            )
        return "".join(self._parts)

    def _offset(self) -> int:
        line, column = self.getpos()
        lines = self._source.split("\n")
        index = sum(len(text) + 1 for text in lines[: line - 1]) + column
        return len(self._source[:index].encode())

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _HTML_TAGS:
            raise entities_error(f'Unsupported start tag "{tag}" at byte offset {self._offset()}')
        self._open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # Telegram has no void tags: "<br/>" is as unsupported as "<br>".
        raise entities_error(f'Unsupported start tag "{tag}" at byte offset {self._offset()}')

    def handle_endtag(self, tag: str) -> None:
        if not self._open:
            raise entities_error(f"Unexpected end tag at byte offset {self._offset()}")
        expected = self._open.pop()
        if expected != tag:
            raise entities_error(
                f'Unmatched end tag at byte offset {self._offset()}, expected "</{expected}>", '
                f'found "</{tag}>"'
            )

    def handle_data(self, data: str) -> None:
        self._parts.append(data)


def visible_text(text: str, parse_mode: Any) -> str:
    """The text a user sees: HTML is parsed (and validated) like Telegram; other modes kept."""
    if (
        isinstance(parse_mode, str)
        and parse_mode.lower() == "html"
        and ("<" in text or "&" in text)
    ):
        return TelegramHTML(text).parse()
    return text


def utf16_length(text: str) -> int:
    """A length as Telegram measures it, in UTF-16 code units: an emoji counts twice."""
    return len(text.encode("utf-16-le")) // 2
