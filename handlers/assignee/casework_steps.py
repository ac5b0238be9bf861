"""What the casework dialog's buttons and typed steps do; each checks the case is still theirs."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager, ShowMode
from aiogram_dialog.widgets.kbd import Button

from handlers import keyboards
from handlers.assignee.context import current_assignee
from handlers.assignee.states import Casework, ConditionsReport
from handlers.case_views import send_case_media
from handlers.dialogs.press import answer
from handlers.notifications import ChatNotifier
from handlers.staff.case_errors import case_error
from handlers.turn import Turn
from services.cases import assignee as case_assignee
from services.cases.answers import add_note
from services.cases.assignee import assigned_issue, assigned_page
from services.cases.common import Assignee, check_text
from services.cases.residents import IssueDetail
from services.clock import Clock
from services.errors import DomainError
from services.members.conditions_reports import MAX_CASES

log = logging.getLogger(__name__)
MORE_DAYS = (3, 7, 14, 30)
STEPS = {
    "reply": Casework.reply,
    "more": Casework.more_days,
    "handback": Casework.handback,
    "note": Casework.note,
}


def saying(
    reply: Callable[[Message], Awaitable[None]],
) -> Callable[[Message, Any, DialogManager], Awaitable[None]]:
    """A message input that only answers (text where a button is due, ...), card left alone."""

    async def handler(message: Message, widget: Any, manager: DialogManager) -> None:
        await reply(message)
        manager.show_mode = ShowMode.NO_UPDATE

    return handler


def _context(manager: DialogManager) -> tuple[Turn, Assignee]:
    assignee = current_assignee(manager.middleware_data)
    assert assignee is not None  # the dialog sits behind the assignee filter
    turn: Turn = manager.middleware_data["turn"]
    return turn, assignee


async def _own_case(manager: DialogManager, issue_id: int) -> IssueDetail | None:
    """The case if it is (still) assigned to this chat; the refusal is said otherwise."""
    turn, assignee = _context(manager)
    detail = await assigned_issue(turn.session, assignee=assignee, issue_id=issue_id)
    if detail is None:
        log.warning("chat %s: assignee case %s refused", turn.chat_id, issue_id)
        if isinstance(manager.event, CallbackQuery):
            await answer(manager, _("This case is not available."), alert=True)
        else:
            await turn.say(_("This case is not available."))
    return detail


def _case_id(manager: DialogManager) -> int:
    return int(manager.dialog_data.get("case", 0))


async def _leave_card(callback: CallbackQuery, manager: DialogManager, text: str) -> None:
    """Replace a card's buttons by what was done, so the next card comes below it."""
    await answer(manager)
    if isinstance(callback.message, Message):
        try:
            await callback.message.edit_text(text)
        except TelegramBadRequest as error:
            log.debug("could not mark the choice: %s", error)
    manager.show_mode = ShowMode.SEND


async def _back_to_card(manager: DialogManager, text: str) -> None:
    """Say what happened (with the menu), then show the case card anew below it."""
    turn, _assignee = _context(manager)
    await turn.say(text, reply_markup=keyboards.main_menu(turn.menu_role))
    await manager.switch_to(Casework.case, show_mode=ShowMode.SEND)


async def _to_menu(manager: DialogManager, text: str) -> None:
    """End the casework with a word and the main menu."""
    turn, _assignee = _context(manager)
    await manager.done()
    await turn.say(text, reply_markup=keyboards.main_menu(turn.menu_role))


