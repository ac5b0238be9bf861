"""Notices of the station work: open sessions to subscribers, duty turns to members."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from aiogram.utils.i18n import gettext as _

from handlers.notices.buttons import button
from handlers.stations_work import SessionCB, hours, session_lines
from handlers.texts import escape, local_time
from services.cases.facts import TITLE_LIMIT
from services.outbox.queue import Outgoing
from services.outbox.templates import fit, plain_text
from services.reference.catalog import display_name
from storage.models import DutyTurn, Station, StationSession


class StationWorkNotices:
    """Open session and duty turn notices; ``tz`` is the committee's time zone."""

    tz: dt.tzinfo

    KINDS: Mapping[str, str] = {
        "station-session": "station_session",
        "station-session-eve": "station_session_eve",
        "station-session-cancelled": "station_session_cancelled",
        "duty-turn-reminder": "duty_turn_reminder",
    }

    def _facts(
        self, item: StationSession, station: Station, locale: str, text: str
    ) -> dict[str, str]:
        """What a template message shows for a session notice (:mod:`services.outbox.templates`)."""
        return {
            "title": fit(item.title, TITLE_LIMIT),
            "time": local_time(item.starts_at, self.tz),
            "station": display_name(station, locale),
            "text": plain_text(text),
        }

    def _ask(self, item: StationSession) -> list[list[dict[str, str]]]:
        assert item.id is not None
        return [[button(_("❓ Ask a question beforehand"), SessionCB(action="ask", id=item.id))]]

    def station_session(
        self, *, locale: str, item: StationSession, station: Station, changed: bool
    ) -> Outgoing:
        """A session announced, or changed since it was announced."""
        heading = _("✏️ <b>Open session changed</b>") if changed else _("🗣 <b>Open session</b>")
        text = "\n".join(
            [
                heading,
                *session_lines(item, station, locale, self.tz),
                "",
                _("You receive this because you follow this station's notices."),
            ]
        )
        return Outgoing(
            text=text, buttons=self._ask(item), facts=self._facts(item, station, locale, text)
        )

    def station_session_eve(
        self, *, locale: str, item: StationSession, station: Station
    ) -> Outgoing:
        """The day before the session."""
        text = "\n".join(
            [
                _("⏰ <b>Tomorrow: open session</b>"),
                *session_lines(item, station, locale, self.tz),
                "",
                _("You receive this because you follow this station's notices."),
            ]
        )
        return Outgoing(
            text=text, buttons=self._ask(item), facts=self._facts(item, station, locale, text)
        )

    def station_session_cancelled(
        self, *, locale: str, item: StationSession, station: Station
    ) -> Outgoing:
        """The session will not take place."""
        text = _("✖ The open session {title} at {station} ({when}) is cancelled.").format(
            title=escape(item.title),
            station=escape(display_name(station, locale)),
            when=hours(item.starts_at, item.ends_at, self.tz),
        )
        facts = self._facts(item, station, locale, text)
        return Outgoing(text=text, facts={**facts, "status": _("Cancelled")})

    def duty_turn_reminder(self, *, locale: str, turn: DutyTurn, station: Station) -> Outgoing:
        """To a member on duty tomorrow."""
        text = _(
            "🪪 Tomorrow you are on duty at {station}, {when}.\n"
            "When you arrive, open /duty and tap “I'm on duty here”: "
            "it logs the duty shift for you."
        ).format(
            station=escape(display_name(station, locale)),
            when=hours(turn.starts_at, turn.ends_at, self.tz),
        )
        return Outgoing(text=text)
