"""The broadcast dialog's states and buttons (callback prefixes ``ba`` to ``bf``)."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.state import State, StatesGroup

from handlers.notices.broadcasts import BroadcastCancelCB

__all__ = ["BroadcastAudienceCB", "BroadcastCancelCB", "BroadcastForm", "BroadcastReviewCB"]


class BroadcastForm(StatesGroup):
    """A staff member composing a broadcast."""

    audience = State()
    text = State()
    attachment = State()
    review = State()
    schedule = State()


class BroadcastAudienceCB(CallbackData, prefix="ba"):
    """An audience kind (members, sector, group, committee, meeting, station ...) and a value."""

    kind: str
    value: str = ""


class BroadcastReviewCB(CallbackData, prefix="bb"):
    """Send, schedule, edit a part of, or discard the draft; ``draft`` ties it to one draft."""

    action: str
    draft: str
