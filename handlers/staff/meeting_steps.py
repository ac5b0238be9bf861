"""The meeting form's steps: what each accepts, what it refuses, and where it goes next."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from aiogram import Bot
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, Message, ReplyKeyboardRemove
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager, ShowMode

from handlers.dialogs.context import reader_of
from handlers.dialogs.press import answer_press, mark_choice, refuse_input
from handlers.parsing import parse_moment
from handlers.staff.desk import desk_of
from handlers.staff.meeting_form import MeetingForm
from handlers.texts import escape
from services.meetings import invitations as meetings
from services.meetings.materials import MAX_FILE_BYTES, keep_file
from services.reference.catalog import display_name

log = logging.getLogger(__name__)


async def advance(manager: DialogManager, to: State) -> None:
    """Go on to the step ``to``, or back to the review when the step was opened from it."""
    if manager.dialog_data.get("editing") or to == MeetingForm.review:
        await show_review(manager)
        return
    await manager.switch_to(to)


async def show_review(manager: DialogManager) -> None:
    """The whole meeting, below a line that takes the step keyboard away."""
    manager.dialog_data["editing"] = False
    await desk_of(manager).turn.say(_("Almost done."), reply_markup=ReplyKeyboardRemove())
    await manager.switch_to(MeetingForm.review, show_mode=ShowMode.SEND)


# --- getters ---------------------------------------------------------------------------------


async def kinds(dialog_manager: DialogManager, **_data: Any) -> dict[str, Any]:
    """The kinds of meeting, named in the staff member's language."""
    locale = reader_of(dialog_manager).locale
    return {"kinds": [(kind.code, display_name(kind, locale)) for kind in meetings.MEETING_KINDS]}


async def step_data(dialog_manager: DialogManager, **_data: Any) -> dict[str, Any]:
    """What the typed steps show: an example start a week from today."""
    today = reader_of(dialog_manager).today
    return {"example": (today + dt.timedelta(days=7)).isoformat() + " 14:30"}


# --- the steps -------------------------------------------------------------------------------


async def kind_picked(
    callback: CallbackQuery, widget: Any, manager: DialogManager, item_id: str
) -> None:
    """Step 1 answered."""
    kind = meetings.meeting_kind(item_id)
    if kind is None:
        log.warning("chat %s picked meeting kind %r", callback.from_user.id, item_id)
        await answer_press(manager, _("This button is not valid."))
        return
    manager.dialog_data["kind"] = kind.code
    name = display_name(kind, desk_of(manager).turn.locale)
    await mark_choice(manager, _("Kind: <b>{name}</b>").format(name=escape(name)))
    await advance(manager, MeetingForm.title)


async def title_typed(message: Message, widget: Any, manager: DialogManager) -> None:
    """Step 2 answered."""
    title = " ".join((message.text or "").split())
    if not 2 <= len(title) <= meetings.TITLE_MAX:
        await refuse_input(message, manager, _("Please give a title of 2 to 200 characters."))
        return
    manager.dialog_data["title"] = title
    await advance(manager, MeetingForm.starts)


async def starts_typed(message: Message, widget: Any, manager: DialogManager) -> None:
    """Step 3 answered; an end that no longer follows the start is asked for again."""
    desk = desk_of(manager)
    moment = parse_moment(message.text or "", desk.today, desk.turn.tz)
    if moment is None:
        text = _("Please type the date and time like 2026-12-05 14:30.")
        await refuse_input(message, manager, text)
        return
    if moment <= desk.now:
        text = _("That time has passed. Please give a time in the future.")
        await refuse_input(message, manager, text)
        return
    data = manager.dialog_data
    data["starts"] = moment.isoformat()
    if data.get("ends") and dt.datetime.fromisoformat(data["ends"]) <= moment:
        # Even when only the start was being edited: the old end is no longer possible.
        data["ends"] = None
        await manager.switch_to(MeetingForm.ends)
        return
    await advance(manager, MeetingForm.ends)


