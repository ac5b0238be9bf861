"""The steps of a member's proposal dialogs: writing one, the list and card, rating one."""

from aiogram.fsm.state import State, StatesGroup


class ProposalForm(StatesGroup):
    """Writing a proposal: title, situation, items, co-signers, files, then the review."""

    title = State()
    situation = State()
    suggestions = State()
    cosigners = State()
    files = State()
    review = State()


class MyProposals(StatesGroup):
    """The member's proposals: the list, one card, and the rating of its handling."""

    list = State()
    card = State()
    rate = State()
    reason = State()
    confirm = State()
