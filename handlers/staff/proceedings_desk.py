"""Running a consultation in session from the staff meeting card: speeches, remarks, steps.

Staff call the next speaker (told by a notice), mark a speech spoken, move a booking up or
down and set the time limit; read the remote remarks a page at a time; record the steps in
order with a note, the confirmed suggestions at confirmation; and form the outcome once.
Administrators only: every press is checked again by the services.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from aiogram import F
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager, Window
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button, Cancel, Row, StubScroll, SwitchTo
from aiogram_dialog.widgets.text import Format

from handlers.consultation.texts import refusal
from handlers.dialogs.guard import Refused, guard
from handlers.dialogs.markup import Label
from handlers.dialogs.paging import choices, page_buttons
from handlers.dialogs.press import answer, refuse_input
from handlers.dialogs.text import T
from handlers.staff.desk import desk_of
from handlers.staff.proceedings_steps import (
    form_chosen,
    note_typed,
    record_chosen,
    suggestions_typed,
)
from handlers.staff.proceedings_views import (
    Proceedings,
    meeting_of,
    note_getter,
    remarks_getter,
    speech_getter,
    speeches_getter,
    steps_getter,
)
from services.consultations.speeches import call_next, mark_spoken, move_speech, set_minutes
from services.errors import DomainError
from services.translation import N_

log = logging.getLogger(__name__)


async def open_proceedings(manager: DialogManager, meeting_id: int) -> None:
    """Open the proceedings of ``meeting_id`` over the meeting's card."""
    await manager.start(Proceedings.speeches, data={"meeting": meeting_id})


def _refused(callback: CallbackQuery, error: DomainError) -> Refused:
    log.warning("chat %s: proceedings press %r refused", callback.from_user.id, callback.data)
    return Refused(refusal(error), alert=True)


def _wake(manager: DialogManager) -> None:
    wake: Callable[[], None] | None = manager.middleware_data.get("wake_delivery")
    if wake is not None:
        wake()


