"""The states of the administrators' outcome desk and of the new-outcome form."""

from __future__ import annotations

from aiogram.fsm.state import State, StatesGroup


class OutcomeDesk(StatesGroup):
    """A year's outcomes, an outcome, a suggestion, and what each move asks for."""

    list = State()
    card = State()
    item = State()
    topic = State()
    review_by = State()
    review_on = State()
    review_text = State()
    lead = State()
    co = State()
    due = State()
    feedback = State()
    undo = State()


class OutcomeForm(StatesGroup):
    """A new outcome: where it came from, its title, suggestions, cases, topic, key, review."""

    source = State()
    pick = State()
    research_on = State()
    members = State()
    title = State()
    suggestions = State()
    cases = State()
    topic = State()
    key = State()
    review = State()
