"""What the station work screens share: callback data and how a session or a board reads.

The buttons name a session, a point or a duty turn by id; whoever answers one reads it again
and checks it against who pressed (a resident, the member of the turn, staff in scope).
"""

from __future__ import annotations

import datetime as dt

from aiogram.filters.callback_data import CallbackData
from aiogram.utils.i18n import gettext as _

from handlers.texts import escape, local_time
from services.errors import DomainError
from services.reference.catalog import display_name
from services.stations.board import StationBoard
from services.stations.rota import TurnState
from storage.models import Station, StationSession


class SessionCB(CallbackData, prefix="ks"):
    """A press about an open session: ``ask`` (a resident), ``open``/``cancel`` (staff)."""

    action: str
    id: int


class PointCB(CallbackData, prefix="kp"):
    """A staff press on a point raised at a session: ``case`` turns it into a case."""

    action: str
    id: int


class DutyCB(CallbackData, prefix="dy"):
    """A press on a duty turn: ``in`` (its member checks in), ``rm`` (staff remove it)."""

    action: str
    id: int


def hours(start: dt.datetime, end: dt.datetime, tz: dt.tzinfo) -> str:
    """``2026-11-23 09:00–12:00`` in the committee's time zone."""
    return f"{local_time(start, tz)}–{end.astimezone(tz):%H:%M}"


def session_lines(row: StationSession, station: Station, locale: str, tz: dt.tzinfo) -> list[str]:
    """A session as residents read it: title, station, time, venue, what it is about."""
    lines = [
        f"<b>{escape(row.title)}</b>",
        _("Station: {station}").format(station=escape(display_name(station, locale))),
        _("When: {when}").format(when=hours(row.starts_at, row.ends_at, tz)),
    ]
    if row.venue:
        lines.append(_("Where: {venue}").format(venue=escape(row.venue)))
    if row.description:
        lines.append(escape(row.description))
    lines.append(_("Open to all, no sign-up needed."))
    return lines


def board_lines(board: StationBoard, tz: dt.tzinfo) -> list[str]:
    """The station card's lines: who is on duty today and the sessions to come."""
    lines: list[str] = []
    if board.duty:
        names = _(", ").join(
            f"{escape(name)} ({turn.starts_at.astimezone(tz):%H:%M}–"
            f"{turn.ends_at.astimezone(tz):%H:%M})"
            for turn, name in board.duty
        )
        lines.append(_("👥 On duty today: {names}").format(names=names))
    for row in board.sessions:
        lines.append(
            _("🗣 Open session: {title}, {when}").format(
                title=escape(row.title), when=hours(row.starts_at, row.ends_at, tz)
            )
        )
    return lines


def state_label(state: TurnState) -> str:
    """A turn's state in words."""
    labels = {
        TurnState.UPCOMING: _("upcoming"),
        TurnState.ON: _("now"),
        TurnState.CHECKED_IN: _("✅ checked in"),
        TurnState.MISSED: _("❌ missed"),
    }
    return labels[state]


def refusal(error: DomainError) -> str:
    """Why a station work action was refused, in the reader's language."""
    params = error.params
    messages = {
        "session_unknown": _("This open session is not available."),
        "point_unknown": _("This point is not available."),
        "turn_unknown": _("This duty turn is not available."),
        "duty_place_unknown": _(
            "This station's place is not on the map. Scan the duty code posted there."
        ),
        "duty_too_far": _(
            "You are {metres} m from the station. Check in there, or scan its duty code."
        ).format(metres=params.get("metres", "?")),
        "duty_code_unknown": _(
            "This is not a station's duty code. Scan the code posted at the station."
        ),
        "station_unknown": _("This station is not available."),
        "category_unknown": _("This category is not available."),
        "out_of_scope": _("This station is not among yours."),
        "session_in_past": _("The session must start in the future."),
        "session_times_wrong": _(
            "The session must end after it starts, within {hours} hours."
        ).format(hours=params.get("hours", 12)),
        "session_field_empty": _("The title may not be empty."),
        "session_field_long": _("That is too long: at most {maximum} characters.").format(
            maximum=params.get("maximum", 0)
        ),
        "session_closed": _("This session has started or was cancelled; it can no longer change."),
        "session_not_started": _("Points can be recorded once the session has started."),
        "session_questions_closed": _(
            "Questions are taken until the session starts; this one has started or was cancelled."
        ),
        "question_short": _("Please write your question in at least {minimum} characters.").format(
            minimum=params.get("minimum", 0)
        ),
        "question_long": _("Your question is too long: at most {maximum} characters.").format(
            maximum=params.get("maximum", 0)
        ),
        "questions_too_many": _(
            "You have sent {maximum} questions for this session already."
        ).format(maximum=params.get("maximum", 0)),
        "description_too_short": _(
            "Please describe the point in at least {minimum} characters."
        ).format(minimum=params.get("minimum", 0)),
        "description_too_long": _("That is too long: at most {maximum} characters.").format(
            maximum=params.get("maximum", 0)
        ),
        "category_needed": _("Please choose the category of the case."),
        "turn_hours_wrong": _(
            "The hours must be whole hours of one day, at most {longest} hours long."
        ).format(longest=params.get("longest", 12)),
        "turn_in_past": _("That turn is over already."),
        "turn_double_booked": _("{name} is on duty elsewhere at that time.").format(
            name=escape(str(params.get("name", "")))
        ),
        "member_unknown": _("No serving member has that code."),
        "turn_started": _("This turn has started; it can no longer be removed."),
        "turn_checked_in": _("You are already checked in for this turn."),
        "turn_not_now": _(
            "Check-in is open from half an hour before your turn until its end; not now."
        ),
    }
    return messages.get(error.code, _("This could not be done."))
