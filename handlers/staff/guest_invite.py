"""Administrators invite a consultation's guests: name, kind, organisation, then the link.

Opened from a meeting's card. The list shows each guest with where their invitation stands
(invited, joined, revoked, expired); a guest is revoked from it. The link is shown once: only
its token's hash is stored.
"""

from __future__ import annotations

import logging
from operator import itemgetter
from typing import Any

from aiogram import Bot, F
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager, ShowMode, Window
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button, Cancel, Column, ScrollingGroup, Select, SwitchTo
from aiogram_dialog.widgets.text import Format

from handlers.dialogs.press import answer_press, pass_on
from handlers.dialogs.text import T
from handlers.staff import guest_views as views
from handlers.staff.desk import desk_of
from services.consultations.guest_invites import (
    NAME_MAX,
    ORGANISATION_MAX,
    invite_guest,
    revoke_guest,
)
from services.errors import DomainError
from services.reference.catalog import display_name
from storage.enums import GuestKind
from storage.models import Department

log = logging.getLogger(__name__)


class StaffGuests(StatesGroup):
    """A meeting's guests, and the steps of inviting one."""

    list = State()
    name = State()
    kind = State()
    organisation = State()
    link = State()


async def open_guests(callback: CallbackQuery, button: Any, manager: DialogManager) -> None:
    """The meeting card's "Guests": this meeting's guests."""
    meeting_id = int(manager.dialog_data.get("meeting", 0))
    await manager.start(StaffGuests.list, data={"meeting": meeting_id})


async def on_start(start_data: Any, manager: DialogManager) -> None:
    """Remember the meeting the card opened."""
    if isinstance(start_data, dict):
        manager.dialog_data["meeting"] = int(start_data.get("meeting", 0))


async def name_typed(message: Message, widget: Any, manager: DialogManager) -> None:
    """Step 1: the guest's name."""
    name = (message.text or "").strip()
    if not name or len(name) > NAME_MAX:
        await message.answer(
            _("Send the guest's name as text, up to {limit} characters.").format(limit=NAME_MAX)
        )
        return
    manager.dialog_data["name"] = name
    await manager.switch_to(StaffGuests.kind)


async def kind_chosen(
    callback: CallbackQuery, widget: Any, manager: DialogManager, item_id: str
) -> None:
    """Step 2: who the guest is."""
    if item_id not in GuestKind.__members__.values():
        await answer_press(manager, _("This button is not valid."), show_alert=True)
        return
    manager.dialog_data["kind"] = item_id
    await manager.switch_to(StaffGuests.organisation)


async def organisation_typed(message: Message, widget: Any, manager: DialogManager) -> None:
    """Step 3: their organisation, then the link."""
    organisation = (message.text or "").strip()
    if not organisation or len(organisation) > ORGANISATION_MAX:
        await message.answer(
            _("Send the organisation as text, up to {limit} characters.").format(
                limit=ORGANISATION_MAX
            )
        )
        return
    await _invite(manager, organisation)


async def department_chosen(
    callback: CallbackQuery, widget: Any, manager: DialogManager, item_id: str
) -> None:
    """Step 3 by a tap: a department of the list is the guest's organisation."""
    desk = desk_of(manager)
    department = await desk.session.get(Department, int(item_id) if item_id.isdigit() else 0)
    if department is None or not department.active:
        await answer_press(manager, _("This button is not valid."), show_alert=True)
        return
    locale = str(manager.middleware_data.get("locale", ""))
    await _invite(manager, display_name(department, locale), department_id=department.id)


async def no_organisation(callback: CallbackQuery, button: Any, manager: DialogManager) -> None:
    """Step 3 skipped."""
    await _invite(manager, "")


