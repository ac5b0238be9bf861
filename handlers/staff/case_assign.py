"""Assigning a case to a member or a department, then choosing its due date.

Members of the case's station come first; any other member can be found by name.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from aiogram import Bot, F, Router
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from handlers import keyboards
from handlers.callbacks import StaffIssueCB
from handlers.case_callbacks import AssignPickCB, CaseActionCB, DueCB
from handlers.grid import Grid
from handlers.messaging import replace_or_send
from handlers.notifications import ChatNotifier
from handlers.staff.case_errors import case_error
from handlers.staff.cases import load_case, refuse, show_case
from handlers.staff.desk import Desk
from handlers.texts import escape, local_date, shorten
from services.accounts.departments import list_departments
from services.cases import casework
from services.cases.common import Assignee
from services.errors import DomainError
from services.members.profiles import assignable_members
from services.reference.catalog import display_name

log = logging.getLogger(__name__)
PAGE = 8
DUE_CHOICES = (3, 7, 14, 30)
KINDS = {"m": "member", "d": "department"}


class AssignSearch(StatesGroup):
    """Staff typing part of a member's name to assign a case to."""

    name = State()


def _button(text: str, data: AssignPickCB | DueCB | StaffIssueCB) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data.pack())


def kind_keyboard(issue_id: int) -> InlineKeyboardMarkup:
    """Ask whether a member or a department takes the case."""
    grid = Grid()
    grid.button(text=_("👤 A member"), callback_data=AssignPickCB(issue=issue_id, kind="m"))
    grid.button(text=_("🏛 A department"), callback_data=AssignPickCB(issue=issue_id, kind="d"))
    grid.button(
        text=_("◀ Back to the case"), callback_data=StaffIssueCB(action="view", id=issue_id)
    )
    grid.adjust(2, 1)
    return grid.as_markup()


async def start_assign(
    callback: CallbackQuery, callback_data: CaseActionCB, bot: Bot, desk: Desk
) -> None:
    """The case card's assign button."""
    detail = await load_case(desk, callback_data.id)
    if detail is None:
        await refuse(callback, callback_data.id)
        return
    await callback.answer()
    text = _("Case {number}: assign it to whom?").format(number=detail.issue.number)
    await replace_or_send(callback, bot, text, kind_keyboard(callback_data.id))


async def _member_list(
    desk: Desk, issue_id: int, station_id: int, page: int, search: str | None
) -> tuple[str, InlineKeyboardMarkup]:
    members, total = await assignable_members(
        desk.session,
        station_id=None if search else station_id,
        search=search,
        page=page,
        page_size=PAGE,
    )
    grid = Grid()
    for member in members:
        assert member.id is not None
        grid.row(
            _button(
                f"{member.name} · {member.code}",
                AssignPickCB(issue=issue_id, kind="m", target=member.id),
            )
        )
    nav = []
    if page > 0:
        nav.append(_button(_("◀"), AssignPickCB(issue=issue_id, kind="m", page=page - 1)))
    if (page + 1) * PAGE < total:
        nav.append(_button(_("▶"), AssignPickCB(issue=issue_id, kind="m", page=page + 1)))
    if nav and not search:
        grid.row(*nav)
    grid.row(_button(_("◀ Back"), AssignPickCB(issue=issue_id, kind="x")))
    if search:
        text = _("Members matching “{search}”: {total}.").format(search=escape(search), total=total)
    elif total:
        text = _("Members serving at the case's station: {total}.").format(total=total)
    else:
        text = _("No member serves at the case's station.")
    return text + "\n" + _("Or type part of a name to find another member."), grid.as_markup()


async def _department_list(
    desk: Desk, issue_id: int, page: int
) -> tuple[str, InlineKeyboardMarkup]:
    departments = list(await list_departments(desk.session))
    shown = departments[page * PAGE : (page + 1) * PAGE]
    grid = Grid()
    for department in shown:
        assert department.id is not None
        grid.row(
            _button(
                shorten(display_name(department, desk.turn.locale), 40),
                AssignPickCB(issue=issue_id, kind="d", target=department.id),
            )
        )
    nav = []
    if page > 0:
        nav.append(_button(_("◀"), AssignPickCB(issue=issue_id, kind="d", page=page - 1)))
    if (page + 1) * PAGE < len(departments):
        nav.append(_button(_("▶"), AssignPickCB(issue=issue_id, kind="d", page=page + 1)))
    if nav:
        grid.row(*nav)
    grid.row(_button(_("◀ Back"), AssignPickCB(issue=issue_id, kind="x")))
    if not departments:
        return _("No department is set up yet (liaison departments import)."), grid.as_markup()
    return _("Which department?"), grid.as_markup()