async def call_chosen(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Call the first speaker waiting; they are told they are next."""
    desk = desk_of(manager)
    try:
        booking = await call_next(
            desk.session,
            scope=desk.scope,
            actor=desk.actor,
            meeting_id=meeting_of(manager),
            notifier=manager.middleware_data["notifier"],
            now=desk.now,
        )
    except DomainError as error:
        raise _refused(callback, error) from error
    if booking is None:
        await answer(manager, _("Nobody is waiting to speak."))
        return
    _wake(manager)
    await answer(manager, _("Speech {position} is called.").format(position=booking.position))


async def speech_chosen(
    callback: CallbackQuery, widget: Any, manager: DialogManager, item: str
) -> None:
    """Open a speech of this meeting; any other id is refused."""
    speech_id = int(item) if item.isdigit() else 0
    data = await speeches_getter(manager)
    if item not in {key for key, _label in data["items"]}:
        log.warning("chat %s: speech %r refused", callback.from_user.id, item)
        raise Refused(_("This speech is not available."), alert=True)
    manager.dialog_data["speech"] = speech_id
    await manager.switch_to(Proceedings.speech)


async def _speech_action(callback: CallbackQuery, manager: DialogManager, action: str) -> None:
    desk = desk_of(manager)
    meeting_id = meeting_of(manager)
    booking_id = int(manager.dialog_data.get("speech") or 0)
    try:
        if action == "spoken":
            await mark_spoken(
                desk.session,
                scope=desk.scope,
                actor=desk.actor,
                meeting_id=meeting_id,
                booking_id=booking_id,
                now=desk.now,
            )
        else:
            await move_speech(
                desk.session,
                scope=desk.scope,
                actor=desk.actor,
                meeting_id=meeting_id,
                booking_id=booking_id,
                up=action == "up",
                now=desk.now,
            )
    except DomainError as error:
        raise _refused(callback, error) from error
    if action == "spoken":
        await answer(manager, _("Marked as spoken."))
        await manager.switch_to(Proceedings.speeches)


async def up_chosen(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Move the speech one place earlier."""
    await _speech_action(callback, manager, "up")


async def down_chosen(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Move the speech one place later."""
    await _speech_action(callback, manager, "down")


async def spoken_chosen(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Record that the speaker has spoken."""
    await _speech_action(callback, manager, "spoken")


async def minutes_typed(message: Message, widget: Any, manager: DialogManager) -> None:
    """The time limit for the speeches still waiting and those booked later."""
    desk = desk_of(manager)
    text = (message.text or "").strip()
    try:
        await set_minutes(
            desk.session,
            scope=desk.scope,
            actor=desk.actor,
            meeting_id=meeting_of(manager),
            minutes=int(text) if text.isdigit() else 0,
            now=desk.now,
        )
    except DomainError as error:
        await refuse_input(message, manager, refusal(error))
        return
    await manager.switch_to(Proceedings.speeches)


async def not_text(message: Message, widget: Any, manager: DialogManager) -> None:
    """Anything but text where text is expected."""
    await refuse_input(message, manager, _("Please answer with text, or press “◀ Back”."))


def _typed(handler: Any, back: str, state: Any, prompt: T, **window: Any) -> Window:
    return Window(
        prompt,
        MessageInput(handler, filter=F.text & ~F.text.startswith("/")),
        MessageInput(not_text),
        SwitchTo(Label("◀ Back"), id=back, state=state),
        state=window.pop("at"),
        **window,
    )


def proceedings_dialog() -> Dialog:
    """A fresh proceedings dialog (one per Dispatcher)."""
    return guard(
        Dialog(
            Window(
                Format("{card}"),
                Button(
                    Label("📣 Call the next speaker"),
                    id="call",
                    on_click=call_chosen,
                    when="waiting",
                ),
                choices("speech", speech_chosen),
                Row(
                    SwitchTo(Label("💬 Remarks"), id="to_remarks", state=Proceedings.remarks),
                    SwitchTo(Label("🪜 Steps"), id="to_steps", state=Proceedings.steps),
                ),
                SwitchTo(Label("⏱ Time limit"), id="to_minutes", state=Proceedings.minutes),
                Cancel(Label("◀ Back")),
                getter=speeches_getter,
                state=Proceedings.speeches,
            ),
            Window(
                Format("{card}"),
                Row(
                    Button(Label("⬆ Earlier"), id="up", on_click=up_chosen, when="waiting"),
                    Button(Label("⬇ Later"), id="down", on_click=down_chosen, when="waiting"),
                ),
                Button(Label("✅ Spoken"), id="spoken", on_click=spoken_chosen, when="open"),
                SwitchTo(Label("◀ Back"), id="speech_back", state=Proceedings.speeches),
                getter=speech_getter,
                state=Proceedings.speech,
            ),
            _typed(
                minutes_typed,
                "minutes_back",
                Proceedings.speeches,
                T("How many minutes may each speech take? Send a number from 1 to 60."),
                at=Proceedings.minutes,
            ),
            Window(
                Format("{card}"),
                StubScroll(id="remark_pages", pages="pages"),
                page_buttons(
                    "remark_pages",
                    back=("remarks_prev", N_("◀ Earlier")),
                    forward=("remarks_next", N_("Later ▶")),
                ),
                SwitchTo(Label("◀ Back"), id="remarks_back", state=Proceedings.speeches),
                getter=remarks_getter,
                state=Proceedings.remarks,
            ),
            Window(
                Format("{card}"),
                Button(Format("➡ {next}"), id="record", on_click=record_chosen, when="has_next"),
                Button(
                    Label("📄 Form the outcome"), id="form", on_click=form_chosen, when="confirmed"
                ),
                SwitchTo(Label("◀ Back"), id="steps_back", state=Proceedings.speeches),
                getter=steps_getter,
                state=Proceedings.steps,
            ),
            _typed(
                note_typed,
                "note_back",
                Proceedings.steps,
                T("Recording: {step}. Send a note of what was said (or “-” for none)."),
                at=Proceedings.note,
                getter=note_getter,
            ),
            _typed(
                suggestions_typed,
                "suggestions_back",
                Proceedings.steps,
                T("Send the confirmed suggestions, one numbered line each (1. … 2. …)."),
                at=Proceedings.suggestions,
            ),
        )
    )
