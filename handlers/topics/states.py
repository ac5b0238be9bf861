"""The steps of the topic dialogs: suggesting a topic, and the office's topic desk."""

from aiogram.fsm.state import State, StatesGroup


class TopicSuggest(StatesGroup):
    """A resident or a member suggests a topic: station, title, description, source, review."""

    station = State()
    title = State()
    description = State()
    source = State()
    review = State()


class TopicDesk(StatesGroup):
    """The office's desk: the list, a card, declining, placing in the plan, the plan, a new one."""

    list = State()
    card = State()
    reason = State()
    committee = State()
    month = State()
    form = State()
    placing = State()
    plan = State()
    new_source = State()
    new_title = State()
