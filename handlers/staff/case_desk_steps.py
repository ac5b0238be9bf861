"""What the staff case desk's buttons and typed steps do; every one checks the scope again.

The case is the dialog's: its id is in the dialog's data, never in a button, and each press
reads it back through the staff member's scope before anything is done. The services check
the scope once more in the transaction that changes the case.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager, ShowMode
from aiogram_dialog.widgets.kbd import Button

from handlers import keyboards
from handlers.case_views import send_case_media
from handlers.dialogs.guard import Refused
from handlers.dialogs.press import answer, answer_press, mark_choice
from handlers.staff.case_desk_views import (
    DEPARTMENT_PAGES,
    DUE_CHOICES,
    MEMBER_PAGES,
    QUEUE_PAGES,
    case_id,
    case_version,
    scroll_of,
)
from handlers.staff.case_errors import case_error
from handlers.staff.desk import Desk, desk_of
from handlers.states import CaseDesk
from handlers.texts import local_date
from services.cases import casework
from services.cases.assignee import pending_extension
from services.cases.common import Assignee
from services.cases.decisions import decide_extension
from services.cases.residents import IssueDetail, get_issue
from services.errors import DomainError
from services.reference.catalog import get_station

log = logging.getLogger(__name__)

Result = TypeVar("Result")
STEPS: dict[str, State] = {
    "assign": CaseDesk.assign,
    "reply": CaseDesk.reply,
    "reject": CaseDesk.reject,
    "duplicate": CaseDesk.duplicate,
    "note": CaseDesk.note,
}


async def _load(desk: Desk, issue_id: int) -> IssueDetail | None:
    return await get_issue(desk.session, issue_id=issue_id, condition=desk.scope.issues_clause())


async def own_case(manager: DialogManager) -> IssueDetail:
    """The dialog's case, within scope; a press on one out of reach is refused, nothing done."""
    desk = desk_of(manager)
    detail = await _load(desk, case_id(manager))
    if detail is None:
        log.warning("chat %s: staff case %s refused", desk.turn.chat_id, case_id(manager))
        raise Refused(_("This case is not available."), alert=True)
    return detail


async def drawn_case(manager: DialogManager) -> IssueDetail | None:
    """:func:`own_case`, if the case is still as the pressed card showed it.

    A case moved on since the card was drawn (reopened by its resident, answered, assigned by
    a colleague) makes every button on it stale: the press is refused, and the engine draws
    the card again, as the case stands now, in its place.
    """
    detail = await own_case(manager)
    drawn = manager.dialog_data.get("drawn")
    if drawn is not None and drawn != case_version(detail.issue):
        log.info("chat %s: stale card of case %s", desk_of(manager).turn.chat_id, case_id(manager))
        await answer(
            manager,
            _("This card is out of date: the case has moved on. Here it is as it stands now."),
            alert=True,
        )
        return None
    return detail


async def typed_case(message: Message, manager: DialogManager) -> IssueDetail | None:
    """The dialog's case for a typed step; the refusal is said when it is out of reach."""
    desk = desk_of(manager)
    detail = await _load(desk, case_id(manager))
    if detail is None:
        log.warning("chat %s: staff case %s refused", desk.turn.chat_id, case_id(manager))
        await message.answer(_("This case is not available."))
        manager.show_mode = ShowMode.NO_UPDATE
    return detail


async def act_on_case(
    manager: DialogManager, action: Callable[..., Awaitable[Result]], **details: Any
) -> Result:
    """Run a casework service as this staff member: their scope, their name, now.

    The delivery loop is woken once the service has queued its notices; a ``DomainError``
    (out of scope, wrong status) goes to the caller, which says it to the user.
    """
    desk = desk_of(manager)
    data = manager.middleware_data
    result = await action(
        desk.session,
        scope=desk.scope,
        actor=desk.actor,
        now=desk.now,
        notifier=data["notifier"],
        **details,
    )
    data["wake_delivery"]()
    return result


async def back_to_card(manager: DialogManager, text: str) -> None:
    """Say what happened (with the menu), then show the case card anew below it."""
    turn = desk_of(manager).turn
    await turn.say(text, reply_markup=keyboards.main_menu(turn.menu_role))
    await manager.switch_to(CaseDesk.case, show_mode=ShowMode.SEND)


async def to_menu(manager: DialogManager, pressed: str) -> None:
    """Replace the pressed card by ``pressed``, end the dialog, and show the menu."""
    turn = desk_of(manager).turn
    await mark_choice(manager, pressed)
    await answer(manager)
    await manager.done()
    await turn.say(_("Back to the menu."), reply_markup=keyboards.main_menu(turn.menu_role))


# --- the queue -------------------------------------------------------------------------------


