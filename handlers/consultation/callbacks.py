"""Callback data of a consultation's preparation notices."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class DraftCommentCB(CallbackData, prefix="dc"):
    """The “Comment” button of a meeting's draft report, checked again on each press."""

    meeting: int
