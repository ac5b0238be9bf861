"""Limits on what residents send, and the checks that enforce them."""

from __future__ import annotations

import re

from services.errors import DomainError

DESCRIPTION_MIN = 10
DESCRIPTION_MAX = 2000
MAX_PHOTOS = 3
PHONE_MAX = 32
PHOTO_MAX_BYTES = 10 * 1024 * 1024
PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})

_PHONE_RE = re.compile(r"^\+?\d{6,15}$")
# Control characters other than newline and tab would garble the message they end up in.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def clean_text(text: str) -> str:
    """Text people typed, trimmed and without control characters."""
    return _CONTROL_RE.sub("", text).strip()


def check_description(text: str) -> str:
    """Return the trimmed description, or raise if it is too short or too long."""
    cleaned = text.strip()
    if len(cleaned) < DESCRIPTION_MIN:
        raise DomainError("description_too_short", length=len(cleaned), minimum=DESCRIPTION_MIN)
    if len(cleaned) > DESCRIPTION_MAX:
        raise DomainError("description_too_long", length=len(cleaned), maximum=DESCRIPTION_MAX)
    return cleaned


def normalize_phone(raw: str) -> str:
    """Return a phone number as digits with an optional leading +, or raise if it is not one.

    Spaces, dashes, dots and brackets people type are dropped; a mainland mobile number
    written with the +86 prefix keeps it.
    """
    compact = re.sub(r"[\s\-().]", "", raw.strip())
    if not _PHONE_RE.match(compact):
        raise DomainError("phone_invalid")
    return compact
