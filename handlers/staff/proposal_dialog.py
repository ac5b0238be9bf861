"""The windows of the office's proposals desk, and the card's action buttons.

The card's actions are :class:`ProposalCB` buttons naming the proposal and the state the card
was drawn for; they carry no intent id, so the desk's router takes them wherever they are
pressed (see :mod:`handlers.staff.proposal_desk`). The other buttons are the dialog's own.
"""

from __future__ import annotations

from operator import itemgetter
from typing import Any

from aiogram.types import InlineKeyboardButton
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager, Window
from aiogram_dialog.api.internal import RawKeyboard
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import (
    Button,
    Column,
    Keyboard,
    Multiselect,
    Row,
    ScrollingGroup,
    Select,
    StubScroll,
    SwitchTo,
)
from aiogram_dialog.widgets.text import Format

from handlers.dialogs.calendar import DayCalendar
from handlers.dialogs.guard import guard
from handlers.dialogs.markup import OutsideButtons
from handlers.dialogs.paging import choices, page_buttons
from handlers.dialogs.text import T
from handlers.pipeline_callbacks import ProposalCB
from handlers.staff import proposal_assign_steps as assigning
from handlers.staff import proposal_steps as steps
from handlers.staff.proposal_paper import paper_windows
from handlers.staff.proposal_states import StaffProposals
from services.translation import N_

STAFF_ACTIONS = frozenset({"review", "register", "refuse", "assign", "mark"})
# What each action needs the proposal to be in, and the window it opens.
NEEDS = {
    "register": ("submitted",),
    "refuse": ("submitted",),
    "assign": ("registered", "assigned"),
    "mark": ("registered", "assigned", "answered", "rehandling", "closed"),
}
UNPUBLISHABLE = ("submitted", "not_registered")
CARD_BUTTONS = (
    ("register", N_("✅ Register")),
    ("refuse", N_("✖ Do not register")),
    ("assign", N_("🏢 Assign departments")),
    ("mark", N_("🏅 Year-end mark")),
)


class ProposalActions(Keyboard):
    """The card's actions that the state allows, as ProposalCB buttons naming that state."""

    async def _render_keyboard(self, data: dict[str, Any], manager: DialogManager) -> RawKeyboard:
        rows: RawKeyboard = []
        for action, label in CARD_BUTTONS:
            if data.get("state") in NEEDS[action]:
                packed = ProposalCB(action=action, id=int(data["id"]), v=str(data["v"])).pack()
                rows.append([InlineKeyboardButton(text=_(label), callback_data=packed)])
        return rows


def _publishable(data: dict[str, Any], widget: Any, manager: DialogManager) -> bool:
    """A registered proposal not yet on the published list."""
    return bool(data.get("id")) and not data["public"] and data["state"] not in UNPUBLISHABLE


def _back(state: Any, widget: str) -> SwitchTo:
    return SwitchTo(T("◀ Back"), id=widget, state=state)


