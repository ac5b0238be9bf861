"""Raw Telegram updates: what the webhook accepts as one, and the JSON the inbox keeps."""

from __future__ import annotations

import json
from typing import Any

from aiogram import Bot
from aiogram.types import Update
from aiogram.types.update import UpdateTypeLookupError
from pydantic import ValidationError

INT64 = 2**63


class MalformedUpdateError(ValueError):
    """A request body that is not a Telegram update."""


def parse_update(body: bytes, bot: Bot) -> tuple[Update, str]:
    """The update in a webhook body and the JSON text to store; MalformedUpdateError if it is none.

    Refused: anything but a JSON object, an object aiogram cannot read as an Update or with no
    event it knows, integers beyond 64 bits (ids are stored as BIGINT), NaN and strings that
    are not valid Unicode.
    """
    try:
        raw: Any = json.loads(body)
    except (ValueError, RecursionError) as error:
        raise MalformedUpdateError("not JSON") from error
    if not isinstance(raw, dict):
        raise MalformedUpdateError("not a JSON object")
    if not _fits_int64(raw):
        raise MalformedUpdateError("an integer out of range")
    try:
        text = json.dumps(raw, ensure_ascii=False, allow_nan=False)
        text.encode()
    except (ValueError, RecursionError) as error:  # NaN, a lone surrogate
        raise MalformedUpdateError("not storable") from error
    try:
        parsed = Update.model_validate(raw, context={"bot": bot})
    except (ValidationError, ValueError, TypeError, RecursionError) as error:
        raise MalformedUpdateError("not an update") from error
    if parsed.update_id < 0:
        raise MalformedUpdateError("a negative update id")
    try:
        parsed.event_type  # noqa: B018  (the lookup raises for an update with no event)
    except UpdateTypeLookupError as error:
        raise MalformedUpdateError("no event") from error
    return parsed, text


def _fits_int64(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, int) and not -INT64 <= item < INT64:
            return False
    return True


def dump_update(update: Update) -> str:
    """An update as Telegram sent it (the fields it set), for the inbox."""
    return update.model_dump_json(by_alias=True, exclude_unset=True)
