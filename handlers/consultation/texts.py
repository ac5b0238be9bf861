"""The words of a consultation's proceedings: refusals, speech states, the steps."""

from __future__ import annotations

import datetime as dt

from aiogram.utils.i18n import gettext as _

from handlers.texts import escape, local_time, shorten
from services.errors import DomainError
from storage.enums import ConsultationStep
from storage.models import SpeechBooking, SpeechState


def refusal(error: DomainError, tz: dt.tzinfo | None = None) -> str:
    """Why a proceedings action was refused."""
    params = error.params
    if error.code == "remark_outside_window":
        if tz is None:
            return _("Remarks are taken only during the meeting. Your text is kept.")
        return _(
            "Remarks are taken only from {opens} to {closes}. Your text is kept: send it "
            "again then."
        ).format(opens=local_time(params["opens"], tz), closes=local_time(params["closes"], tz))
    messages = {
        "proceedings_unknown": _("This meeting is not available."),
        "proceedings_over": _("The meeting is over."),
        "speech_title_length": _(
            "Please say what you will speak about in a line of 2 to {maximum} characters."
        ),
        "speech_already_booked": _("You have booked a speech already."),
        "speech_unknown": _("This speech is not available."),
        "speech_not_open": _("This speech is no longer waiting."),
        "speech_minutes_range": _("The time limit is 1 to {maximum} minutes."),
        "remark_length": _(
            "A remark is at most {maximum} characters; yours has {length}. Please shorten it."
        ),
        "remark_too_fast": _("Too many remarks at once. Please wait a minute and send it again."),
        "remark_window_order": _("The window must close after it opens."),
        "step_not_started": _("The meeting has not started yet."),
        "step_out_of_order": _("That step is recorded already. Here are the steps as they stand."),
        "step_note_length": _("A note is at most {maximum} characters."),
        "outcome_suggestion_length": _("A suggestion is at most {maximum} characters."),
        "outcome_suggestions_count": _(
            "Please send the confirmed suggestions as numbered lines (at most {maximum})."
        ),
        "proceedings_not_confirmed": _(
            "The outcome is formed after the confirmation step is recorded."
        ),
        "outcome_meeting_unknown": _("An outcome is formed only from a consultation meeting."),
    }
    text = messages.get(error.code)
    if text is None:
        return _("This could not be done.")
    return text.format(**{k: v for k, v in params.items() if isinstance(v, int | str)})


def speech_state(state: str) -> str:
    """Where a speech stands, as people read it."""
    names: dict[str, str] = {
        SpeechState.BOOKED: _("waiting"),
        SpeechState.CALLED: _("called"),
        SpeechState.SPOKEN: _("spoken"),
        SpeechState.WITHDRAWN: _("withdrawn"),
    }
    return names.get(state, state)


def speech_line(booking: SpeechBooking, speaker: str | None = None) -> str:
    """One speech in the order: its number, speaker, topic, time limit and state (HTML)."""
    who = f"{escape(speaker)} · " if speaker else ""
    return _("{position}. {who}{title} ({minutes} min, {state})").format(
        position=booking.position,
        who=who,
        title=escape(shorten(booking.title, 80)),
        minutes=booking.minutes,
        state=speech_state(booking.state),
    )


def step_name(step: str) -> str:
    """A step of a consultation meeting."""
    names: dict[str, str] = {
        ConsultationStep.OPINIONS: _("stating opinions"),
        ConsultationStep.DISCUSSION: _("discussion"),
        ConsultationStep.REVISION: _("revision"),
        ConsultationStep.CONFIRMATION: _("confirmation"),
    }
    return names.get(step, step)
