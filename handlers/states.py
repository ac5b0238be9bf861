"""Dialog states; stored in the database so a restart keeps them."""

from aiogram.fsm.state import State, StatesGroup


class ReportForm(StatesGroup):
    """A resident writing a report, step by step."""

    station = State()
    category = State()
    description = State()
    photos = State()
    location = State()
    contact = State()
    phone = State()
    review = State()
