"""Staff reports in the chat: minimums, cases by station, category and status, timings."""

from __future__ import annotations

from aiogram import Router


def setup() -> Router:
    """The handlers of this module, on a fresh router."""
    return Router(name="staff-stats")
