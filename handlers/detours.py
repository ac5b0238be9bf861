"""Lists opened in the middle of something: on top of an unfinished report or activity entry.

"My issues", the stations directory and a member's meetings are dialogs of their own. Opened
while a report or an activity entry is unfinished, a list goes on top of it and offers to go
back; opened otherwise, it replaces whatever card the chat was on. A message sent while a list
sits on top of a report closes the list first, so the report takes what is typed, as it did
before the detour.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, TelegramObject
from aiogram_dialog import DialogManager, ShowMode, StartMode
from aiogram_dialog.api.entities import Context, Stack
from aiogram_dialog.api.internal import CONTEXT_KEY, STACK_KEY, STORAGE_KEY
from aiogram_dialog.context.storage import StorageProxy
from aiogram_dialog.widgets.kbd import Button

from handlers.dialogs.markup import Label
from handlers.member.log_entry import OVER_ENTRY, close_above_entry, entry_open
from handlers.resident.flow import OVER_REPORT, close_above_report, draw_below, report_open
from handlers.states import ReportForm


async def open_list(manager: DialogManager, state: State, **data: Any) -> None:
    """Start the list (or card) ``state``, on top of an unfinished report or entry if one is open.

    ``data`` is the dialog's start data (ids and strings only).
    """
    if report_open(manager):
        await close_above_report(manager)
        draw_below(manager)
        await manager.start(state, data={**data, OVER_REPORT: True}, show_mode=ShowMode.SEND)
    elif entry_open(manager):
        await close_above_entry(manager)
        await manager.start(state, data={**data, OVER_ENTRY: True}, show_mode=ShowMode.SEND)
    else:
        await manager.start(state, data=data, mode=StartMode.RESET_STACK)


def over_report(manager: DialogManager) -> bool:
    """Whether this list was opened on top of an unfinished report."""
    start_data = manager.start_data
    return isinstance(start_data, dict) and bool(start_data.get(OVER_REPORT))


def placement(manager: DialogManager) -> dict[str, bool]:
    """What a list's getter adds: whether it sits on a report or an entry (for "continue")."""
    start_data = manager.start_data if isinstance(manager.start_data, dict) else {}
    return {
        "over_report": bool(start_data.get(OVER_REPORT)),
        "over_entry": bool(start_data.get(OVER_ENTRY)),
    }


async def back_to_report(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Close the list and go on with the report under it, where it stopped."""
    await close_above_report(manager)
    draw_below(manager)
    await manager.show(ShowMode.SEND)


async def back_to_entry(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Close the list and go on with the activity entry under it."""
    await close_above_entry(manager)
    await manager.show(ShowMode.SEND)


def _over_report(context: Context | None) -> bool:
    return (
        context is not None
        and context.state.group is not ReportForm
        and isinstance(context.start_data, dict)
        and bool(context.start_data.get(OVER_REPORT))
    )


async def lists_yield_to_report(
    handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
    event: TelegramObject,
    data: dict[str, Any],
) -> Any:
    """Close the lists on top of an unfinished report before a message is routed.

    An outer middleware of the root router: the routers after it then see the report as the
    chat's current card, as if the list had never been opened.
    """
    context: Context | None = data.get(CONTEXT_KEY)
    if _over_report(context):
        stack: Stack = data[STACK_KEY]
        storage: StorageProxy = data[STORAGE_KEY]
        # What DialogManager.mark_closed does, before any manager exists for this update.
        while _over_report(context):
            await storage.remove_context(stack.pop())  # type: ignore[no-untyped-call]
            if stack.empty():  # type: ignore[no-untyped-call]
                context = None
            else:
                context = await storage.load_context(stack.last_intent_id())  # type: ignore[no-untyped-call]
        await storage.save_stack(stack)
        data[CONTEXT_KEY] = context
    return await handler(event, data)


def continue_buttons() -> list[Button]:
    """The list's way back to what it sits on: the unfinished report, or the activity entry."""
    return [
        Button(
            Label("▶ Continue my report"),
            id="to_report",
            on_click=back_to_report,
            when="over_report",
        ),
        Button(
            Label("▶ Continue the entry"),
            id="to_entry",
            on_click=back_to_entry,
            when="over_entry",
        ),
    ]
