"""The department handler's dialog states; stored with the dialog, so a restart keeps them."""

from aiogram.fsm.state import State, StatesGroup


class HandlingWork(StatesGroup):
    """Where a department handler is in answering proposals and outcome suggestions."""

    items = State()
    card = State()
    answer_text = State()
    adoption = State()
    confirm = State()
    more_days = State()
    more_reason = State()
    face_date = State()
    face_note = State()
