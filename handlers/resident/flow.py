"""Moving through the report dialog, and opening it from a menu, a command or a QR code.

The dialog's windows (see :mod:`handlers.resident.report_dialog`) are its steps, in order;
these helpers say how a step hands over to the next one. Every question is a new card below
the answers already given, as in a paper form: the chat keeps the whole conversation, and a
press settles its card with the answer it gave (``Station: …``) rather than redrawing it.
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import ReplyKeyboardRemove
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager, ShowMode, StartMode

from handlers.states import ReportForm
from handlers.texts import escape
from services.reference.catalog import display_name
from storage.models import Station

log = logging.getLogger(__name__)

STEPS = 6
# Set in the start data of a list opened on top of an unfinished report.
OVER_REPORT = "over_report"
# The windows where a station is still being chosen: a station from a QR code moves on.
CHOOSING_STATION = (ReportForm.station, ReportForm.nearest)


def _report_on_top(manager: DialogManager) -> bool:
    return manager.has_context() and manager.current_context().state.group is ReportForm


def report_open(manager: DialogManager) -> bool:
    """Whether the chat is writing a report (perhaps with a list opened on top of it)."""
    if not manager.has_context():
        return False
    context = manager.current_context()
    if context.state.group is ReportForm:
        return True
    return isinstance(context.start_data, dict) and bool(context.start_data.get(OVER_REPORT))


async def close_above_report(manager: DialogManager) -> None:
    """Close the lists opened on top of the report, not showing them."""
    while manager.has_context() and not _report_on_top(manager):
        await manager.mark_closed()


def draft(manager: DialogManager) -> dict[str, Any] | None:
    """What the report on top of the stack holds so far, or None.

    A list on top of a report is closed by the next message (see
    :mod:`handlers.detours`), so a typed command finds the report on top.
    """
    return dict(manager.dialog_data) if _report_on_top(manager) else None


async def say(manager: DialogManager, text: str, **kwargs: Any) -> None:
    """Send a message to the chat of the event being handled."""
    chat = manager.middleware_data["event_chat"]
    await manager.middleware_data["bot"].send_message(chat.id, text, **kwargs)


def draw_below(manager: DialogManager) -> None:
    """Draw the next card below the ones in the chat and leave those as they are.

    The engine would otherwise delete a card that carried a reply keyboard, or post "..." to
    take the keyboard away; the next card or the dialog's own words replace the keyboard.
    """
    stack = manager.current_stack()
    stack.last_message_id = None
    stack.last_reply_keyboard = False


async def advance(manager: DialogManager, to: State | None = None) -> None:
    """Ask the next question: ``to``, or the window after this one.

    A resident who came from the review to change one part goes back to the review.
    """
    if to is ReportForm.review or manager.dialog_data.get("editing"):
        await to_review(manager)
        return
    draw_below(manager)
    if to is None:
        await manager.next(show_mode=ShowMode.SEND)
    else:
        await manager.switch_to(to, show_mode=ShowMode.SEND)


async def to_review(manager: DialogManager) -> None:
    """The whole draft, with edit, submit and discard buttons."""
    manager.dialog_data.pop("editing", None)
    await say(manager, _("Almost done."), reply_markup=ReplyKeyboardRemove())
    draw_below(manager)
    await manager.switch_to(ReportForm.review, show_mode=ShowMode.SEND)


async def start_report(
    manager: DialogManager,
    state: FSMContext,
    *,
    station_id: int | None = None,
    from_qr_code: bool = False,
) -> None:
    """Open a fresh report; a station already chosen (a QR code, the list) skips that step."""
    # A report replaces whatever else the chat was in the middle of.
    await state.clear()
    draw_below(manager)
    await manager.start(
        ReportForm.station,
        data={"station_id": station_id, "from_qr_code": from_qr_code},
        mode=StartMode.RESET_STACK,
        show_mode=ShowMode.SEND,
    )


async def open_report(manager: DialogManager, state: FSMContext) -> None:
    """Start a report, or offer to resume the one already open."""
    if report_open(manager):
        await offer_resume(manager)
        return
    await start_report(manager, state)


async def offer_resume(manager: DialogManager) -> None:
    """Ask whether to go on with the open report or to start over (from outside the dialog)."""
    await close_above_report(manager)
    current = manager.current_context().state
    if current is not ReportForm.resume:
        manager.dialog_data["resume_at"] = current.state
    draw_below(manager)
    await manager.switch_to(ReportForm.resume, show_mode=ShowMode.SEND)
    await manager.show()


def resumed_step(manager: DialogManager) -> State:
    """The step the report stood at before the resume question was asked (now answered)."""
    current = manager.current_context().state
    wanted = manager.dialog_data.pop("resume_at", None)
    if current is not ReportForm.resume:
        return current
    for step in ReportForm.__all_states__:
        if step.state == wanted and step is not ReportForm.resume:
            return step
    return ReportForm.station


async def back_to_draft(manager: DialogManager) -> None:
    """After a detour, remind a resident who is writing a report where they were."""
    if not report_open(manager):
        return
    await close_above_report(manager)
    await say(manager, _("Your unfinished report is kept. Let's go on:"))
    draw_below(manager)
    await manager.show(ShowMode.SEND)


async def continue_at_station(manager: DialogManager, station: Station, locale: str) -> None:
    """A station's QR code scanned mid-report: the draft keeps everything else."""
    await close_above_report(manager)
    manager.dialog_data["station_id"] = station.id
    await say(
        manager,
        _("Your unfinished report continues, now at <b>{name}</b>.").format(
            name=escape(display_name(station, locale))
        ),
    )
    step = resumed_step(manager)
    if step in CHOOSING_STATION:
        await advance(manager, ReportForm.category)
    else:
        draw_below(manager)
        await manager.switch_to(step, show_mode=ShowMode.SEND)
    await manager.show()
