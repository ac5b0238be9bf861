"""The reports menu's buttons: callback data (checked again on arrival) and keyboards."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from handlers.grid import Grid
from services.calendar import Quarter
from services.reference.catalog import display_name
from services.reports.cases import PERIOD_CHOICES
from services.translation import N_
from storage.models import Station

REPORTS = (
    "minimums", "cases", "timings", "satisfaction", "attendance", "assessment", "hotspots",
)  # fmt: skip
# Members' figures, which only administrators read.
MEMBERS_REPORTS = frozenset({"minimums", "attendance", "assessment"})
ACTIONS = frozenset({"menu", "stations", *REPORTS})
PERIOD_LABELS = {
    "quarter": N_("This quarter"),
    "last-quarter": N_("Last quarter"),
    "year": N_("This year"),
}
REPORT_LABELS = {
    "minimums": N_("📋 Quarter minimums"),
    "cases": N_("📂 Cases by station, category and status"),
    "timings": N_("⏱ Answer times"),
    "satisfaction": N_("⭐ Satisfaction"),
    "attendance": N_("🗓 Attendance this year"),
    "assessment": N_("🏆 Assessment standings"),
    "hotspots": N_("🔥 Hotspots of the month"),
}


class ReportCB(CallbackData, prefix="rp"):
    """A reports-menu action for a period (``PERIOD_CHOICES``) and a station (0: all)."""

    action: str
    period: str = "quarter"
    station: int = 0


class RemindShortCB(CallbackData, prefix="rq"):
    """Remind every member short of the minimum in this quarter."""

    year: int
    quarter: int

    @classmethod
    def of(cls, quarter: Quarter) -> RemindShortCB:
        """The button's data for a quarter."""
        return cls(year=quarter.year, quarter=quarter.number)


def reports_menu(
    period: str, station: int, *, many_stations: bool, members: bool = True
) -> InlineKeyboardMarkup:
    """The period choice, the station choice, then one button per report.

    ``members`` offers the members' figures (minimums, attendance, the assessment), which only
    administrators read.
    """
    grid = Grid()
    periods = [
        InlineKeyboardButton(
            text=("• " if name == period else "") + _(label),
            callback_data=ReportCB(action="menu", period=name, station=station).pack(),
        )
        for name, label in PERIOD_LABELS.items()
    ]
    grid.row(*periods)
    if many_stations:
        choose = ReportCB(action="stations", period=period, station=station)
        grid.row(InlineKeyboardButton(text=_("🏢 Choose a station"), callback_data=choose.pack()))
    for report in REPORTS:
        if report in MEMBERS_REPORTS and not members:
            continue
        data = ReportCB(action=report, period=period, station=station)
        grid.button(text=_(REPORT_LABELS[report]), callback_data=data)
    grid.adjust(1)
    return grid.as_markup()


def stations_menu(period: str, stations: Sequence[Station], locale: str) -> InlineKeyboardMarkup:
    """Every station in reach, and all of them together."""
    grid = Grid()
    grid.button(text=_("All stations"), callback_data=ReportCB(action="menu", period=period))
    for station in stations:
        assert station.id is not None
        grid.button(
            text=display_name(station, locale)[:60],
            callback_data=ReportCB(action="menu", period=period, station=station.id),
        )
    grid.adjust(1)
    return grid.as_markup()


def valid_choice(data: ReportCB) -> bool:
    """Whether the action and the period are ones the menu offers.

    The station is checked against the staff member's scope by the handler.
    """
    return data.action in ACTIONS and data.period in PERIOD_CHOICES and data.station >= 0