async def page_moved(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Another page of the assigned cases."""
    page = int(manager.dialog_data.get("page", 0))
    manager.dialog_data["page"] = max(0, page + (1 if button.widget_id == "next" else -1))


async def case_chosen(
    callback: CallbackQuery, widget: Any, manager: DialogManager, issue_id: int
) -> None:
    """Open a case from the list."""
    if await _own_case(manager, issue_id) is None:
        return
    manager.dialog_data["case"] = issue_id
    await manager.switch_to(Casework.case)


async def case_step(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Reply, ask for more time, hand back, note: the first step of each."""
    if await _own_case(manager, _case_id(manager)) is None:
        return
    manager.dialog_data.pop("rewriting", None)
    await manager.switch_to(STEPS[str(button.widget_id)])


async def show_media(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """The case's photos or its place, sent below the card."""
    detail = await _own_case(manager, _case_id(manager))
    if detail is None:
        return
    turn, _assignee = _context(manager)
    identity = manager.middleware_data["identity"]
    await answer(manager)
    await send_case_media(
        turn.bot, turn, detail, what=str(button.widget_id), channel=identity.channel
    )
    manager.show_mode = ShowMode.NO_UPDATE


async def open_report(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """A member starts a social-conditions report from the cases assigned to them."""
    turn, assignee = _context(manager)
    if assignee.kind != "member":
        await answer(manager, _("Social-conditions reports are written by members."), alert=True)
        return
    page = await assigned_page(turn.session, assignee=assignee, page_size=MAX_CASES * 2)
    if not page.items:
        await answer(manager, _("No case is assigned to you to write from."), alert=True)
        return
    await manager.start(ConditionsReport.cases)


async def cancel_typing(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """✖ Cancel on a typed step: nothing is changed."""
    await _leave_card(callback, manager, _("Cancelled; nothing was changed."))
    await _to_menu(manager, _("Back to the menu."))


async def days_chosen(
    callback: CallbackQuery, widget: Any, manager: DialogManager, days: int
) -> None:
    """The days asked for; now the reason."""
    if days not in MORE_DAYS:
        log.info("chat %s: forged more-time button", callback.from_user.id)
        await answer(manager, _("This button is no longer active."), alert=True)
        return
    if await _own_case(manager, _case_id(manager)) is None:
        return
    manager.dialog_data["days"] = days
    await manager.switch_to(Casework.more_reason)


async def reason_typed(message: Message, widget: Any, manager: DialogManager) -> None:
    """The reason for more time, or for handing the case back."""
    turn, assignee = _context(manager)
    data = manager.middleware_data
    clock: Clock = data["clock"]
    notifier: ChatNotifier = data["notifier"]
    wake_delivery: Callable[[], None] = data["wake_delivery"]
    issue_id = _case_id(manager)
    more = manager.current_context().state == Casework.more_reason
    try:
        if more:
            await case_assignee.request_extension(
                turn.session,
                issue_id=issue_id,
                days=int(manager.dialog_data["days"]),
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
        manager.show_mode = ShowMode.NO_UPDATE
        if error.code not in ("text_empty", "text_too_long"):
            await _to_menu(manager, _("Back to the menu."))
        return
    wake_delivery()
    if more:
        await _back_to_card(manager, _("Your request was sent to staff."))
    else:
        await _to_menu(manager, _("The case went back to staff. Thank you."))


async def note_typed(message: Message, widget: Any, manager: DialogManager) -> None:
    """An internal note."""
    turn, assignee = _context(manager)
    clock: Clock = manager.middleware_data["clock"]
    try:
        await add_note(
            turn.session,
            issue_id=_case_id(manager),
            text=message.text or "",
            actor=assignee.actor,
            now=clock.now(),
            assignee=assignee,
        )
    except DomainError as error:
        await message.answer(case_error(error))
        manager.show_mode = ShowMode.NO_UPDATE
        return
    await _back_to_card(manager, _("Note added."))


async def reply_typed(message: Message, widget: Any, manager: DialogManager) -> None:
    """The answer: checked, then shown as the resident will read it."""
    try:
        text = check_text(message.text or "")
    except DomainError as error:
        await message.answer(case_error(error))
        manager.show_mode = ShowMode.NO_UPDATE
        return
    manager.dialog_data["reply"] = text
    await manager.switch_to(Casework.confirm)


async def rewrite_reply(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Back to typing the answer; the preview comes again after it."""
    manager.dialog_data["rewriting"] = True
    await manager.switch_to(Casework.reply)


async def drop_reply(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Nothing is sent."""
    await _leave_card(callback, manager, _("The answer was dropped; nothing was sent."))
    await _to_menu(manager, _("Back to the menu."))


async def send_reply(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """The answer goes to the resident, if the case is still this chat's."""
    turn, assignee = _context(manager)
    data = manager.middleware_data
    clock: Clock = data["clock"]
    try:
        await case_assignee.assignee_reply(
            turn.session,
            issue_id=_case_id(manager),
            text=str(manager.dialog_data.get("reply", "")),
            assignee=assignee,
            now=clock.now(),
            notifier=data["notifier"],
        )
    except DomainError as error:
        await answer(manager, case_error(error), alert=True)
        return
    data["wake_delivery"]()
    await _leave_card(callback, manager, _("📤 Sent to the resident."))
    await _back_to_card(manager, _("The resident will get your answer and can rate it."))
