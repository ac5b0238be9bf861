"""Staff create a meeting: kind, title, times, venue, who is invited, agenda, materials."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from handlers import keyboards
from handlers.callbacks import MeetingKindCB, MeetingReviewCB, StaffMenuCB
from handlers.filters import ButtonText
from handlers.messaging import buttons_expected, show_choice
from handlers.notifications import ChatNotifier
from handlers.staff.desk import Desk
from handlers.staff.meeting_steps import (
    EDITS,
    advance,
    ask_ends,
    parse_moment,
    show_review,
    start_meeting,
)
from handlers.states import MeetingForm
from handlers.texts import Buttons, escape
from services.errors import DomainError
from services.meetings import invitations as meetings
from services.meetings.materials import MAX_FILE_BYTES, keep_file
from services.reference.catalog import display_name

log = logging.getLogger(__name__)

# --- handlers --------------------------------------------------------------------------------


async def new_meeting(message: Message, desk: Desk) -> None:
    """The menu button or /newmeeting."""
    await start_meeting(desk)


async def new_meeting_button(
    callback: CallbackQuery, callback_data: StaffMenuCB, desk: Desk
) -> None:
    """A "new meeting" inline button."""
    await callback.answer()
    await start_meeting(desk)


async def kind_picked(callback: CallbackQuery, callback_data: MeetingKindCB, desk: Desk) -> None:
    """Step 1 answered."""
    kind = meetings.meeting_kind(callback_data.code)
    if kind is None:
        log.warning("chat %s picked meeting kind %r", callback.from_user.id, callback_data.code)
        await callback.answer(_("This button is not valid."))
        return
    await desk.state.update_data(kind=kind.code)
    await show_choice(
        callback, _("Kind: <b>{name}</b>").format(name=display_name(kind, desk.turn.locale))
    )
    await advance(desk)


async def title_typed(message: Message, desk: Desk) -> None:
    """Step 2 answered."""
    title = " ".join((message.text or "").split())
    if not 2 <= len(title) <= meetings.TITLE_MAX:
        await message.answer(_("Please give a title of 2 to 200 characters."))
        return
    await desk.state.update_data(title=title)
    await advance(desk)


async def starts_typed(message: Message, desk: Desk) -> None:
    """Step 3 answered."""
    moment = parse_moment(message.text or "", desk.today, desk.turn.tz)
    if moment is None:
        await message.answer(_("Please type the date and time like 2026-12-05 14:30."))
        return
    if moment <= desk.now:
        await message.answer(_("That time has passed. Please give a time in the future."))
        return
    data = await desk.state.get_data()
    update: dict[str, Any] = {"starts": moment.isoformat()}
    if data.get("ends") and dt.datetime.fromisoformat(data["ends"]) <= moment:
        update["ends"] = None
    await desk.state.update_data(**update)
    if data.get("editing") and update.get("ends", True) is None:
        await ask_ends(desk)
        return
    await advance(desk)


async def ends_typed(message: Message, desk: Desk) -> None:
    """Step 4 answered: a time on the start's day, or a date and time."""
    starts = dt.datetime.fromisoformat((await desk.state.get_data())["starts"])
    start_day = starts.astimezone(desk.turn.tz).date()
    moment = parse_moment(message.text or "", desk.today, desk.turn.tz, day=start_day)
    if moment is None:
        await message.answer(_("Please type the end time like 17:00."))
        return
    if moment <= starts:
        await message.answer(_("The end must come after the start."))
        return
    await desk.state.update_data(ends=moment.isoformat())
    await advance(desk)


async def venue_typed(message: Message, desk: Desk) -> None:
    """Step 5 answered."""
    venue = " ".join((message.text or "").split())
    if not 2 <= len(venue) <= meetings.VENUE_MAX:
        await message.answer(_("Please give a venue of 2 to 200 characters."))
        return
    await desk.state.update_data(venue=venue)
    await advance(desk)


async def agenda_typed(message: Message, desk: Desk) -> None:
    """Step 7 answered."""
    agenda = (message.text or "").strip()
    if len(agenda) > meetings.AGENDA_MAX:
        await message.answer(
            _("The agenda is too long: {length} characters, at most {maximum}.").format(
                length=len(agenda), maximum=meetings.AGENDA_MAX
            )
        )
        return
    await desk.state.update_data(agenda=agenda)
    await advance(desk)


async def skipped(message: Message, desk: Desk) -> None:
    """Skip the agenda or the materials."""
    state = await desk.state.get_state()
    if state == MeetingForm.agenda.state:
        await desk.state.update_data(agenda="")
    else:
        await desk.state.update_data(materials=None, materials_name=None)
    await advance(desk)


