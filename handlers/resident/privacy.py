"""A resident's own data: /mydata sends everything stored about them, /forget erases it."""

from __future__ import annotations

from aiogram import Router


def setup() -> Router:
    """The handlers of this module, on a fresh router."""
    return Router(name="resident-privacy")
