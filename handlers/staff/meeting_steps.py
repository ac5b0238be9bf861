"""The meeting dialog's steps: what each asks, which comes next, and the review."""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
from collections.abc import Awaitable, Callable

from aiogram.types import ReplyKeyboardRemove
from aiogram.utils.i18n import gettext as _

from handlers import keyboards
from handlers.callbacks import AudienceCB, MeetingKindCB, MeetingReviewCB
from handlers.grid import Grid
from handlers.parsing import parse_day
from handlers.staff.desk import Desk
from handlers.states import MeetingForm
from handlers.texts import escape, local_time
from services.meetings import invitations as meetings
from services.reference.catalog import display_name

log = logging.getLogger(__name__)
STEPS = 8
_TIME = re.compile(r"^(\d{1,2})\s*[:：.点]\s*(\d{2})?\s*分?$")


def parse_moment(
    text: str, today: dt.date, tz: dt.tzinfo, day: dt.date | None = None
) -> dt.datetime | None:
    """``2026-12-05 14:30``, ``12-05 14:30``, or only ``17:00`` when ``day`` is known."""
    parts = text.strip().rsplit(maxsplit=1)
    if len(parts) == 2:
        day = parse_day(parts[0], today)
        clock = parts[1]
    else:
        clock = parts[0] if parts else ""
    match = _TIME.match(clock)
    if day is None or match is None:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if hour > 23 or minute > 59:
        return None
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=tz).astimezone(dt.UTC)


def step(number: int, text: str) -> str:
    """A prompt headed by its step number."""
    return _("<b>Step {number} of {total}</b> · {text}").format(
        number=number, total=STEPS, text=text
    )


async def start_meeting(desk: Desk) -> None:
    """Open a fresh meeting draft."""
    await desk.state.clear()
    await desk.state.update_data(draft=secrets.token_hex(8))
    await desk.turn.say(
        _("Let's set up a meeting. You can check everything before the invitations go out."),
        reply_markup=keyboards.cancel_only(),
    )
    await ask_kind(desk)


async def ask_kind(desk: Desk) -> None:
    """Step 1."""
    await desk.state.set_state(MeetingForm.kind)
    grid = Grid()
    for kind in meetings.MEETING_KINDS:
        grid.button(
            text=display_name(kind, desk.turn.locale), callback_data=MeetingKindCB(code=kind.code)
        )
    grid.adjust(2)
    await desk.turn.say(step(1, _("What kind of meeting?")), reply_markup=grid.as_markup())


async def ask_title(desk: Desk) -> None:
    """Step 2."""
    await desk.state.set_state(MeetingForm.title)
    await desk.turn.say(
        step(2, _("The title of the meeting?")), reply_markup=keyboards.cancel_only()
    )


async def ask_starts(desk: Desk) -> None:
    """Step 3."""
    await desk.state.set_state(MeetingForm.starts)
    example = (desk.today + dt.timedelta(days=7)).isoformat() + " 14:30"
    await desk.turn.say(
        step(
            3,
            _("When does it start? Type the date and time, like {example}.").format(
                example=example
            ),
        )
    )


async def ask_ends(desk: Desk) -> None:
    """Step 4."""
    await desk.state.set_state(MeetingForm.ends)
    await desk.turn.say(step(4, _("When does it end? Type the time, like 17:00.")))


async def ask_venue(desk: Desk) -> None:
    """Step 5."""
    await desk.state.set_state(MeetingForm.venue)
    await desk.turn.say(step(5, _("Where is it? Type the venue.")))


async def ask_audience(desk: Desk) -> None:
    """Step 6."""
    await desk.state.set_state(MeetingForm.audience)
    grid = Grid()
    grid.button(text=_("All members"), callback_data=AudienceCB(kind="all"))
    grid.button(text=_("By sector"), callback_data=AudienceCB(kind="sector"))
    grid.button(text=_("By group"), callback_data=AudienceCB(kind="group"))
    grid.button(text=_("By special committee"), callback_data=AudienceCB(kind="committee"))
    grid.button(text=_("Named members"), callback_data=AudienceCB(kind="member"))
    grid.adjust(1, 2, 2)
    await desk.turn.say(step(6, _("Who is invited?")), reply_markup=grid.as_markup())


