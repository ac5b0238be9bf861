"""The proposals desk's assigning steps: the lead, co-departments, the due date, the mark.

The choices are kept in the dialog's data; the service checks them all again on the last
press (active departments, a due date in the future, the state the card was drawn for).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager, ShowMode
from aiogram_dialog.widgets.kbd import Button, ManagedCalendar, ManagedMultiselect, Select

from handlers.notifications import ChatNotifier
from handlers.staff.desk import desk_of
from handlers.staff.proposal_states import StaffProposals
from handlers.staff.proposal_steps import proposal_id, refused
from handlers.staff.proposal_texts import named
from handlers.texts import local_date
from services.errors import DomainError
from services.members.rules import RuleBook
from services.proposals.assignment import (
    active_departments,
    assign_proposal,
    default_due,
    end_of_day,
)
from services.proposals.marks import mark_proposal

DUE_RANGE = dt.timedelta(days=366)


async def lead_chosen(
    callback: CallbackQuery, widget: Select[str], manager: DialogManager, item: str
) -> None:
    """The lead department; co-departments next."""
    if not item.isdigit():
        await callback.answer(_("That department is not available."), show_alert=True)
        return
    manager.dialog_data["lead"] = int(item)
    co = manager.find("co")
    assert isinstance(co, ManagedMultiselect)
    await co.reset_checked()  # type: ignore[no-untyped-call]  # the library leaves it untyped
    await manager.switch_to(StaffProposals.assign_co)


async def co_done(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Co-departments chosen; the due date next, the calendar opened on the default."""
    desk = desk_of(manager)
    rulebook: RuleBook = manager.middleware_data["rulebook"]
    co = manager.find("co")
    assert isinstance(co, ManagedMultiselect)
    manager.dialog_data["co"] = [int(i) for i in co.get_checked() if i.isdigit()]
    due = default_due(now=desk.now, rulebook=rulebook, year=desk.today.year)
    manager.dialog_data["due"] = due.astimezone(desk.turn.tz).date().isoformat()
    await manager.switch_to(StaffProposals.assign_due)
    # The calendar opens on the default's month, not on the last month that may be picked.
    calendar = manager.find("due")
    if isinstance(calendar, ManagedCalendar):
        calendar.set_offset(due.astimezone(desk.turn.tz).date())


async def due_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """The calendar's range: tomorrow to a year ahead."""
    desk = desk_of(dialog_manager)
    return {
        "earliest": desk.today + dt.timedelta(days=1),
        "today": desk.today + DUE_RANGE,
        "default_due": str(dialog_manager.dialog_data.get("due") or ""),
    }


async def due_picked(callback: Any, widget: Any, manager: DialogManager, day: dt.date, /) -> None:
    """A day on the calendar; the service refuses one not in the future."""
    manager.dialog_data["due"] = day.isoformat()
    await manager.switch_to(StaffProposals.assign_confirm)


async def confirm_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """What will be assigned."""
    desk = desk_of(dialog_manager)
    names = {d.id: named(d, desk.turn.locale) for d in await active_departments(desk.session)}
    data = dialog_manager.dialog_data
    co = [names.get(i, "?") for i in data.get("co", [])]
    return {
        "lead_name": names.get(int(data.get("lead") or 0), "?"),
        "co_names": "、".join(co) if co else "—",
        "due": str(data.get("due") or ""),
    }


async def assign_confirmed(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Assign; the departments are told through the outbox."""
    desk = desk_of(manager)
    data = manager.dialog_data
    notifier: ChatNotifier = manager.middleware_data["notifier"]
    due_day = dt.date.fromisoformat(str(data.get("due")))
    try:
        await assign_proposal(
            desk.session,
            proposal_id=proposal_id(manager),
            lead_department_id=int(data.get("lead") or 0) or None,
            co_department_ids=[int(i) for i in data.get("co", [])],
            due_at=end_of_day(due_day, desk.turn.tz),
            actor=desk.actor,
            scope=desk.scope,
            now=desk.now,
            rulebook=manager.middleware_data["rulebook"],
            notifier=notifier,
            expected_state=str(data.get("v") or ""),
        )
    except DomainError as error:
        await refused(callback, manager, error)
        return
    manager.middleware_data["wake_delivery"]()
    await callback.answer()
    await desk.turn.say(
        _("Assigned, due {date}; the departments are told.").format(
            date=local_date(end_of_day(due_day, desk.turn.tz), desk.turn.tz)
        )
    )
    await manager.switch_to(StaffProposals.card, show_mode=ShowMode.SEND)


async def keep_due(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """The default due date kept."""
    await manager.switch_to(StaffProposals.assign_confirm)


async def mark_chosen(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Excellent, key, both or none; the ledger follows."""
    desk = desk_of(manager)
    try:
        await mark_proposal(
            desk.session,
            proposal_id=proposal_id(manager),
            rating=(button.widget_id or "").removeprefix("m_"),
            actor=desk.actor,
            scope=desk.scope,
            now=desk.now,
            rulebook=manager.middleware_data["rulebook"],
            tz=desk.turn.tz,
            expected_state=str(manager.dialog_data.get("v") or ""),
        )
    except DomainError as error:
        await refused(callback, manager, error)
        return
    await callback.answer(_("Saved."))
    await manager.switch_to(StaffProposals.card)
