"""Staff create a meeting: kind, title, times, venue, who is invited, agenda, materials."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy import select
from sqlmodel import col

from handlers import keyboards
from handlers.callbacks import AudienceCB, MeetingKindCB, MeetingReviewCB, StaffMenuCB
from handlers.filters import ButtonText
from handlers.grid import Grid
from handlers.messaging import show_choice
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
from handlers.texts import Buttons, escape, group_label
from services import meetings
from services.errors import DomainError
from services.files import MAX_FILE_BYTES, keep_file
from services.members import find_members
from services.reference import display_name, list_sectors
from storage.db import write_transaction
from storage.enums import MemberGroup
from storage.models import SpecialCommittee

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


async def audience_picked(callback: CallbackQuery, callback_data: AudienceCB, desk: Desk) -> None:
    """Step 6: a kind of audience, then (for most) which one."""
    kind, value = callback_data.kind, callback_data.value
    if kind == "all":
        await _set_audience(callback, desk, ["all"], _("All members"))
        return
    if kind == "member":
        await callback.answer()
        await desk.state.set_state(MeetingForm.audience_value)
        await desk.turn.say(
            _("Type the members' roster codes or names, separated by commas (e.g. M001, 李文静)."),
            reply_markup=keyboards.cancel_only(),
        )
        return
    if kind not in ("sector", "group", "committee"):
        log.warning("chat %s picked audience %r", callback.from_user.id, kind)
        await callback.answer(_("This button is not valid."))
        return
    options = await _options(desk, kind)
    if not value:
        await callback.answer()
        grid = Grid()
        for code, label in options.items():
            grid.button(text=label, callback_data=AudienceCB(kind=kind, value=code))
        grid.adjust(2)
        await desk.turn.say(_("Which one?"), reply_markup=grid.as_markup())
        return
    if value not in options:
        log.warning("chat %s picked audience %s:%r", callback.from_user.id, kind, value)
        await callback.answer(_("This button is not valid."))
        return
    await _set_audience(callback, desk, [f"{kind}:{value}"], options[value])


async def _options(desk: Desk, kind: str) -> dict[str, str]:
    locale = desk.turn.locale
    if kind == "sector":
        return {s.code: display_name(s, locale) for s in await list_sectors(desk.session)}
    if kind == "group":
        return {group.value: group_label(group) for group in MemberGroup}
    if kind == "committee":
        rows = (
            await desk.session.execute(
                select(SpecialCommittee).order_by(col(SpecialCommittee.sort_order))
            )
        ).scalars()
        return {c.code: display_name(c, locale) for c in rows}
    return {}


async def _set_audience(callback: CallbackQuery, desk: Desk, specs: list[str], label: str) -> None:
    count = len(await meetings.audience_members(desk.session, specs))
    if count == 0:
        await callback.answer(
            _("Nobody active matches; please choose another audience."), show_alert=True
        )
        return
    await desk.state.update_data(audience=specs, audience_label=label)
    await show_choice(
        callback, _("Invited: {label} ({count} members)").format(label=escape(label), count=count)
    )
    await advance(desk)


async def members_typed(message: Message, desk: Desk) -> None:
    """Step 6, named members: every name must match exactly one member."""
    wanted = [part.strip() for part in re.split(r"[,，、;；]", message.text or "") if part.strip()]
    found, unknown = [], []
    for query in wanted[:200]:
        matches = await find_members(desk.session, query)
        if len(matches) == 1 and matches[0].id is not None:
            found.append(matches[0])
        else:
            unknown.append(query)
    if unknown or not found:
        await message.answer(
            _("Not found or not unique: {names}. Please type roster codes or full names.").format(
                names=escape("、".join(unknown) or "-")
            )
        )
        return
    specs = [f"member:{member.id}" for member in found]
    await desk.state.update_data(audience=specs, audience_label="、".join(m.name for m in found))
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
    async with write_transaction(desk.session):
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


async def buttons_expected(message: Message) -> None:
    """Typing where a button is expected."""
    await message.answer(_("Please choose with the buttons above."))


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
        await desk.turn.say(_("Nothing was sent."), reply_markup=keyboards.main_menu("staff"))
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
            desk.session, data=draft, staff_id=desk.staff.id, now=desk.now, notifier=notifier
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
        reply_markup=keyboards.main_menu("staff"),
    )


def setup() -> Router:
    """The handlers of this module, on a fresh router."""
    router = Router(name="staff-meeting-form")
    router.message.register(new_meeting, ButtonText(Buttons.NEW_MEETING))
    router.message.register(new_meeting, Command("newmeeting"))
    router.callback_query.register(
        new_meeting_button, StaffMenuCB.filter(F.action == "new-meeting")
    )
    router.callback_query.register(review_action, MeetingReviewCB.filter())
    router.callback_query.register(kind_picked, MeetingForm.kind, MeetingKindCB.filter())
    router.message.register(buttons_expected, MeetingForm.kind)
    router.message.register(title_typed, MeetingForm.title, F.text)
    router.message.register(starts_typed, MeetingForm.starts, F.text)
    router.message.register(ends_typed, MeetingForm.ends, F.text)
    router.message.register(venue_typed, MeetingForm.venue, F.text)
    router.callback_query.register(audience_picked, MeetingForm.audience, AudienceCB.filter())
    router.message.register(buttons_expected, MeetingForm.audience)
    router.message.register(members_typed, MeetingForm.audience_value, F.text)
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