async def station_chosen(
    callback: CallbackQuery, widget: Any, manager: DialogManager, station_id: int
) -> None:
    """The waiting cases of one station (0: of all), from the first page."""
    desk = desk_of(manager)
    if station_id:
        station = await get_station(desk.session, station_id)
        if station is None or not desk.scope.covers(station_id):
            log.warning("chat %s: queue of station %s refused", desk.turn.chat_id, station_id)
            raise Refused(_("This station is not available."), alert=True)
    manager.dialog_data["station"] = station_id
    scroll = scroll_of(manager, QUEUE_PAGES)
    await scroll.set_page(0)
    await manager.switch_to(CaseDesk.queue)


async def case_chosen(
    callback: CallbackQuery, widget: Any, manager: DialogManager, issue_id: int
) -> None:
    """Open a case of the queue."""
    if await _load(desk_of(manager), issue_id) is None:
        log.warning("chat %s: staff case %s refused", callback.from_user.id, issue_id)
        raise Refused(_("This case is not available."), alert=True)
    manager.dialog_data["case"] = issue_id
    await manager.switch_to(CaseDesk.case)


# --- the card --------------------------------------------------------------------------------


async def quick_action(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Accept at once; resolve only once confirmed. The card is drawn again."""
    if await drawn_case(manager) is None:
        return
    if button.widget_id == "resolve":
        await manager.switch_to(CaseDesk.resolve_confirm)
        return
    try:
        await act_on_case(manager, casework.accept, issue_id=case_id(manager))
    except DomainError as error:
        await answer_press(manager, case_error(error), show_alert=True)
        return
    await answer(manager, _("Accepted."))


async def extension_decided(
    callback: CallbackQuery, button: Button, manager: DialogManager
) -> None:
    """Grant or refuse the more time the assignee asked for; the assignee is told."""
    if await drawn_case(manager) is None:
        return
    desk = desk_of(manager)
    extension = await pending_extension(desk.session, issue_id=case_id(manager))
    if extension is None or extension.id is None:
        await answer_press(manager, _("This was decided already."), show_alert=True)
        return
    grant = button.widget_id == "grant"
    try:
        await act_on_case(manager, decide_extension, extension_id=extension.id, grant=grant)
    except DomainError as error:
        await answer_press(manager, case_error(error), show_alert=True)
        return
    await answer(manager, _("More time granted.") if grant else _("More time refused."))


async def show_media(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """The case's photos or its place, sent below the card."""
    detail = await own_case(manager)
    desk = desk_of(manager)
    identity = manager.middleware_data["identity"]
    await answer_press(manager)
    await send_case_media(
        desk.turn.bot, desk.turn, detail, what=str(button.widget_id), channel=identity.channel
    )


async def case_step(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Assign, reply, reject, duplicate, note: the first step of each."""
    if await drawn_case(manager) is None:
        return
    for key in ("rewriting", "search", "reply"):
        manager.dialog_data.pop(key, None)
    await manager.switch_to(STEPS[str(button.widget_id)])


# --- assigning -------------------------------------------------------------------------------


async def kind_chosen(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """A member or a department: their list from the first page."""
    await own_case(manager)
    manager.dialog_data.pop("search", None)
    member = button.widget_id == "members"
    scroll = scroll_of(manager, MEMBER_PAGES if member else DEPARTMENT_PAGES)
    await scroll.set_page(0)
    await manager.switch_to(CaseDesk.members if member else CaseDesk.departments)


async def name_typed(message: Message, widget: Any, manager: DialogManager) -> None:
    """Part of a member's name or code: the members matching it."""
    if await typed_case(message, manager) is None:
        return
    manager.dialog_data["search"] = " ".join((message.text or "").split())[:40]


async def target_chosen(
    callback: CallbackQuery, widget: Any, manager: DialogManager, target: int
) -> None:
    """Whom the case goes to; the due date comes next (the service checks the target)."""
    await own_case(manager)
    manager.dialog_data["kind"] = "member" if widget.widget_id == "member" else "department"
    manager.dialog_data["target"] = target
    await manager.switch_to(CaseDesk.due)


async def due_chosen(
    callback: CallbackQuery, widget: Any, manager: DialogManager, days: int
) -> None:
    """Assign with the chosen due date (-1: the category's)."""
    if not (days == -1 or days in DUE_CHOICES):
        log.warning("chat %s: forged due button %r", callback.from_user.id, callback.data)
        raise Refused(_("This button is not valid."), alert=True)
    await own_case(manager)
    desk = desk_of(manager)
    data = manager.dialog_data
    try:
        issue = await act_on_case(
            manager,
            casework.assign,
            issue_id=case_id(manager),
            to=Assignee(str(data.get("kind", "")), int(data.get("target", 0))),
            due_at=None if days == -1 else desk.now + dt.timedelta(days=days),
        )
    except DomainError as error:
        await answer_press(manager, case_error(error), show_alert=True)
        return
    assert issue.due_at is not None
    due = local_date(issue.due_at, desk.turn.tz)
    await answer(manager, _("Assigned; answer due {date}.").format(date=due))
    await manager.switch_to(CaseDesk.case)


# --- the reply -------------------------------------------------------------------------------
