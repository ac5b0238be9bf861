"""What staff read of a consultation in session: the speeches, the remarks, the steps.

Getters of the proceedings dialog (:mod:`handlers.staff.proceedings_desk`); each reads the
database afresh and names the meeting, speech or step its buttons act on.
"""

from __future__ import annotations

from typing import Any

from aiogram.fsm.state import State, StatesGroup
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager
from aiogram_dialog.widgets.common import ManagedScroll
from markupsafe import Markup

from handlers.consultation.texts import refusal, speech_line, step_name
from handlers.staff.desk import desk_of
from handlers.texts import escape, local_time, shorten
from services.consultations.remarks import PAGE, remarks_page, window_of
from services.consultations.speeches import ACTIVE, staff_speeches
from services.consultations.steps import confirmed_suggestions, next_step, recorded_steps
from services.consultations.taking_part import speaker_name, speech_minutes, staff_meeting
from services.consultations.to_outcome import meeting_outcome
from services.errors import DomainError
from storage.models import SpeechBooking, SpeechState


class Proceedings(StatesGroup):
    """The speeches, one speech, the time limit, the remarks, the steps, a note, suggestions."""

    speeches = State()
    speech = State()
    minutes = State()
    remarks = State()
    steps = State()
    note = State()
    suggestions = State()


def meeting_of(manager: DialogManager) -> int:
    """The meeting the dialog was started for."""
    start = manager.start_data if isinstance(manager.start_data, dict) else {}
    return int(start.get("meeting") or 0)


async def _names(manager: DialogManager, bookings: list[SpeechBooking]) -> dict[int, str]:
    session = desk_of(manager).session
    return {
        b.id or 0: await speaker_name(session, member_id=b.member_id, guest_id=b.guest_id)
        for b in bookings
    }


async def speeches_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """The speeches in order with their speakers; the ones still open can be picked."""
    desk = desk_of(dialog_manager)
    try:
        meeting = await staff_meeting(
            desk.session, scope=desk.scope, meeting_id=meeting_of(dialog_manager)
        )
        bookings = list(
            await staff_speeches(desk.session, scope=desk.scope, meeting_id=meeting.id or 0)
        )
    except DomainError as error:
        return {"card": refusal(error), "found": False, "items": [], "waiting": False}
    names = await _names(dialog_manager, bookings)
    lines = [
        f"<b>{escape(meeting.title)}</b>",
        _("Speeches in order (each {minutes} minutes by default):").format(
            minutes=await speech_minutes(desk.session, meeting.id or 0)
        ),
    ]
    lines += [speech_line(b, names[b.id or 0]) for b in bookings] or [_("No speech is booked.")]
    return {
        # Built from our msgids and escaped values, so it is markup as it stands.
        "card": Markup("\n".join(lines)),  # noqa: S704
        "found": True,
        "items": [
            (str(b.id), f"{b.position}. {shorten(names[b.id or 0], 20)} · {shorten(b.title, 30)}")
            for b in bookings
            if b.state in ACTIVE
        ],
        "waiting": any(b.state == SpeechState.BOOKED for b in bookings),
    }


async def speech_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """The speech picked, with what can be done to it now."""
    desk = desk_of(dialog_manager)
    booking = await desk.session.get(
        SpeechBooking, int(dialog_manager.dialog_data.get("speech") or 0), populate_existing=True
    )
    if booking is None or booking.meeting_id != meeting_of(dialog_manager):
        return {"card": _("This speech is not available."), "waiting": False, "open": False}
    name = await speaker_name(desk.session, member_id=booking.member_id, guest_id=booking.guest_id)
    return {
        "card": Markup(speech_line(booking, name)),  # noqa: S704
        "waiting": booking.state == SpeechState.BOOKED,
        "open": booking.state in ACTIVE,
    }


def _scroll(manager: DialogManager) -> ManagedScroll:
    scroll = manager.find("remark_pages")
    assert isinstance(scroll, ManagedScroll)
    return scroll


async def remarks_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """One page of the remarks in the order written."""
    desk = desk_of(dialog_manager)
    page = await _scroll(dialog_manager).get_page()
    meeting_id = meeting_of(dialog_manager)
    try:
        lines, total = await remarks_page(
            desk.session, scope=desk.scope, meeting_id=meeting_id, page=page
        )
        meeting = await staff_meeting(desk.session, scope=desk.scope, meeting_id=meeting_id)
    except DomainError as error:
        return {"card": refusal(error), "pages": 1}
    opens, closes = await window_of(desk.session, meeting)
    tz = desk.turn.tz
    text = [
        _("<b>Remarks</b> ({total}), taken from {opens} to {closes}:").format(
            total=total, opens=local_time(opens, tz), closes=local_time(closes, tz)
        )
    ]
    for number, line in enumerate(lines, start=page * PAGE + 1):
        text.append(
            f"{number}. <i>{escape(line.author)}</i> {local_time(line.remark.created_at, tz)[11:]}"
            f"\n{escape(line.remark.text)}"
        )
    if not lines:
        text.append(_("No remarks yet."))
    return {
        "card": Markup("\n\n".join(text)),  # noqa: S704
        "pages": max(1, -(-total // PAGE)),
    }


async def steps_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """The steps recorded, the next one, the confirmed suggestions and the outcome if formed."""
    desk = desk_of(dialog_manager)
    meeting_id = meeting_of(dialog_manager)
    try:
        meeting = await staff_meeting(desk.session, scope=desk.scope, meeting_id=meeting_id)
    except DomainError as error:
        return {"card": refusal(error), "next": "", "has_next": False, "confirmed": False}
    steps = await recorded_steps(desk.session, meeting_id=meeting_id)
    upcoming = next_step(steps)
    # The button records the step named here: a press drawn before another record is stale.
    dialog_manager.dialog_data["next"] = upcoming.value if upcoming else None
    tz = desk.turn.tz
    lines = [f"<b>{escape(meeting.title)}</b>", _("Steps recorded:")]
    for row in steps:
        lines.append(
            f"• {step_name(row.step)} · {local_time(row.started_at, tz)}"
            + (f"\n  {escape(shorten(row.note, 300))}" if row.note else "")
        )
    if not steps:
        lines.append(_("None yet."))
    suggestions = await confirmed_suggestions(desk.session, meeting_id=meeting_id)
    if suggestions:
        lines.append(_("Confirmed suggestions:"))
        lines += [f"{n}. {escape(shorten(t, 200))}" for n, t in enumerate(suggestions, start=1)]
    outcome = await meeting_outcome(desk.session, meeting_id=meeting_id)
    if outcome is not None:
        lines.append(
            _("Outcome {number} was formed from this meeting.").format(number=outcome.number)
        )
    return {
        "card": Markup("\n".join(lines)),  # noqa: S704
        "next": step_name(upcoming) if upcoming else "",
        "has_next": upcoming is not None,
        "confirmed": upcoming is None,
    }


async def note_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """The step a note is being typed for."""
    step = dialog_manager.dialog_data.get("next")
    return {"step": step_name(step) if step else ""}
