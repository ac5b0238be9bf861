"""What an assignee types about a case: a reply, a reason, a note.

The reply is shown as the resident will read it and goes only on confirmation.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable

from aiogram import F, Router
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from handlers import keyboards
from handlers.assignee.cases import card, refuse
from handlers.callbacks import AssigneeIssueCB
from handlers.case_callbacks import AssigneeReplyCB, MoreTimeCB
from handlers.case_views import reply_preview
from handlers.filters import MenuLabel
from handlers.grid import Grid
from handlers.messaging import reply_buttons_expected, show_choice, text_expected
from handlers.notifications import ChatNotifier
from handlers.staff.case_errors import case_error
from handlers.turn import Turn
from services.cases import assignee as case_assignee
from services.cases.answers import add_note
from services.cases.assignee import assigned_issue
from services.cases.common import Assignee, check_text
from services.clock import Clock
from services.errors import DomainError

log = logging.getLogger(__name__)
MORE_DAYS = (3, 7, 14, 30)


class AssigneeInput(StatesGroup):
    """An assignee typing something about a case."""

    reply = State()
    confirm = State()
    more_reason = State()
    handback = State()
    note = State()


PROMPTS = {
    "reply": lambda: _(
        "Type your answer to the resident. You will see it before it is sent; "
        "the resident sees neither your name nor your chat."
    ),
    "handback": lambda: _("Why are you handing the case back? Staff read the reason."),
    "note": lambda: _("Type an internal note. Residents never see notes."),
}


async def ask(
    callback: CallbackQuery, callback_data: AssigneeIssueCB, turn: Turn, assignee: Assignee
) -> None:
    """Reply, hand back, note: the first step; more time: the days first."""
    detail = await assigned_issue(turn.session, assignee=assignee, issue_id=callback_data.id)
    if detail is None:
        await refuse(callback, callback_data.id)
        return
    await callback.answer()
    action = callback_data.action
    await turn.state.clear()
    await turn.state.update_data(case=callback_data.id, draft=secrets.token_hex(6))
    if action == "more":
        grid = Grid()
        for days in MORE_DAYS:
            grid.button(
                text=_("+{days} days").format(days=days),
                callback_data=MoreTimeCB(id=callback_data.id, days=days),
            )
        grid.adjust(4)
        await turn.say(
            _("How much more time do you need for case {number}?").format(
                number=detail.issue.number
            ),
            reply_markup=grid.as_markup(),
        )
        return
    await turn.state.set_state(getattr(AssigneeInput, action))
    await turn.say(PROMPTS[action](), reply_markup=keyboards.cancel_only())


async def days_chosen(
    callback: CallbackQuery, callback_data: MoreTimeCB, turn: Turn, assignee: Assignee
) -> None:
    """The days asked for; now the reason."""
    data = await turn.state.get_data()
    if data.get("case") != callback_data.id or callback_data.days not in MORE_DAYS:
        log.info("chat %s: stale or forged more-time button", callback.from_user.id)
        await callback.answer(_("This button is no longer active."), show_alert=True)
        return
    await show_choice(callback, _("+{days} days").format(days=callback_data.days))
    await turn.state.set_state(AssigneeInput.more_reason)
    await turn.state.update_data(days=callback_data.days)
    await turn.say(
        _("Why do you need more time? Staff decide on your reason."),
        reply_markup=keyboards.cancel_only(),
    )


async def _finish(turn: Turn, assignee: Assignee, text: str, issue_id: int) -> None:
    await turn.state.clear()
    await turn.say(text, reply_markup=keyboards.main_menu(turn.menu_role))
    shown = await card(turn.session, turn, assignee, issue_id)
    if shown is not None:
        await turn.say(shown[0], reply_markup=shown[1])


async def reason_typed(
    message: Message,
    turn: Turn,
    assignee: Assignee,
    clock: Clock,
    notifier: ChatNotifier,
    wake_delivery: Callable[[], None],
) -> None:
    """The reason for more time, or for handing back."""
    data = await turn.state.get_data()
    issue_id = int(data["case"])
    more = await turn.state.get_state() == AssigneeInput.more_reason.state
    try:
        if more:
            await case_assignee.request_extension(
                turn.session,
                issue_id=issue_id,
                days=int(data["days"]),
                reason=message.text or "",
                assignee=assignee,
                now=clock.now(),
                notifier=notifier,
            )
        else:
            await case_assignee.hand_back(
                turn.session,
                issue_id=issue_id,
                reason=message.text or "",
                assignee=assignee,
                now=clock.now(),
                notifier=notifier,
            )
    except DomainError as error:
        await message.answer(case_error(error))
        if error.code not in ("text_empty", "text_too_long"):
            await turn.state.clear()
            await message.answer(
                _("Back to the menu."), reply_markup=keyboards.main_menu(turn.menu_role)
            )
        return
    wake_delivery()
    if more:
        await _finish(turn, assignee, _("Your request was sent to staff."), issue_id)
        return
    await turn.state.clear()
    await message.answer(
        _("The case went back to staff. Thank you."),
        reply_markup=keyboards.main_menu(turn.menu_role),
    )


async def note_typed(message: Message, turn: Turn, assignee: Assignee, clock: Clock) -> None:
    """An internal note."""
    issue_id = int((await turn.state.get_data())["case"])
    try:
        await add_note(
            turn.session,
            issue_id=issue_id,
            text=message.text or "",
            actor=assignee.actor,
            now=clock.now(),
            assignee=assignee,
        )
    except DomainError as error:
        await message.answer(case_error(error))
        return
    await _finish(turn, assignee, _("Note added."), issue_id)


async def reply_typed(message: Message, turn: Turn) -> None:
    """The reply: checked, then shown with send, rewrite and drop."""
    try:
        text = check_text(message.text or "")
    except DomainError as error:
        await message.answer(case_error(error))
        return
    data = await turn.state.get_data()
    await turn.state.set_state(AssigneeInput.confirm)
    await turn.state.update_data(reply=text)
    preview, markup = reply_preview(text, str(data["draft"]), AssigneeReplyCB)
    await message.answer(preview, reply_markup=markup)


async def reply_decided(
    callback: CallbackQuery,
    callback_data: AssigneeReplyCB,
    turn: Turn,
    assignee: Assignee,
    clock: Clock,
    notifier: ChatNotifier,
    wake_delivery: Callable[[], None],
) -> None:
    """Send, rewrite or drop the reply on show."""
    data = await turn.state.get_data()
    current = await turn.state.get_state()
    if current != AssigneeInput.confirm.state or data.get("draft") != callback_data.draft:
        await callback.answer(_("This button is no longer active."), show_alert=True)
        return
    issue_id = int(data["case"])
    if callback_data.action == "edit":
        await show_choice(callback, _("Rewrite the answer below."))
        await turn.state.set_state(AssigneeInput.reply)
        await turn.say(_("Type the answer again."), reply_markup=keyboards.cancel_only())
        return
    if callback_data.action != "send":
        await show_choice(callback, _("The answer was dropped; nothing was sent."))
        await turn.state.clear()
        await turn.say(_("Back to the menu."), reply_markup=keyboards.main_menu(turn.menu_role))
        return
    try:
        await case_assignee.assignee_reply(
            turn.session,
            issue_id=issue_id,
            text=str(data["reply"]),
            assignee=assignee,
            now=clock.now(),
            notifier=notifier,
        )
    except DomainError as error:
        await callback.answer(case_error(error), show_alert=True)
        return
    wake_delivery()
    await show_choice(callback, _("📤 Sent to the resident."))
    await _finish(turn, assignee, _("The resident will get your answer and can rate it."), issue_id)


def setup() -> Router:
    """The handlers of this module, on a fresh router."""
    router = Router(name="assignee-steps")
    # Members' menu buttons are handled after this router: a tap on one is never the text.
    router.message.filter(~MenuLabel())
    router.callback_query.register(
        ask, AssigneeIssueCB.filter(F.action.in_({"reply", "more", "handback", "note"}))
    )
    router.callback_query.register(days_chosen, MoreTimeCB.filter())
    router.callback_query.register(reply_decided, AssigneeReplyCB.filter())
    typed = F.text & ~F.text.startswith("/")
    router.message.register(reply_typed, AssigneeInput.reply, typed)
    router.message.register(reason_typed, AssigneeInput.more_reason, typed)
    router.message.register(reason_typed, AssigneeInput.handback, typed)
    router.message.register(note_typed, AssigneeInput.note, typed)
    router.message.register(reply_buttons_expected, AssigneeInput.confirm, ~F.text.startswith("/"))
    for state in (
        AssigneeInput.reply,
        AssigneeInput.more_reason,
        AssigneeInput.handback,
        AssigneeInput.note,
    ):
        router.message.register(text_expected, state, ~F.text.startswith("/"))
    return router
