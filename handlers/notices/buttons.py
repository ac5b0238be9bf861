"""Inline buttons as the outbox stores them."""

from __future__ import annotations

from typing import Any

Button = dict[str, str]


def button(text: str, callback_data: Any) -> Button:
    """One inline button: its text and its packed callback data."""
    return {"text": text, "callback_data": callback_data.pack()}
