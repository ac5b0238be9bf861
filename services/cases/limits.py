"""Limits on what residents send, and the checks that enforce them."""

from __future__ import annotations

import re

import phonenumbers

from services.errors import DomainError

DESCRIPTION_MIN = 10
DESCRIPTION_MAX = 2000
MAX_PHOTOS = 3
PHONE_MAX = 32
PHOTO_MAX_BYTES = 10 * 1024 * 1024
PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})

# Numbers typed without a country code are read as the committee's own.
HOME_REGION = "CN"
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


def normalize_phone(raw: str, *, region: str = HOME_REGION) -> str:
    """Return a phone number as people dial it, or raise if it cannot be one.

    phonenumbers reads what people type (spaces, dashes, brackets, full-width digits); a
    number written with its country code is kept in E.164 (``+8613800138000``), one written
    without it as the digits of the committee's national format (``13800138000``,
    ``01012345678``), so staff call it as the resident wrote it.
    """
    text = raw.strip()
    if len(text) > PHONE_MAX:
        raise DomainError("phone_invalid")
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise DomainError("phone_invalid") from None
    if not phonenumbers.is_valid_number(number):
        raise DomainError("phone_invalid")
    if text.startswith(("+", "＋")):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return re.sub(r"\D", "", national)