def proposals_dialog() -> Dialog:
    """The desk's windows, built fresh for each Dispatcher."""
    card_back = _back(StaffProposals.card, "to_card")
    dialog = Dialog(
        Window(
            T("<b>Proposals</b> · choose a list."),
            Column(
                Select(
                    Format("{item[1]}"),
                    id="shelf",
                    item_id_getter=itemgetter(0),
                    items="shelves",
                    on_click=steps.shelf_chosen,
                )
            ),
            SwitchTo(T("📝 Enter a paper proposal"), id="paper", state=StaffProposals.paper_who),
            getter=steps.shelves_getter,
            state=StaffProposals.shelves,
        ),
        Window(
            Format("<b>{shelf_name}</b>"),
            T("Nothing here.", when="empty"),
            T("Page {page} of {pages}.", when="paged"),
            choices("prop", steps.proposal_chosen),
            StubScroll(id="shelf_pages", pages="pages"),
            page_buttons(
                "shelf_pages", back=("prev", N_("◀ Back")), forward=("next", N_("More ▶"))
            ),
            _back(StaffProposals.shelves, "to_shelves"),
            getter=steps.shelf_getter,
            state=StaffProposals.shelf,
        ),
        Window(
            Format("{card}"),
            ProposalActions(),
            Button(
                T("🌐 Put on the published list"),
                id="publish",
                on_click=steps.public_toggled,
                when=_publishable,
            ),
            Button(
                T("🙈 Take off the published list"),
                id="unpublish",
                on_click=steps.public_toggled,
                when="public",
            ),
            _back(StaffProposals.shelves, "card_shelves"),
            getter=steps.card_getter,
            state=StaffProposals.card,
            markup_factory=OutsideButtons(ProposalCB.__prefix__),
        ),
        Window(
            T("Why is the proposal not registered? Write the reason for the member."),
            MessageInput(steps.reason_typed, content_types=["text"]),
            card_back,
            state=StaffProposals.refuse_reason,
        ),
        Window(
            T("What becomes of it?"),
            Button(
                T("📝 A social-conditions report"), id="to_report", on_click=steps.conversion_chosen
            ),
            Button(
                T("✉ A letter to a department"), id="to_letter", on_click=steps.conversion_chosen
            ),
            Button(T("— Nothing else"), id="to_nothing", on_click=steps.conversion_chosen),
            _back(StaffProposals.refuse_reason, "kind_back"),
            state=StaffProposals.refuse_kind,
        ),
        Window(
            T("Which department receives the letter?"),
            ScrollingGroup(
                Select(
                    Format("{item[1]}"),
                    id="letter_dept",
                    item_id_getter=itemgetter(0),
                    items="departments",
                    on_click=steps.letter_department_chosen,
                ),
                id="letter_pages",
                width=1,
                height=8,
            ),
            _back(StaffProposals.refuse_kind, "letter_back"),
            getter=steps.departments_getter,
            state=StaffProposals.refuse_department,
        ),
        Window(
            T("Which department leads the handling?"),
            ScrollingGroup(
                Select(
                    Format("{item[1]}"),
                    id="lead",
                    item_id_getter=itemgetter(0),
                    items="departments",
                    on_click=assigning.lead_chosen,
                ),
                id="lead_pages",
                width=1,
                height=8,
            ),
            card_back,
            getter=steps.departments_getter,
            state=StaffProposals.assign_lead,
        ),
        Window(
            T("Tick the co-departments, if any, then Next."),
            ScrollingGroup(
                Multiselect(
                    Format("☑ {item[1]}"),
                    Format("☐ {item[1]}"),
                    id="co",
                    item_id_getter=itemgetter(0),
                    items="co",
                ),
                id="co_pages",
                width=1,
                height=8,
            ),
            Button(T("Next ▶"), id="co_done", on_click=assigning.co_done),
            _back(StaffProposals.assign_lead, "co_back"),
            getter=steps.departments_getter,
            state=StaffProposals.assign_co,
        ),
        Window(
            T("Due date? The year's rule gives {default_due}."),
            Button(T("✔ Keep {default_due}"), id="due_default", on_click=assigning.keep_due),
            DayCalendar(id="due", on_click=assigning.due_picked),
            _back(StaffProposals.assign_co, "due_back"),
            getter=assigning.due_getter,
            state=StaffProposals.assign_due,
        ),
        Window(
            T("Assign to {lead_name} (lead), with {co_names}; due {due}?"),
            Button(T("✔ Assign"), id="assign_ok", on_click=assigning.assign_confirmed),
            _back(StaffProposals.assign_due, "confirm_back"),
            getter=assigning.confirm_getter,
            state=StaffProposals.assign_confirm,
        ),
        Window(
            T("The year-end mark of this proposal:"),
            Row(
                Button(T("🏅 Excellent"), id="m_excellent", on_click=assigning.mark_chosen),
                Button(T("⭐ Key"), id="m_key", on_click=assigning.mark_chosen),
            ),
            Row(
                Button(T("🏅⭐ Both"), id="m_excellent_key", on_click=assigning.mark_chosen),
                Button(T("— None"), id="m_none", on_click=assigning.mark_chosen),
            ),
            card_back,
            state=StaffProposals.mark,
        ),
        *paper_windows(),
        on_start=steps.on_start,
    )
    return guard(dialog)