def due_keyboard(issue_id: int, kind: str, target: int, default_days: int) -> InlineKeyboardMarkup:
    """The category's time, or another."""
    grid = Grid()
    grid.button(
        text=_("Default: {days} days").format(days=default_days),
        callback_data=DueCB(issue=issue_id, kind=kind, target=target, days=-1),
    )
    for days in DUE_CHOICES:
        if days != default_days:
            grid.button(
                text=_("{days} days").format(days=days),
                callback_data=DueCB(issue=issue_id, kind=kind, target=target, days=days),
            )
    grid.adjust(1, 2)
    return grid.as_markup()


async def pick(callback: CallbackQuery, callback_data: AssignPickCB, bot: Bot, desk: Desk) -> None:
    """A kind, a page of candidates, or one of them chosen."""
    detail = await load_case(desk, callback_data.issue)
    if detail is None:
        await refuse(callback, callback_data.issue)
        return
    issue_id = callback_data.issue
    if callback_data.kind not in KINDS:
        await callback.answer()
        await desk.state.clear()
        text = _("Case {number}: assign it to whom?").format(number=detail.issue.number)
        await replace_or_send(callback, bot, text, kind_keyboard(issue_id))
        return
    if callback_data.target:
        await _choose_due(callback, callback_data, bot, desk, detail.category.due_days)
        return
    await callback.answer()
    if callback_data.kind == "m":
        await desk.state.set_state(AssignSearch.name)
        await desk.state.update_data(case=issue_id)
        text, markup = await _member_list(
            desk, issue_id, detail.issue.station_id, callback_data.page, None
        )
    else:
        text, markup = await _department_list(desk, issue_id, callback_data.page)
    await replace_or_send(callback, bot, text, markup)


async def _choose_due(
    callback: CallbackQuery, data: AssignPickCB, bot: Bot, desk: Desk, default_days: int
) -> None:
    await callback.answer()
    await desk.state.clear()
    text = _("When should the answer come? The category allows {days} days.").format(
        days=default_days
    )
    markup = due_keyboard(data.issue, data.kind, data.target, default_days)
    await replace_or_send(callback, bot, text, markup)


async def name_typed(message: Message, desk: Desk) -> None:
    """Part of a member's name or code."""
    issue_id = int((await desk.state.get_data())["case"])
    detail = await load_case(desk, issue_id)
    if detail is None:
        await desk.state.clear()
        await message.answer(_("This case is not available."))
        return
    search = " ".join((message.text or "").split())[:40]
    text, markup = await _member_list(desk, issue_id, detail.issue.station_id, 0, search)
    await message.answer(text, reply_markup=markup)


async def due_chosen(
    callback: CallbackQuery,
    callback_data: DueCB,
    bot: Bot,
    desk: Desk,
    notifier: ChatNotifier,
    wake_delivery: Callable[[], None],
) -> None:
    """Assign with the chosen due date."""
    kind = KINDS.get(callback_data.kind)
    if kind is None or not (callback_data.days == -1 or callback_data.days in DUE_CHOICES):
        log.warning("chat %s: forged due button %r", callback.from_user.id, callback.data)
        await callback.answer(_("This button is not valid."), show_alert=True)
        return
    due = None if callback_data.days == -1 else desk.now + dt.timedelta(days=callback_data.days)
    try:
        issue = await casework.assign(
            desk.session,
            issue_id=callback_data.issue,
            to=Assignee(kind, callback_data.target),
            due_at=due,
            scope=desk.scope,
            actor=desk.actor,
            now=desk.now,
            notifier=notifier,
        )
    except DomainError as error:
        if error.code == "issue_unknown":
            await refuse(callback, callback_data.issue)
            return
        await callback.answer(case_error(error), show_alert=True)
        return
    wake_delivery()
    assert issue.due_at is not None
    await callback.answer(
        _("Assigned; answer due {date}.").format(date=local_date(issue.due_at, desk.turn.tz))
    )
    await show_case(callback, bot, desk, callback_data.issue)
    await desk.turn.say(_("Done."), reply_markup=keyboards.main_menu(desk.turn.menu_role))


def setup() -> Router:
    """The handlers of this module, on a fresh router."""
    router = Router(name="staff-case-assign")
    router.callback_query.register(start_assign, CaseActionCB.filter(F.action == "assign"))
    router.callback_query.register(pick, AssignPickCB.filter())
    router.callback_query.register(due_chosen, DueCB.filter())
    router.message.register(name_typed, AssignSearch.name, F.text & ~F.text.startswith("/"))
    return router
