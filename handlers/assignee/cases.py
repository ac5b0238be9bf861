"""The cases assigned to a member or a department: the list, each case, its photos and map."""

from __future__ import annotations

import logging

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.callbacks import AssigneeIssueCB
from handlers.case_callbacks import AssignedPageCB, ReportDraftCB
from handlers.case_views import send_case_media
from handlers.cases import render_case
from handlers.filters import ButtonText
from handlers.grid import Grid
from handlers.messaging import replace_or_send
from handlers.texts import Buttons, local_date, shorten
from handlers.turn import Turn
from services.cases.assignee import (
    ANSWERING,
    WORKING,
    AssignedPage,
    assigned_issue,
    assigned_page,
    pending_extension,
)
from services.cases.common import Assignee
from services.cases.labels import status_label
from services.cases.residents import IssueDetail
from services.reference.catalog import display_name
from storage.models import ChatIdentity

log = logging.getLogger(__name__)


def _button(text: str, data: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data.pack())


def list_view(
    page: AssignedPage, turn: Turn, assignee: Assignee
) -> tuple[str, InlineKeyboardMarkup]:
    """A page of assigned cases: waiting ones first, by due date."""
    if page.total == 0:
        return _("No case is assigned to you at the moment."), InlineKeyboardMarkup(
            inline_keyboard=[]
        )
    text = _("<b>Assigned cases</b>: {open} waiting for your answer, {total} in all.").format(
        open=page.open_count, total=page.total
    )
    if page.pages > 1:
        text += " " + _("Page {page} of {pages}.").format(page=page.page + 1, pages=page.pages)
    grid = Grid()
    for item in page.items:
        issue = item.issue
        assert issue.id is not None
        marker = "⏳ " if issue.status in WORKING else ""
        due = local_date(issue.due_at, turn.tz) if issue.due_at else "-"
        label = f"{marker}{issue.number} · {status_label(issue.status)} · {due} · " + shorten(
            display_name(item.category, turn.locale), 12
        )
        grid.row(_button(label, AssigneeIssueCB(action="view", id=issue.id)))
    nav = []
    if page.page > 0:
        nav.append(_button(_("◀"), AssignedPageCB(page=page.page - 1)))
    if page.page + 1 < page.pages:
        nav.append(_button(_("▶"), AssignedPageCB(page=page.page + 1)))
    if nav:
        grid.row(*nav)
    if assignee.kind == "member":
        grid.row(_button(_("📄 Write a social-conditions report"), ReportDraftCB(action="start")))
    return text, grid.as_markup()


def case_keyboard(detail: IssueDetail, extension_pending: bool) -> InlineKeyboardMarkup:
    """What the assignee can do with the case now."""
    issue = detail.issue
    assert issue.id is not None
    grid = Grid()

    def act(text: str, action: str) -> None:
        grid.button(text=text, callback_data=AssigneeIssueCB(action=action, id=issue.id or 0))

    if issue.status in ANSWERING:
        act(_("💬 Reply to the resident"), "reply")
    if issue.status in WORKING:
        if not extension_pending:
            act(_("⏳ Ask for more time"), "more")
        act(_("↩ Hand back"), "handback")
    act(_("📝 Note"), "note")
    if detail.photos:
        act(_("📷 Photos"), "photos")
    if issue.latitude is not None and issue.longitude is not None:
        act(_("🗺 Map"), "map")
    grid.button(text=_("◀ Assigned cases"), callback_data=AssignedPageCB(page=0))
    grid.adjust(1, 2)
    return grid.as_markup()


async def show_list(message: Message, turn: Turn, assignee: Assignee, state: FSMContext) -> None:
    """The menu button or /cases."""
    await state.clear()
    page = await assigned_page(turn.session, assignee=assignee)
    text, markup = list_view(page, turn, assignee)
    await message.answer(text, reply_markup=markup)


async def page_chosen(
    callback: CallbackQuery, callback_data: AssignedPageCB, bot: Bot, turn: Turn, assignee: Assignee
) -> None:
    """Another page, or back from a case."""
    page = await assigned_page(turn.session, assignee=assignee, page=callback_data.page)
    await callback.answer()
    text, markup = list_view(page, turn, assignee)
    await replace_or_send(callback, bot, text, markup)


async def card(
    session: AsyncSession, turn: Turn, assignee: Assignee, issue_id: int
) -> tuple[str, InlineKeyboardMarkup] | None:
    """The case card for the assignee, or None if the case is not theirs."""
    detail = await assigned_issue(session, assignee=assignee, issue_id=issue_id)
    if detail is None:
        return None
    extension = await pending_extension(session, issue_id=issue_id)
    text = render_case(detail, turn.locale, turn.tz, extension=extension)
    return text, case_keyboard(detail, extension is not None)


async def refuse(callback: CallbackQuery, issue_id: int) -> None:
    """A case that is not (or no longer) assigned to this chat."""
    log.warning("chat %s: assignee case %s refused", callback.from_user.id, issue_id)
    await callback.answer(_("This case is not available."), show_alert=True)


async def case_view(
    callback: CallbackQuery,
    callback_data: AssigneeIssueCB,
    bot: Bot,
    turn: Turn,
    assignee: Assignee,
    identity: ChatIdentity,
) -> None:
    """Open a case, or show its photos or place."""
    detail = await assigned_issue(turn.session, assignee=assignee, issue_id=callback_data.id)
    if detail is None:
        await refuse(callback, callback_data.id)
        return
    await callback.answer()
    if callback_data.action in ("photos", "map"):
        await send_case_media(
            bot, turn, detail, what=callback_data.action, channel=identity.channel
        )
        return
    shown = await card(turn.session, turn, assignee, callback_data.id)
    assert shown is not None
    await replace_or_send(callback, bot, *shown)


def setup() -> Router:
    """The handlers of this module, on a fresh router."""
    router = Router(name="assignee-cases")
    router.message.register(show_list, ButtonText(Buttons.ASSIGNED_CASES))
    router.message.register(show_list, Command("cases"))
    router.callback_query.register(page_chosen, AssignedPageCB.filter())
    router.callback_query.register(
        case_view, AssigneeIssueCB.filter(F.action.in_({"view", "photos", "map"}))
    )
    return router
