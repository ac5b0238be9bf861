"""A station's public page: its open sessions to come and the members on duty today.

Both are announced to everyone ("open to all, no sign-up"), so the page needs no login. It
shows the session's title, time, venue and description, and the on-duty members' names and
hours; nothing about residents. A plain HTML page without scripts; every value is escaped.
"""

from __future__ import annotations

import datetime as dt
from html import escape

from services.reference.catalog import display_name
from services.reports.handling_page import STYLE
from services.stations.board import StationBoard
from services.translation import gettext as _
from storage.models import Station

STATION_PATH = "/stations/{station_id}"


def station_link(base_url: str, station_id: int, locale: str) -> str:
    """The page's address for a reader of ``locale``."""
    path = STATION_PATH.format(station_id=station_id)
    return f"{base_url.rstrip('/')}{path}?lang={'en' if locale == 'en' else 'zh_CN'}"


def _span(start: dt.datetime, end: dt.datetime, tz: dt.tzinfo) -> str:
    return f"{start.astimezone(tz):%Y-%m-%d %H:%M}–{end.astimezone(tz):%H:%M}"


def render_station_page(
    station: Station, board: StationBoard, *, locale: str, tz: dt.tzinfo
) -> str:
    """The page of one station in the reader's language."""
    name = display_name(station, locale)
    address = station.address_en if locale == "en" and station.address_en else station.address_zh
    sessions = []
    for row in board.sessions:
        venue = f'<p class="meta">{escape(row.venue)}</p>' if row.venue else ""
        about = f"<p>{escape(row.description)}</p>" if row.description else ""
        when = escape(_span(row.starts_at, row.ends_at, tz))
        sessions.append(
            f'<li><b>{escape(row.title)}</b><p class="meta">{when}</p>{venue}{about}</li>'
        )
    none_planned = _("No open session is planned.")
    open_to_all = _("Open to all, no sign-up needed.")
    sessions_html = (
        f'<p class="meta">{escape(open_to_all)}</p><ul>{"".join(sessions)}</ul>'
        if sessions
        else f'<p class="empty">{escape(none_planned)}</p>'
    )
    duty = [
        f"<li>{escape(member)} · {escape(_span(turn.starts_at, turn.ends_at, tz))}</li>"
        for turn, member in board.duty
    ]
    nobody = _("No member is on duty today.")
    duty_html = f"<ul>{''.join(duty)}</ul>" if duty else f'<p class="empty">{escape(nobody)}</p>'
    lang = "zh-CN" if locale.startswith("zh") else "en"
    heading_sessions = _("Open sessions")
    heading_duty = _("On duty today")
    address_html = f'<p class="meta">{escape(address)}</p>' if address else ""
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(name)}</title><style>{STYLE}</style></head><body>"
        f"<h1>{escape(name)}</h1>{address_html}"
        f"<h2>{escape(heading_sessions)}</h2>{sessions_html}"
        f"<h2>{escape(heading_duty)}</h2>{duty_html}</body></html>"
    )
