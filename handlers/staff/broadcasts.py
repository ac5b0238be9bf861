"""Broadcasts: staff compose a notice, choose an audience, preview, send or schedule, cancel."""

from __future__ import annotations

from aiogram import Router


def setup() -> Router:
    """The handlers of this module, on a fresh router."""
    return Router(name="staff-broadcasts")
