"""Recording a consultation's steps from the proceedings dialog, and forming its outcome.

The "record" button names the step drawn on the card (kept in the dialog's data by the
getter); the service refuses it unless it is still the next one, so a stale press records
nothing. The note is typed next, and at confirmation the confirmed suggestions after it.
"""

from __future__ import annotations

from typing import Any

from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager
from aiogram_dialog.widgets.kbd import Button

from handlers.consultation.texts import refusal
from handlers.dialogs.guard import Refused
from handlers.dialogs.press import answer, answer_press, refuse_input
from handlers.staff.desk import desk_of
from handlers.staff.proceedings_views import Proceedings, meeting_of
from services.consultations.steps import record_step
from services.consultations.to_outcome import form_meeting_outcome
from services.errors import DomainError
from storage.enums import ConsultationStep


async def record_chosen(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Record the next step: its note is typed next."""
    if not manager.dialog_data.get("next"):
        raise Refused(refusal(DomainError("step_out_of_order")), alert=True)
    await manager.switch_to(Proceedings.note)


async def _record(message: Message, manager: DialogManager, suggestions: str | None) -> None:
    desk = desk_of(manager)
    step = ConsultationStep(str(manager.dialog_data.get("next")))
    try:
        await record_step(
            desk.session,
            scope=desk.scope,
            actor=desk.actor,
            meeting_id=meeting_of(manager),
            step=step,
            note=str(manager.dialog_data.get("note") or ""),
            suggestions=suggestions,
            now=desk.now,
        )
    except DomainError as error:
        await refuse_input(message, manager, refusal(error))
        if error.code == "step_out_of_order":
            await manager.switch_to(Proceedings.steps)
        return
    manager.dialog_data.pop("note", None)
    await manager.switch_to(Proceedings.steps)


async def note_typed(message: Message, widget: Any, manager: DialogManager) -> None:
    """The step's note ("-" for none); at confirmation the suggestions are asked next."""
    text = (message.text or "").strip()
    manager.dialog_data["note"] = "" if text == "-" else text
    if manager.dialog_data.get("next") == ConsultationStep.CONFIRMATION:
        await manager.switch_to(Proceedings.suggestions)
        return
    await _record(message, manager, None)


async def suggestions_typed(message: Message, widget: Any, manager: DialogManager) -> None:
    """The confirmed suggestions as numbered lines: confirmation is recorded."""
    await _record(message, manager, message.text or "")


async def form_chosen(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Form the outcome from the confirmed suggestions; a second press shows the one formed."""
    desk = desk_of(manager)
    rules = manager.middleware_data["rulebook"].for_year(desk.today.year).pipeline
    try:
        outcome, formed = await form_meeting_outcome(
            desk.session,
            scope=desk.scope,
            actor=desk.actor,
            meeting_id=meeting_of(manager),
            rules=rules,
            now=desk.now,
            tz=desk.turn.tz,
        )
    except DomainError as error:
        await answer_press(manager, refusal(error), show_alert=True)
        return
    text = _("Outcome {number} is formed.") if formed else _("Outcome {number} was formed already.")
    await answer(manager, text.format(number=outcome.number), alert=True)
