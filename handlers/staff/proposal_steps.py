"""The proposals desk's getters and presses: shelves, the card, not registering, assigning.

A proposal's id lives in the dialog's data, chosen from a list the getter read; every step
reads the proposal again through the services, which check the administrator and the
state the card was drawn for, so a proposal decided meanwhile is refused and shown anew.
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager, ShowMode
from aiogram_dialog.widgets.common import ManagedScroll
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import (
    Button,
    Select,
)

from handlers.notifications import ChatNotifier
from handlers.staff.desk import desk_of
from handlers.staff.proposal_states import StaffProposals
from handlers.staff.proposal_texts import (
    SHELF_LABELS,
    named,
    refusal,
    render_card,
    stale_text,
)
from handlers.texts import shorten
from services.errors import DomainError
from services.proposals.assignment import active_departments
from services.proposals.marks import set_public
from services.proposals.review import REASON_MAX, REASON_MIN, refuse_proposal
from services.proposals.staff_views import SHELVES, proposal_card, shelf_counts, shelf_page

log = logging.getLogger(__name__)
LABEL_MAX = 60


def proposal_id(manager: DialogManager) -> int:
    """The proposal the dialog is on."""
    return int(manager.dialog_data.get("id") or 0)


async def answer(event: CallbackQuery | Message, text: str) -> None:
    """A refusal: an alert on a press, a message after typing."""
    if isinstance(event, CallbackQuery):
        await event.answer(text, show_alert=True)
    else:
        await event.answer(text)


async def refused(
    event: CallbackQuery | Message, manager: DialogManager, error: DomainError
) -> None:
    """Say why; a stale or decided card is shown as it is now."""
    if error.code in ("proposal_stale", "proposal_not_submitted", "proposal_not_assignable"):
        await answer(event, stale_text() if error.code == "proposal_stale" else refusal(error))
        await manager.switch_to(StaffProposals.card, show_mode=ShowMode.SEND)
        return
    await answer(event, refusal(error))
    if error.code in ("proposal_not_found", "out_of_scope"):
        await manager.done()


async def on_start(start_data: Any, manager: DialogManager) -> None:
    """Opened on a card (from a button) or on the shelves."""
    if isinstance(start_data, dict):
        manager.dialog_data.update(start_data)


# --- shelves and pages -----------------------------------------------------------------------


async def shelves_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """Each shelf with its count."""
    desk = desk_of(dialog_manager)
    counts = await shelf_counts(desk.session, actor=desk.actor, scope=desk.scope, now=desk.now)
    return {"shelves": [(s, _(SHELF_LABELS[s]).format(count=counts[s])) for s in SHELVES]}


async def shelf_chosen(
    callback: CallbackQuery, widget: Select[str], manager: DialogManager, item: str
) -> None:
    """Open a shelf at its first page; a forged shelf is refused."""
    if item not in SHELVES:
        log.warning("chat %s asked for shelf %r", callback.from_user.id, item)
        await callback.answer(_("This button is not valid."), show_alert=True)
        return
    manager.dialog_data["shelf"] = item
    scroll = manager.find("shelf_pages")
    assert isinstance(scroll, ManagedScroll)
    await scroll.set_page(0)
    await manager.switch_to(StaffProposals.shelf)


async def shelf_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """One page of the chosen shelf."""
    desk = desk_of(dialog_manager)
    shelf = str(dialog_manager.dialog_data.get("shelf") or "review")
    scroll = dialog_manager.find("shelf_pages")
    assert isinstance(scroll, ManagedScroll)
    wanted = await scroll.get_page()
    page = await shelf_page(
        desk.session, shelf=shelf, page=wanted, actor=desk.actor, scope=desk.scope, now=desk.now
    )
    if page.page != wanted:
        await scroll.set_page(page.page)
    items = []
    for row in page.rows:
        mark = "⏰ " if row.overdue else ""
        label = f"{mark}{row.number or '—'} · {row.title}"
        items.append((str(row.id), shorten(label, LABEL_MAX)))
    return {
        "shelf_name": _(SHELF_LABELS[shelf]).format(count=page.total),
        "items": items,
        "empty": page.total == 0,
        "page": page.page + 1,
        "pages": page.pages,
        "paged": page.pages > 1,
    }


async def proposal_chosen(
    callback: CallbackQuery, widget: Select[str], manager: DialogManager, item: str
) -> None:
    """Open a proposal's card; the card's getter checks it again."""
    if not item.isdigit():
        await callback.answer(_("This proposal is not available."), show_alert=True)
        return
    manager.dialog_data["id"] = int(item)
    await manager.switch_to(StaffProposals.card)


# --- the card --------------------------------------------------------------------------------


async def card_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """The proposal's card and which actions it offers in its current state."""
    desk = desk_of(dialog_manager)
    try:
        card = await proposal_card(
            desk.session,
            proposal_id=proposal_id(dialog_manager),
            actor=desk.actor,
            scope=desk.scope,
        )
    except DomainError as error:
        return {"card": refusal(error), "id": 0, "v": "", "state": "", "public": False}
    p = card.proposal
    dialog_manager.dialog_data["v"] = p.state
    text = render_card(card, locale=desk.turn.locale, tz=desk.turn.tz, now=desk.now)
    return {"card": text, "id": p.id, "v": p.state, "state": p.state, "public": p.public}