async def ends_typed(message: Message, widget: Any, manager: DialogManager) -> None:
    """Step 4 answered: a time on the start's day, or a date and time."""
    desk = desk_of(manager)
    starts = dt.datetime.fromisoformat(manager.dialog_data["starts"])
    start_day = starts.astimezone(desk.turn.tz).date()
    moment = parse_moment(message.text or "", desk.today, desk.turn.tz, day=start_day)
    if moment is None:
        await refuse_input(message, manager, _("Please type the end time like 17:00."))
        return
    if moment <= starts:
        await refuse_input(message, manager, _("The end must come after the start."))
        return
    manager.dialog_data["ends"] = moment.isoformat()
    await advance(manager, MeetingForm.venue)


async def venue_typed(message: Message, widget: Any, manager: DialogManager) -> None:
    """Step 5 answered."""
    venue = " ".join((message.text or "").split())
    if not 2 <= len(venue) <= meetings.VENUE_MAX:
        await refuse_input(message, manager, _("Please give a venue of 2 to 200 characters."))
        return
    manager.dialog_data["venue"] = venue
    await advance(manager, MeetingForm.audience)


async def agenda_typed(message: Message, widget: Any, manager: DialogManager) -> None:
    """Step 7 answered."""
    agenda = (message.text or "").strip()
    if len(agenda) > meetings.AGENDA_MAX:
        text = _("The agenda is too long: {length} characters, at most {maximum}.").format(
            length=len(agenda), maximum=meetings.AGENDA_MAX
        )
        await refuse_input(message, manager, text)
        return
    manager.dialog_data["agenda"] = agenda
    await advance(manager, MeetingForm.materials)


async def materials_received(message: Message, widget: Any, manager: DialogManager) -> None:
    """Step 8: the document is kept by the bot, to send with every invitation."""
    desk = desk_of(manager)
    document = message.document
    assert document is not None
    if document.file_size and document.file_size > MAX_FILE_BYTES:
        text = _("That file is larger than 20 MB. Please send a smaller one.")
        await refuse_input(message, manager, text)
        return
    bot: Bot = manager.middleware_data["bot"]
    downloaded = await bot.download(document.file_id)
    assert downloaded is not None
    name = document.file_name or "materials"
    key = await keep_file(
        desk.session,
        root=desk.files_dir,
        data=downloaded.read(),
        name=name,
        mime_type=document.mime_type or "application/octet-stream",
        now=desk.now,
    )
    manager.dialog_data.update(materials=key, materials_name=name)
    await advance(manager, MeetingForm.review)


async def _skip(manager: DialogManager) -> None:
    """Skip the agenda or the materials, whichever is asked."""
    if manager.current_context().state == MeetingForm.agenda:
        manager.dialog_data["agenda"] = ""
        await advance(manager, MeetingForm.materials)
    else:
        manager.dialog_data.update(materials=None, materials_name=None)
        await advance(manager, MeetingForm.review)


async def skipped(callback: CallbackQuery, button: Any, manager: DialogManager) -> None:
    """The step's "⏭ Skip" button: the question stays above, the next one comes below."""
    manager.show_mode = ShowMode.SEND
    await _skip(manager)


async def skip_typed(message: Message, widget: Any, manager: DialogManager) -> None:
    """The label "⏭ Skip" typed, or tapped on a keyboard drawn earlier."""
    await _skip(manager)


# --- input of the wrong kind -----------------------------------------------------------------


async def text_expected(message: Message, widget: Any, manager: DialogManager) -> None:
    """A sticker or a photo where text is expected."""
    await refuse_input(message, manager, _("Please answer with text, or “✖ Cancel”."))


async def document_expected(message: Message, widget: Any, manager: DialogManager) -> None:
    """Anything but a document in the materials step."""
    text = _("Please send the materials as a document (a file), or skip.")
    await refuse_input(message, manager, text)


async def buttons_expected(message: Message, widget: Any, manager: DialogManager) -> None:
    """Typing where a button is expected."""
    await refuse_input(message, manager, _("Please choose with the buttons above."))
