"""A member writes a social-conditions report (社情民意信息) from cases assigned to them.

Started from the assigned cases; the cases, a title, the text, then a review that sends it to
staff, goes back to any part, or drops it. Ending it returns to the assigned cases.
"""

from __future__ import annotations

import logging
from operator import itemgetter
from typing import Any

from aiogram import F
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager, ShowMode, Window
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button, Group, ManagedMultiselect, Multiselect, Row, SwitchTo
from aiogram_dialog.widgets.text import Format

from handlers import keyboards
from handlers.assignee.casework_steps import saying
from handlers.assignee.context import current_assignee, load_assignee
from handlers.assignee.states import ConditionsReport
from handlers.dialogs.press import answer
from handlers.dialogs.text import T
from handlers.filters import TYPED, MenuLabel
from handlers.messaging import buttons_expected, text_expected
from handlers.staff.case_errors import case_error
from handlers.texts import Buttons
from handlers.turn import Turn
from services.cases.assignee import assigned_page
from services.cases.common import Assignee, check_text
from services.errors import DomainError
from services.members.conditions_reports import BODY_MAX, MAX_CASES, TITLE_MAX, submit_report

log = logging.getLogger(__name__)
# The review must fit in one message; the whole text is what gets sent.
SHOWN_MAX = 3000


def _context(manager: DialogManager) -> tuple[Turn, Assignee]:
    assignee = current_assignee(manager.middleware_data)
    assert assignee is not None
    turn: Turn = manager.middleware_data["turn"]
    return turn, assignee


async def _candidates(manager: DialogManager) -> dict[int, str]:
    assignee = await load_assignee(manager.middleware_data)
    if assignee is None:
        return {}
    page = await assigned_page(
        manager.middleware_data["session"], assignee=assignee, page_size=MAX_CASES * 2
    )
    return {item.issue.id or 0: item.issue.number for item in page.items}


def _chosen(manager: DialogManager) -> list[int]:
    widget = manager.find("cases")
    assert isinstance(widget, ManagedMultiselect)
    return [int(item) for item in widget.get_checked()]


