"""Notices of a consultation in session: the speaker called next."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from aiogram.utils.i18n import gettext as _

from handlers.texts import escape
from services.outbox.queue import Outgoing
from storage.models import Meeting, SpeechBooking


class ProceedingsNotices:
    """Proceedings notices; ``KINDS`` maps a notice kind to the method that renders it."""

    tz: dt.tzinfo
    KINDS: Mapping[str, str] = {"speech-called": "speech_called"}

    def speech_called(self, *, locale: str, meeting: Meeting, booking: SpeechBooking) -> Outgoing:
        """To the speaker staff called: they speak next, within the time limit."""
        text = _(
            "🎤 You are next to speak at «{meeting}»: {minutes} minutes.\nYour speech: {title}"
        ).format(
            meeting=escape(meeting.title), minutes=booking.minutes, title=escape(booking.title)
        )
        return Outgoing(text=text)
