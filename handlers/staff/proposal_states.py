"""The windows of the office's proposals desk."""

from aiogram.fsm.state import State, StatesGroup


class StaffProposals(StatesGroup):
    """The shelves, a shelf's page, a card, and the steps of not registering and assigning."""

    shelves = State()
    shelf = State()
    card = State()
    refuse_reason = State()
    refuse_kind = State()
    refuse_department = State()
    assign_lead = State()
    assign_co = State()
    assign_due = State()
    assign_confirm = State()
    mark = State()
    paper_who = State()
    paper_title = State()
    paper_situation = State()
    paper_items = State()
    paper_cosigners = State()
    paper_confirm = State()
