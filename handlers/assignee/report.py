"""A member writes a social-conditions report (社情民意信息) from cases assigned to them."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable

from aiogram import Bot, F, Router
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from handlers import keyboards
from handlers.case_callbacks import ReportDraftCB
from handlers.grid import Grid
from handlers.messaging import replace_or_send, show_choice, text_expected
from handlers.notifications import ChatNotifier
from handlers.staff.case_errors import case_error
from handlers.texts import escape
from handlers.turn import Turn
from services.cases.assignee import assigned_page
from services.cases.common import Assignee, check_text
from services.clock import Clock
from services.errors import DomainError
from services.members.conditions_reports import BODY_MAX, MAX_CASES, TITLE_MAX, submit_report

log = logging.getLogger(__name__)


class ReportDraft(StatesGroup):
    """A member writing a social-conditions report."""

    cases = State()
    title = State()
    body = State()
    review = State()


async def _candidates(turn: Turn, assignee: Assignee) -> dict[int, str]:
    page = await assigned_page(turn.session, assignee=assignee, page_size=MAX_CASES * 2)
    return {item.issue.id or 0: item.issue.number for item in page.items}


def cases_keyboard(
    candidates: dict[int, str], chosen: list[int], draft: str
) -> InlineKeyboardMarkup:
    """Each assigned case as a toggle, then go on."""
    grid = Grid()
    for issue_id, number in candidates.items():
        mark = "☑" if issue_id in chosen else "☐"
        grid.button(
            text=f"{mark} {number}",
            callback_data=ReportDraftCB(action="toggle", id=issue_id, draft=draft),
        )
    grid.button(text=_("Next ▶"), callback_data=ReportDraftCB(action="next", draft=draft))
    grid.adjust(2)
    return grid.as_markup()


async def draft_button(
    callback: CallbackQuery,
    callback_data: ReportDraftCB,
    bot: Bot,
    turn: Turn,
    assignee: Assignee,
    clock: Clock,
    notifier: ChatNotifier,
    wake_delivery: Callable[[], None],
) -> None:
    """Every button of the report dialog."""
    if assignee.kind != "member":
        await callback.answer(
            _("Social-conditions reports are written by members."), show_alert=True
        )
        return
    if callback_data.action == "start":
        candidates = await _candidates(turn, assignee)
        if not candidates:
            await callback.answer(_("No case is assigned to you to write from."), show_alert=True)
            return
        await callback.answer()
        draft = secrets.token_hex(6)
        await turn.state.set_state(ReportDraft.cases)
        await turn.state.set_data({"draft": draft, "chosen": []})
        text = _("Which cases is the report about? Choose up to {maximum}.").format(
            maximum=MAX_CASES
        )
        await turn.say(text, reply_markup=cases_keyboard(candidates, [], draft))
        return
    data = await turn.state.get_data()
    if data.get("draft") != callback_data.draft:
        await callback.answer(_("This button is no longer active."), show_alert=True)
        return
    chosen: list[int] = list(data.get("chosen", []))
    if callback_data.action == "toggle":
        candidates = await _candidates(turn, assignee)
        if callback_data.id not in candidates:
            log.warning("chat %s: report case %s refused", callback.from_user.id, callback_data.id)
            await callback.answer(_("This case is not available."), show_alert=True)
            return
        if callback_data.id in chosen:
            chosen.remove(callback_data.id)
        elif len(chosen) < MAX_CASES:
            chosen.append(callback_data.id)
        await turn.state.update_data(chosen=chosen)
        await callback.answer()
        text = _("Which cases is the report about? Choose up to {maximum}.").format(
            maximum=MAX_CASES
        )
        await replace_or_send(
            callback, bot, text, cases_keyboard(candidates, chosen, callback_data.draft)
        )
        return
    if callback_data.action == "next":
        if not chosen:
            await callback.answer(_("Choose at least one case."), show_alert=True)
            return
        await show_choice(callback, _("Cases chosen: {count}").format(count=len(chosen)))
        await turn.state.set_state(ReportDraft.title)
        await turn.say(
            _("The report's title (up to {maximum} characters)?").format(maximum=TITLE_MAX),
            reply_markup=keyboards.cancel_only(),
        )
        return
    if await turn.state.get_state() != ReportDraft.review.state:
        await callback.answer(_("This button is no longer active."), show_alert=True)
        return
    if callback_data.action != "send":
        await show_choice(callback, _("The report was dropped; nothing was sent."))
        await turn.state.clear()
        await turn.say(_("Back to the menu."), reply_markup=keyboards.main_menu(turn.menu_role))
        return
    try:
        await submit_report(
            turn.session,
            member_id=assignee.id,
            issue_ids=chosen,
            title=str(data["title"]),
            body=str(data["body"]),
            now=clock.now(),
            notifier=notifier,
        )
    except DomainError as error:
        await callback.answer(case_error(error), show_alert=True)
        return
    wake_delivery()
    await show_choice(callback, _("📤 Report sent."))
    await turn.state.clear()
    await turn.say(
        _("Staff will read your report. Once accepted, it counts towards this year's “six ones”."),
        reply_markup=keyboards.main_menu(turn.menu_role),
    )


async def title_typed(message: Message, turn: Turn) -> None:
    """The title; then the text."""
    try:
        title = check_text(message.text or "", maximum=TITLE_MAX)
    except DomainError as error:
        await message.answer(case_error(error))
        return
    await turn.state.update_data(title=title)
    await turn.state.set_state(ReportDraft.body)
    await message.answer(
        _(
            "Now the report itself (up to {maximum} characters): the situation, its causes, "
            "and your suggestions."
        ).format(maximum=BODY_MAX)
    )


async def body_typed(message: Message, turn: Turn) -> None:
    """The text; then the review."""
    try:
        body = check_text(message.text or "", maximum=BODY_MAX)
    except DomainError as error:
        await message.answer(case_error(error))
        return
    data = await turn.state.get_data()
    await turn.state.update_data(body=body)
    await turn.state.set_state(ReportDraft.review)
    grid = Grid()
    draft = str(data["draft"])
    grid.button(text=_("📤 Send to staff"), callback_data=ReportDraftCB(action="send", draft=draft))
    grid.button(text=_("✖ Drop"), callback_data=ReportDraftCB(action="drop", draft=draft))
    grid.adjust(2)
    # The review must fit in one message; the whole text is what gets sent.
    shown = body if len(body) <= 3000 else body[:2999] + "…"
    preview = _("<b>{title}</b>\n<blockquote>{body}</blockquote>").format(
        title=escape(str(data["title"])), body=escape(shown)
    )
    await message.answer(preview, reply_markup=grid.as_markup())


def setup() -> Router:
    """The handlers of this module, on a fresh router."""
    router = Router(name="assignee-report")
    router.callback_query.register(draft_button, ReportDraftCB.filter())
    typed = F.text & ~F.text.startswith("/")
    router.message.register(title_typed, ReportDraft.title, typed)
    router.message.register(body_typed, ReportDraft.body, typed)
    for state in (ReportDraft.title, ReportDraft.body, ReportDraft.cases, ReportDraft.review):
        router.message.register(text_expected, state, ~F.text.startswith("/"))
    return router
