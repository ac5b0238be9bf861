"""Case actions that need words from staff: a reason, a case number, a note, a reply.

The reply to a resident is shown as they will read it and sent only on confirmation; a
draft token ties the confirmation to that one draft, so a stale button sends nothing.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable

from aiogram import Bot, F, Router
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from handlers import keyboards
from handlers.case_callbacks import CannedCB, CaseActionCB, ReplySendCB
from handlers.case_views import reply_preview
from handlers.grid import Grid
from handlers.messaging import reply_buttons_expected, show_choice, text_expected
from handlers.notifications import ChatNotifier
from handlers.staff.case_errors import case_error
from handlers.staff.cases import load_case, refuse, send_case
from handlers.staff.desk import Desk
from handlers.texts import escape
from services.cases import answers as case_answers
from services.cases import casework
from services.cases.audience import resident_locale
from services.cases.canned import list_canned, text_for, title_for
from services.errors import DomainError
from storage.models import CannedReply

log = logging.getLogger(__name__)
ASKS = {"reject", "duplicate", "note", "reply"}


class CaseInput(StatesGroup):
    """Staff typing something about a case."""

    reject = State()
    duplicate = State()
    note = State()
    reply = State()
    confirm = State()


def prompt(action: str, number: str) -> str:
    """What to type for ``action``."""
    prompts = {
        "reject": _(
            "Why is case {number} not accepted? The resident reads this reason as the answer."
        ),
        "duplicate": _(
            "Case {number} is the same matter as which case? Type its number, like 2026-000123. "
            "The resident will follow that case."
        ),
        "note": _("Type an internal note on case {number}. Residents never see notes."),
        "reply": _(
            "Type the answer to the resident of case {number}, or pick a ready answer. "
            "You will see it before it is sent."
        ),
    }
    return prompts[action].format(number=number)


def canned_keyboard(issue_id: int, replies: list[CannedReply], locale: str) -> Grid:
    """Ready answers, one button each."""
    grid = Grid()
    for reply in replies:
        assert reply.id is not None
        grid.button(
            text=title_for(reply, locale), callback_data=CannedCB(issue=issue_id, id=reply.id)
        )
    grid.adjust(1)
    return grid


async def ask(callback: CallbackQuery, callback_data: CaseActionCB, desk: Desk) -> None:
    """Start one of the typed actions on a case in scope."""
    detail = await load_case(desk, callback_data.id)
    if detail is None:
        await refuse(callback, callback_data.id)
        return
    await callback.answer()
    action = callback_data.action
    await desk.state.set_state(getattr(CaseInput, action))
    await desk.state.update_data(case=callback_data.id, draft=secrets.token_hex(6))
    await desk.turn.say(prompt(action, detail.issue.number), reply_markup=keyboards.cancel_only())
    if action == "reply":
        replies = list(await list_canned(desk.session))
        if replies:
            grid = canned_keyboard(callback_data.id, replies, desk.turn.locale)
            await desk.turn.say(_("Ready answers:"), reply_markup=grid.as_markup())


async def _case_id(desk: Desk) -> int:
    return int((await desk.state.get_data())["case"])


async def _done(desk: Desk, text: str, issue_id: int, wake: Callable[[], None]) -> None:
    await desk.state.clear()
    wake()
    await desk.turn.say(text, reply_markup=keyboards.main_menu(desk.turn.menu_role))
    await send_case(desk, issue_id)


async def reason_typed(
    message: Message, desk: Desk, notifier: ChatNotifier, wake_delivery: Callable[[], None]
) -> None:
    """The reason for rejecting."""
    issue_id = await _case_id(desk)
    try:
        await casework.reject(
            desk.session,
            issue_id=issue_id,
            reason=message.text or "",
            scope=desk.scope,
            actor=desk.actor,
            now=desk.now,
            notifier=notifier,
        )
    except DomainError as error:
        await message.answer(case_error(error))
        return
    await _done(
        desk, _("The case was not accepted; the resident was told why."), issue_id, wake_delivery
    )


async def number_typed(
    message: Message, desk: Desk, notifier: ChatNotifier, wake_delivery: Callable[[], None]
) -> None:
    """The number of the case this one duplicates."""
    issue_id = await _case_id(desk)
    try:
        _issue, original = await casework.mark_duplicate(
            desk.session,
            issue_id=issue_id,
            original_number=message.text or "",
            scope=desk.scope,
            actor=desk.actor,
            now=desk.now,
            notifier=notifier,
        )
    except DomainError as error:
        await message.answer(case_error(error))
        return
    text = _("Merged with case {number}; the resident follows that case now.").format(
        number=original.number
    )
    await _done(desk, text, issue_id, wake_delivery)


async def note_typed(message: Message, desk: Desk, wake_delivery: Callable[[], None]) -> None:
    """An internal note."""
    issue_id = await _case_id(desk)
    try:
        await case_answers.add_note(
            desk.session,
            issue_id=issue_id,
            text=message.text or "",
            actor=desk.actor,
            now=desk.now,
            scope=desk.scope,
        )
    except DomainError as error:
        await message.answer(case_error(error))
        return
    await _done(desk, _("Note added."), issue_id, wake_delivery)


async def show_reply(desk: Desk, text: str) -> None:
    """The reply as the resident will read it, with send, rewrite and drop."""
    data = await desk.state.get_data()
    await desk.state.set_state(CaseInput.confirm)
    await desk.state.update_data(reply=text)
    preview, markup = reply_preview(text, str(data["draft"]), ReplySendCB)
    await desk.turn.say(preview, reply_markup=markup)


async def reply_typed(message: Message, desk: Desk) -> None:
    """A reply written by hand: checked, then shown."""
    from services.cases.common import check_text

    try:
        text = check_text(message.text or "")
    except DomainError as error:
        await message.answer(case_error(error))
        return
    await show_reply(desk, text)


async def canned_picked(callback: CallbackQuery, callback_data: CannedCB, desk: Desk) -> None:
    """A ready answer, in the resident's language."""
    data = await desk.state.get_data()
    state = await desk.state.get_state()
    reply = None
    for candidate in await list_canned(desk.session):
        if candidate.id == callback_data.id:
            reply = candidate
    if state != CaseInput.reply.state or data.get("case") != callback_data.issue or reply is None:
        log.info("chat %s: stale canned reply button", callback.from_user.id)
        await callback.answer(_("This button is no longer active."), show_alert=True)
        return
    detail = await load_case(desk, callback_data.issue)
    if detail is None:
        await refuse(callback, callback_data.issue)
        return
    await show_choice(
        callback,
        _("Ready answer: {title}").format(title=escape(title_for(reply, desk.turn.locale))),
    )
    locale = await resident_locale(desk.session, detail.issue)
    await show_reply(desk, text_for(reply, locale))