async def ask_agenda(desk: Desk) -> None:
    """Step 7."""
    await desk.state.set_state(MeetingForm.agenda)
    await desk.turn.say(
        step(7, _("The agenda (up to 2000 characters), or skip.")),
        reply_markup=keyboards.photo_step(has_photos=False),
    )


async def ask_materials(desk: Desk) -> None:
    """Step 8."""
    await desk.state.set_state(MeetingForm.materials)
    await desk.turn.say(
        step(8, _("Send the materials as a document (up to 20 MB), or skip.")),
        reply_markup=keyboards.photo_step(has_photos=False),
    )


async def show_review(desk: Desk) -> None:
    """The whole meeting, with edit, create and discard buttons."""
    await desk.state.set_state(MeetingForm.review)
    await desk.state.update_data(editing=False)
    data = await desk.state.get_data()
    count = len(await meetings.audience_members(desk.session, data.get("audience", [])))
    kind = meetings.meeting_kind(str(data.get("kind")))
    tz = desk.turn.tz
    lines = [
        _("<b>Please check the meeting</b>"),
        "",
        _("Kind: {value}").format(
            value=escape(display_name(kind, desk.turn.locale)) if kind else "-"
        ),
        _("Title: {value}").format(value=escape(str(data.get("title", "")))),
        _("When: {value}").format(
            value=f"{local_time(dt.datetime.fromisoformat(data['starts']), tz)} – "
            f"{local_time(dt.datetime.fromisoformat(data['ends']), tz)}"
        ),
        _("Venue: {value}").format(value=escape(str(data.get("venue", "")))),
        _("Invited: {label} ({count} members)").format(
            label=escape(str(data.get("audience_label", ""))), count=count
        ),
        _("Materials: {value}").format(value=escape(data.get("materials_name") or _("none"))),
    ]
    if data.get("agenda"):
        lines += [_("Agenda:"), f"<blockquote>{escape(str(data['agenda']))}</blockquote>"]
    draft = str(data["draft"])
    grid = Grid()
    for action, label in (
        ("kind", _("✏️ Kind")),
        ("title", _("✏️ Title")),
        ("starts", _("✏️ Start")),
        ("ends", _("✏️ End")),
        ("venue", _("✏️ Venue")),
        ("audience", _("✏️ Invited")),
        ("agenda", _("✏️ Agenda")),
        ("materials", _("✏️ Materials")),
    ):
        grid.button(text=label, callback_data=MeetingReviewCB(action=action, draft=draft))
    grid.button(
        text=_("✅ Create and invite"), callback_data=MeetingReviewCB(action="create", draft=draft)
    )
    grid.button(text=_("🗑 Discard"), callback_data=MeetingReviewCB(action="discard", draft=draft))
    grid.adjust(2, 2, 2, 2, 1, 1)
    await desk.turn.say(_("Almost done."), reply_markup=ReplyKeyboardRemove())
    await desk.turn.say("\n".join(lines), reply_markup=grid.as_markup())


NEXT: dict[str | None, Callable[[Desk], Awaitable[None]]] = {
    MeetingForm.kind.state: ask_title,
    MeetingForm.title.state: ask_starts,
    MeetingForm.starts.state: ask_ends,
    MeetingForm.ends.state: ask_venue,
    MeetingForm.venue.state: ask_audience,
    MeetingForm.audience.state: ask_agenda,
    MeetingForm.audience_value.state: ask_agenda,
    MeetingForm.agenda.state: ask_materials,
    MeetingForm.materials.state: show_review,
}
EDITS = {
    "kind": ask_kind,
    "title": ask_title,
    "starts": ask_starts,
    "ends": ask_ends,
    "venue": ask_venue,
    "audience": ask_audience,
    "agenda": ask_agenda,
    "materials": ask_materials,
}


async def advance(desk: Desk) -> None:
    """The next step, or the review when one part was being edited."""
    if (await desk.state.get_data()).get("editing"):
        await show_review(desk)
        return
    await NEXT.get(await desk.state.get_state() or "", show_review)(desk)