async def public_toggled(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Put the proposal (all its items) on the published list, or take it off."""
    desk = desk_of(manager)
    try:
        card = await proposal_card(
            desk.session, proposal_id=proposal_id(manager), actor=desk.actor, scope=desk.scope
        )
        await set_public(
            desk.session,
            proposal_id=proposal_id(manager),
            public=not card.proposal.public,
            actor=desk.actor,
            scope=desk.scope,
            now=desk.now,
        )
    except DomainError as error:
        await refused(callback, manager, error)
        return
    await callback.answer(_("Saved."))


# --- not registering -------------------------------------------------------------------------


async def reason_typed(message: Message, widget: MessageInput, manager: DialogManager) -> None:
    """The reason; a bad length is refused and the step stays."""
    reason = (message.text or "").strip()
    if not REASON_MIN <= len(reason) <= REASON_MAX:
        manager.show_mode = ShowMode.NO_UPDATE
        await message.answer(
            _("Please write a reason of {minimum} to {maximum} characters.").format(
                minimum=REASON_MIN, maximum=REASON_MAX
            )
        )
        return
    manager.dialog_data["reason"] = reason
    await manager.switch_to(StaffProposals.refuse_kind)


async def _refuse(
    callback: CallbackQuery, manager: DialogManager, converted_to: str, department: int | None
) -> None:
    desk = desk_of(manager)
    notifier: ChatNotifier = manager.middleware_data["notifier"]
    try:
        await refuse_proposal(
            desk.session,
            proposal_id=proposal_id(manager),
            reason=str(manager.dialog_data.get("reason") or ""),
            converted_to=converted_to,
            department_id=department,
            actor=desk.actor,
            scope=desk.scope,
            now=desk.now,
            notifier=notifier,
            expected_state=str(manager.dialog_data.get("v") or "submitted"),
        )
    except DomainError as error:
        await refused(callback, manager, error)
        return
    manager.middleware_data["wake_delivery"]()
    await callback.answer()
    await desk.turn.say(_("Not registered; the member is told."))
    await manager.switch_to(StaffProposals.card, show_mode=ShowMode.SEND)


async def conversion_chosen(
    callback: CallbackQuery, button: Button, manager: DialogManager
) -> None:
    """A report or nothing decides now; a letter asks for its department."""
    if button.widget_id == "to_letter":
        await manager.switch_to(StaffProposals.refuse_department)
        return
    await _refuse(callback, manager, "report" if button.widget_id == "to_report" else "", None)


async def departments_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """Active departments, the lead excluded from the co-departments."""
    desk = desk_of(dialog_manager)
    lead = int(dialog_manager.dialog_data.get("lead") or 0)
    departments = await active_departments(desk.session)
    items = [(str(d.id), named(d, desk.turn.locale)) for d in departments]
    return {"departments": items, "co": [item for item in items if item[0] != str(lead)]}


async def letter_department_chosen(
    callback: CallbackQuery, widget: Select[str], manager: DialogManager, item: str
) -> None:
    """The department the letter goes to; the service checks it is active."""
    await _refuse(callback, manager, "letter", int(item) if item.isdigit() else 0)
