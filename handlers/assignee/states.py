"""The assignees' dialog states; stored with the dialog, so a restart keeps them."""

from aiogram.fsm.state import State, StatesGroup


class Casework(StatesGroup):
    """Where an assignee is in their casework."""

    cases = State()
    case = State()
    reply = State()
    confirm = State()
    more_days = State()
    more_reason = State()
    handback = State()
    note = State()


class ConditionsReport(StatesGroup):
    """A member writing a social-conditions report from the cases assigned to them."""

    cases = State()
    title = State()
    body = State()
    review = State()
