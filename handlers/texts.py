"""Wording shared by several handlers: button labels, timeline lines, dates, escaping."""

from __future__ import annotations

import datetime as dt
import html

from aiogram.utils.i18n import gettext as _

from services.cases.labels import status_label
from services.translation import N_
from storage.enums import IssueEventKind
from storage.models import IssueEvent


class Buttons:
    """Reply-keyboard labels (msgids); shown through ``_()`` and matched by ``ButtonText``."""

    REPORT = N_("📝 Report an issue")
    MY_ISSUES = N_("📋 My issues")
    STATIONS = N_("📍 Liaison stations")
    HELP = N_("❓ Help")
    CANCEL = N_("✖ Cancel")
    DONE = N_("✅ Done")
    SKIP = N_("⏭ Skip")
    SHARE_LOCATION = N_("📍 Share location")
    SHARE_PHONE = N_("📱 Share my phone number")
    REMOVE_PHOTOS = N_("🗑 Remove the photos")
    LOG = N_("🗓 Log an activity")
    PROGRESS = N_("📊 My progress")
    ACTIVITIES = N_("🗂 My activities")
    MEETINGS = N_("📅 Meetings")
    NEW_MEETING = N_("➕ New meeting")
    QUARTER_REPORT = N_("📊 Quarter report")
    CASE_QUEUE = N_("📥 Case queue")
    BROADCAST = N_("📣 Broadcast")
    REPORTS = N_("📈 Reports")
    ASSIGNED_CASES = N_("📨 Assigned cases")
    HANDLING = N_("📂 Proposals and outcomes")
    MY_RECORD = N_("📁 My record")
    PROPOSALS = N_("📜 Proposals")
    SUGGEST_TOPIC = N_("💡 Suggest a topic")
    TOPICS = N_("🗳 Topics")


# Every label of a main menu (see keyboards.main_menu), of any role.
MENU_BUTTONS = (
    Buttons.REPORT,
    Buttons.MY_ISSUES,
    Buttons.STATIONS,
    Buttons.HELP,
    Buttons.LOG,
    Buttons.PROGRESS,
    Buttons.ACTIVITIES,
    Buttons.MEETINGS,
    Buttons.NEW_MEETING,
    Buttons.CASE_QUEUE,
    Buttons.BROADCAST,
    Buttons.REPORTS,
    Buttons.ASSIGNED_CASES,
    Buttons.HANDLING,
    Buttons.MY_RECORD,
    Buttons.PROPOSALS,
    Buttons.SUGGEST_TOPIC,
    Buttons.TOPICS,
)


def event_label(event: IssueEvent) -> str:
    """One timeline line, without its date."""
    if event.kind == IssueEventKind.SUBMITTED:
        return _("Submitted")
    if event.kind == IssueEventKind.REPLY:
        return _("Reply")
    if event.kind == IssueEventKind.STATUS and event.to_status:
        return _("Status: {status}").format(status=status_label(event.to_status))
    return _("Update")


def local_time(moment: dt.datetime, tz: dt.tzinfo) -> str:
    """A moment as the committee's clocks show it: ``2026-11-23 15:20``."""
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def local_date(moment: dt.datetime, tz: dt.tzinfo) -> str:
    """A moment's calendar date in the committee's time zone."""
    return moment.astimezone(tz).strftime("%Y-%m-%d")


def shorten(text: str, limit: int) -> str:
    """Cut a text to ``limit`` characters on one line, marking the cut."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def escape(text: str) -> str:
    """Escape user text for an HTML-formatted message (quotes need no escaping there)."""
    return html.escape(text, quote=False)


def anchor(link: str, text: str | None = None) -> str:
    """A clickable link for an HTML-formatted message, showing ``text`` (the link itself)."""
    return f'<a href="{html.escape(link, quote=True)}">{escape(text or link)}</a>'


def year_closed_text(params: dict[str, object]) -> str:
    """The refusal of a change to a record of a year whose assessment is closed."""
    return _("The {year} assessment is closed: its records can no longer be changed.").format(
        year=params.get("year", "?")
    )