async def reply_decided(
    callback: CallbackQuery,
    callback_data: ReplySendCB,
    desk: Desk,
    bot: Bot,
    notifier: ChatNotifier,
    wake_delivery: Callable[[], None],
) -> None:
    """Send, rewrite or drop the reply on show."""
    data = await desk.state.get_data()
    if (
        await desk.state.get_state() != CaseInput.confirm.state
        or data.get("draft") != callback_data.draft
    ):
        await callback.answer(_("This button is no longer active."), show_alert=True)
        return
    issue_id = int(data["case"])
    if callback_data.action == "edit":
        await show_choice(callback, _("Rewrite the answer below."))
        await desk.state.set_state(CaseInput.reply)
        await desk.turn.say(_("Type the answer again."), reply_markup=keyboards.cancel_only())
        return
    if callback_data.action != "send":
        await show_choice(callback, _("The answer was dropped; nothing was sent."))
        await desk.state.clear()
        await desk.turn.say(
            _("Back to the menu."), reply_markup=keyboards.main_menu(desk.turn.menu_role)
        )
        return
    try:
        await case_answers.staff_reply(
            desk.session,
            issue_id=issue_id,
            text=str(data["reply"]),
            scope=desk.scope,
            actor=desk.actor,
            now=desk.now,
            notifier=notifier,
        )
    except DomainError as error:
        await callback.answer(case_error(error), show_alert=True)
        return
    await show_choice(callback, _("📤 Sent to the resident."))
    await _done(
        desk, _("The resident will get your answer and can rate it."), issue_id, wake_delivery
    )


def setup() -> Router:
    """The handlers of this module, on a fresh router."""
    router = Router(name="staff-case-text")
    router.callback_query.register(ask, CaseActionCB.filter(F.action.in_(ASKS)))
    router.callback_query.register(canned_picked, CannedCB.filter())
    router.callback_query.register(reply_decided, ReplySendCB.filter())
    typed = F.text & ~F.text.startswith("/")
    router.message.register(reason_typed, CaseInput.reject, typed)
    router.message.register(number_typed, CaseInput.duplicate, typed)
    router.message.register(note_typed, CaseInput.note, typed)
    router.message.register(reply_typed, CaseInput.reply, typed)
    router.message.register(reply_buttons_expected, CaseInput.confirm, ~F.text.startswith("/"))
    for state in (CaseInput.reject, CaseInput.duplicate, CaseInput.note, CaseInput.reply):
        router.message.register(text_expected, state, ~F.text.startswith("/"))
    return router