async def _invite(
    manager: DialogManager, organisation: str, department_id: int | None = None
) -> None:
    desk = desk_of(manager)
    data = manager.dialog_data
    try:
        issued = await invite_guest(
            desk.session,
            meeting_id=int(data.get("meeting", 0)),
            name=str(data.get("name", "")),
            kind=str(data.get("kind", "")),
            organisation=organisation,
            department_id=department_id,
            staff_id=desk.staff.id,
            now=desk.now,
            actor=desk.actor,
        )
    except DomainError as error:
        log.info("staff %s: guest refused (%s)", desk.staff.id, error.code)
        await desk.turn.say(_("This guest could not be invited: the meeting is over or cancelled."))
        await manager.switch_to(StaffGuests.list)
        return
    bot: Bot = manager.middleware_data["bot"]
    me = await bot.me()
    link = manager.middleware_data["capabilities"].deep_link(issued.payload, me.username)
    data["link"] = link
    data["payload"] = issued.payload
    await manager.switch_to(StaffGuests.link)


async def revoke_chosen(
    callback: CallbackQuery, widget: Any, manager: DialogManager, item_id: str
) -> None:
    """Revoke a guest of this meeting; a guest of another meeting is refused."""
    desk = desk_of(manager)
    try:
        await revoke_guest(
            desk.session,
            meeting_id=int(manager.dialog_data.get("meeting", 0)),
            guest_id=int(item_id) if item_id.isdigit() else 0,
            now=desk.now,
            actor=desk.actor,
        )
    except DomainError as error:
        log.warning("staff %s: revoking guest %r refused (%s)", desk.staff.id, item_id, error.code)
        await answer_press(manager, _("This guest is not available."), show_alert=True)
        return
    await answer_press(manager, _("The guest's link is withdrawn."))
    # The list is drawn again, with the guest's new state.
    manager.show_mode = ShowMode.EDIT


def guests_dialog() -> Dialog:
    """The guests of a meeting and the invitation steps, built fresh for each Dispatcher."""
    return Dialog(
        Window(
            Format("<b>{title}</b>", when="found"),
            T("<b>Guests</b>"),
            Format("{guests}", when="any"),
            T("No guests yet.", when=~F["any"]),
            Column(
                Select(
                    Format("{item[1]}"),
                    id="revoke",
                    item_id_getter=itemgetter(0),
                    items="revocable",
                    on_click=revoke_chosen,
                )
            ),
            SwitchTo(T("➕ Invite a guest"), id="invite", state=StaffGuests.name, when="open"),
            Cancel(T("◀ Back"), id="back"),
            MessageInput(pass_on),
            getter=views.listed,
            state=StaffGuests.list,
        ),
        Window(
            T("Step 1 of 3. Send the guest's name."),
            MessageInput(name_typed),
            SwitchTo(T("◀ Back"), id="name_back", state=StaffGuests.list),
            state=StaffGuests.name,
        ),
        Window(
            T("Step 2 of 3. Who is the guest?"),
            Column(
                Select(
                    Format("{item[1]}"),
                    id="kind",
                    item_id_getter=itemgetter(0),
                    items="kinds",
                    on_click=kind_chosen,
                )
            ),
            SwitchTo(T("◀ Back"), id="kind_back", state=StaffGuests.name),
            getter=views.kinds,
            state=StaffGuests.kind,
        ),
        Window(
            T("Step 3 of 3. Send the guest's organisation or department, or skip."),
            ScrollingGroup(
                Select(
                    Format("{item[1]}"),
                    id="department",
                    item_id_getter=itemgetter(0),
                    items="departments",
                    on_click=department_chosen,
                ),
                id="departments",
                width=1,
                height=6,
                hide_on_single_page=True,
            ),
            MessageInput(organisation_typed),
            Button(T("Skip"), id="no_org", on_click=no_organisation),
            SwitchTo(T("◀ Back"), id="org_back", state=StaffGuests.kind),
            getter=views.departments_listed,
            state=StaffGuests.organisation,
        ),
        Window(
            T(
                "✅ {name} is invited. Send them this link; it works in one chat only and is "
                "shown only now:\n{link}\nIn the web chat, send: /start {payload}"
            ),
            SwitchTo(T("◀ Guests"), id="done", state=StaffGuests.list),
            getter=views.link_getter,
            state=StaffGuests.link,
        ),
        on_start=on_start,
    )
