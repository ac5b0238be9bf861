"""Who a browser is: a signed cookie gives each browser its own resident chat id."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

COOKIE_NAME = "liaison_chat"
COOKIE_MAX_AGE = 365 * 24 * 3600
# Positive, unique enough, and exact in a JavaScript number.
CHAT_ID_FLOOR = 10**12
CHAT_ID_SPAN = 2**52 - 10**12


@dataclass(frozen=True)
class Persona:
    """Someone the demo lets a newcomer act as; ``chat_id`` None means "this browser"."""

    key: str
    label: str
    chat_id: int | None = None


def is_decimal(value: str) -> bool:
    """Whether ``value`` is a plain ASCII number that ``int()`` reads."""
    return value.isascii() and value.isdigit()


class CookieSigner:
    """Signs and checks the chat id carried by the web chat cookie."""

    def __init__(self, secret: bytes) -> None:
        self.secret = secret

    def _signature(self, chat_id: int) -> str:
        return hmac.new(self.secret, str(chat_id).encode(), hashlib.sha256).hexdigest()[:32]

    def new_chat_id(self) -> int:
        """A fresh chat id for a browser seen for the first time."""
        return CHAT_ID_FLOOR + secrets.randbelow(CHAT_ID_SPAN)

    def dumps(self, chat_id: int) -> str:
        """The cookie value for a chat id."""
        return f"{chat_id}.{self._signature(chat_id)}"

    def loads(self, value: str | None) -> int | None:
        """The chat id in a cookie, or None when it is missing, malformed or forged."""
        if not value or "." not in value:
            return None
        raw_id, signature = value.split(".", 1)
        # str.isdigit also accepts "²" and other digits int() refuses: ASCII only.
        if not is_decimal(raw_id) or len(raw_id) > 19:
            return None
        chat_id = int(raw_id)
        if not hmac.compare_digest(self._signature(chat_id), signature):
            return None
        return chat_id