async def materials_received(message: Message, bot: Bot, desk: Desk) -> None:
    """Step 8: the document is kept by the bot, to send with every invitation."""
    document = message.document
    assert document is not None
    if document.file_size and document.file_size > MAX_FILE_BYTES:
        await message.answer(_("That file is larger than 20 MB. Please send a smaller one."))
        return
    downloaded = await bot.download(document.file_id)
    assert downloaded is not None
    data = downloaded.read()
    key = await keep_file(
        desk.session,
        root=desk.files_dir,
        data=data,
        name=document.file_name or "materials",
        mime_type=document.mime_type or "application/octet-stream",
        now=desk.now,
    )
    await desk.state.update_data(materials=key, materials_name=document.file_name or "materials")
    await advance(desk)


async def text_expected(message: Message) -> None:
    """A sticker or a photo where text is expected."""
    await message.answer(_("Please answer with text, or “✖ Cancel”."))


async def document_expected(message: Message) -> None:
    """Anything but a document in the materials step."""
    await message.answer(_("Please send the materials as a document (a file), or skip."))


async def review_action(
    callback: CallbackQuery,
    callback_data: MeetingReviewCB,
    desk: Desk,
    notifier: ChatNotifier,
    wake_delivery: Callable[[], None],
) -> None:
    """Edit, create or discard the draft under review; refuse any other draft's buttons."""
    data = await desk.state.get_data()
    if (
        await desk.state.get_state() != MeetingForm.review.state
        or data.get("draft") != callback_data.draft
    ):
        await callback.answer(_("This meeting was already created or discarded."), show_alert=True)
        return
    if callback_data.action == "discard":
        await desk.state.clear()
        await show_choice(callback, _("Meeting discarded."))
        await desk.turn.say(
            _("Nothing was sent."), reply_markup=keyboards.main_menu(desk.turn.menu_role)
        )
        return
    if callback_data.action in EDITS:
        await desk.state.update_data(editing=True)
        await show_choice(callback, _("Editing the meeting…"))
        await EDITS[callback_data.action](desk)
        return
    if callback_data.action != "create":
        log.warning(
            "chat %s sent meeting review action %r", callback.from_user.id, callback_data.action
        )
        await callback.answer(_("This button is not valid."))
        return
    draft = meetings.MeetingInput(
        kind=str(data["kind"]),
        title=str(data["title"]),
        starts_at=dt.datetime.fromisoformat(data["starts"]),
        ends_at=dt.datetime.fromisoformat(data["ends"]),
        venue=str(data["venue"]),
        audience=list(data["audience"]),
        agenda=str(data.get("agenda") or ""),
        materials_file=data.get("materials"),
        materials_name=data.get("materials_name"),
    )
    try:
        meeting = await meetings.create_meeting(
            desk.session,
            data=draft,
            staff_id=desk.staff.id,
            now=desk.now,
            notifier=notifier,
            actor=desk.actor,
        )
    except DomainError as error:
        await callback.answer()
        await desk.turn.say(
            _("The meeting could not be created ({reason}). Please check it.").format(
                reason=error.code
            )
        )
        await show_review(desk)
        return
    await desk.state.clear()
    wake_delivery()
    await show_choice(callback, _("Meeting created."))
    await desk.turn.say(
        _(
            "✅ <b>{title}</b> is set up and the invitations are on their way.\n"
            "Check-in code: <code>{code}</code>"
        ).format(title=escape(meeting.title), code=meeting.checkin_code),
        reply_markup=keyboards.main_menu(desk.turn.menu_role),
    )


def entry() -> Router:
    """The ways into the form, on a fresh router: tried before the other staff features."""
    router = Router(name="staff-meeting-form-entry")
    router.message.register(new_meeting, ButtonText(Buttons.NEW_MEETING))
    router.message.register(new_meeting, Command("newmeeting"))
    router.callback_query.register(
        new_meeting_button, StaffMenuCB.filter(F.action == "new-meeting")
    )
    return router


def steps() -> Router:
    """The form's steps, on a fresh router: tried after every menu button of the desk."""
    router = Router(name="staff-meeting-form-steps")
    router.callback_query.register(review_action, MeetingReviewCB.filter())
    router.callback_query.register(kind_picked, MeetingForm.kind, MeetingKindCB.filter())
    router.message.register(buttons_expected, MeetingForm.kind)
    router.message.register(title_typed, MeetingForm.title, F.text)
    router.message.register(starts_typed, MeetingForm.starts, F.text)
    router.message.register(ends_typed, MeetingForm.ends, F.text)
    router.message.register(venue_typed, MeetingForm.venue, F.text)
    router.message.register(buttons_expected, MeetingForm.audience)
    router.message.register(skipped, MeetingForm.agenda, ButtonText(Buttons.SKIP))
    router.message.register(agenda_typed, MeetingForm.agenda, F.text)
    router.message.register(skipped, MeetingForm.materials, ButtonText(Buttons.SKIP))
    router.message.register(materials_received, MeetingForm.materials, F.document)
    router.message.register(document_expected, MeetingForm.materials)
    router.message.register(buttons_expected, MeetingForm.review)
    for state in (
        MeetingForm.title,
        MeetingForm.starts,
        MeetingForm.ends,
        MeetingForm.venue,
        MeetingForm.audience_value,
        MeetingForm.agenda,
    ):
        router.message.register(text_expected, state)
    return router