async def cases_getter(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    """Every case one may write from."""
    candidates = await _candidates(dialog_manager)
    return {"maximum": MAX_CASES, "candidates": [(n, i) for i, n in candidates.items()]}


async def review_getter(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    """The report as it will be sent, and the limits of each part."""
    data = dialog_manager.dialog_data
    body = str(data.get("body", ""))
    return {
        "title": data.get("title", ""),
        "body": body if len(body) <= SHOWN_MAX else body[: SHOWN_MAX - 1] + "…",
    }


async def title_getter(**_: Any) -> dict[str, Any]:
    """The title's limit."""
    return {"maximum": TITLE_MAX}


async def body_getter(**_: Any) -> dict[str, Any]:
    """The text's limit."""
    return {"maximum": BODY_MAX}


async def cases_done(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Go on with the cases chosen; any no longer assigned is left out."""
    candidates = await _candidates(manager)
    chosen = [issue_id for issue_id in _chosen(manager) if issue_id in candidates]
    if not chosen:
        await answer(manager, _("Choose at least one case."), alert=True)
        return
    manager.dialog_data["chosen"] = chosen[:MAX_CASES]
    await _onwards(manager)


async def _onwards(manager: DialogManager) -> None:
    """The next step; after an edit from the review, the review again."""
    if manager.dialog_data.get("body"):
        await manager.switch_to(ConditionsReport.review)
    else:
        await manager.next()


async def title_typed(message: Message, widget: Any, manager: DialogManager) -> None:
    """The title; then the text (or the review, when editing)."""
    try:
        manager.dialog_data["title"] = check_text(message.text or "", maximum=TITLE_MAX)
    except DomainError as error:
        await message.answer(case_error(error))
        manager.show_mode = ShowMode.NO_UPDATE
        return
    await _onwards(manager)


async def body_typed(message: Message, widget: Any, manager: DialogManager) -> None:
    """The text; then the review."""
    try:
        manager.dialog_data["body"] = check_text(message.text or "", maximum=BODY_MAX)
    except DomainError as error:
        await message.answer(case_error(error))
        manager.show_mode = ShowMode.NO_UPDATE
        return
    await manager.switch_to(ConditionsReport.review)


async def send(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """The report goes to staff."""
    turn, assignee = _context(manager)
    data = manager.dialog_data
    try:
        await submit_report(
            turn.session,
            member_id=assignee.id,
            issue_ids=[int(i) for i in data.get("chosen", [])],
            title=str(data.get("title", "")),
            body=str(data.get("body", "")),
            now=manager.middleware_data["clock"].now(),
            notifier=manager.middleware_data["notifier"],
            rulebook=manager.middleware_data["rulebook"],
            tz=manager.middleware_data["tz"],
        )
    except DomainError as error:
        await answer(manager, case_error(error), alert=True)
        return
    manager.middleware_data["wake_delivery"]()
    await _close(
        callback,
        manager,
        _("📤 Report sent."),
        _("Staff will read your report. Once accepted, it counts towards this year's “six ones”."),
    )


async def drop(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Nothing is sent."""
    await _close(
        callback, manager, _("The report was dropped; nothing was sent."), _("Back to the menu.")
    )


async def _close(callback: CallbackQuery, manager: DialogManager, done: str, then: str) -> None:
    """Mark the card with what happened, say so with the menu, and end the report."""
    turn, _assignee = _context(manager)
    await answer(manager)
    if isinstance(callback.message, Message):
        await callback.message.edit_text(done)
    await turn.say(then, reply_markup=keyboards.main_menu(turn.menu_role))
    await manager.done(show_mode=ShowMode.SEND)


def _typed(*texts: Any, state: Any, handler: Any, getter: Any) -> Window:
    return Window(
        *texts,
        MessageInput(handler, filter=TYPED),
        MessageInput(saying(text_expected)),
        Button(T(Buttons.CANCEL), id="cancel", on_click=drop),
        getter=getter,
        state=state,
    )


def conditions_report_dialog() -> Dialog:
    """A fresh social-conditions report dialog, for one Dispatcher."""
    dialog = Dialog(
        Window(
            T("Which cases is the report about? Choose up to {maximum}."),
            Group(
                Multiselect(
                    Format("☑ {item[0]}"),
                    Format("☐ {item[0]}"),
                    id="cases",
                    item_id_getter=itemgetter(1),
                    items="candidates",
                    type_factory=int,
                    max_selected=MAX_CASES,
                ),
                width=2,
            ),
            Button(T("Next ▶"), id="next", on_click=cases_done),
            MessageInput(saying(buttons_expected)),
            getter=cases_getter,
            state=ConditionsReport.cases,
        ),
        _typed(
            T("The report's title (up to {maximum} characters)?"),
            state=ConditionsReport.title,
            handler=title_typed,
            getter=title_getter,
        ),
        _typed(
            T(
                "Now the report itself (up to {maximum} characters): the situation, its causes, "
                "and your suggestions."
            ),
            state=ConditionsReport.body,
            handler=body_typed,
            getter=body_getter,
        ),
        Window(
            T("<b>{title}</b>\n<blockquote>{body}</blockquote>"),
            Row(
                SwitchTo(T("✏️ Cases"), id="edit_cases", state=ConditionsReport.cases),
                SwitchTo(T("✏️ Title"), id="edit_title", state=ConditionsReport.title),
                SwitchTo(T("✏️ Text"), id="edit_body", state=ConditionsReport.body),
            ),
            Row(
                Button(T("📤 Send to staff"), id="send", on_click=send),
                Button(T("✖ Drop"), id="drop", on_click=drop),
            ),
            MessageInput(saying(buttons_expected)),
            getter=review_getter,
            state=ConditionsReport.review,
        ),
    )
    dialog.message.filter(~MenuLabel(), ~F.text.startswith("/"))
    return dialog
