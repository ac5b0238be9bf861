"""The case reports as charts: counts, answer times, satisfaction, or all three in one figure.

Each ``*_panels`` function runs inside :func:`chart_language`, whose locale it is given.
"""

from __future__ import annotations

from services.cases.labels import status_label
from services.reference.catalog import display_name
from services.reports.case_summary import (
    CASES_TITLE,
    SATISFACTION_TITLE,
    STATUS_GROUPS,
    TIMINGS_TITLE,
    satisfaction_rule,
    timings_rule,
)
from services.reports.cases import CaseCounts, Period
from services.reports.charts import Chart, Panel, Series, render_png
from services.reports.ratings import RATINGS, Satisfaction
from services.reports.times import Timings
from services.reports.wording import chart_language, heading
from services.reports.workbook import days
from services.translation import gettext as _


def cases_panels(counts: CaseCounts, drawn: str) -> list[Panel]:
    """Stations stacked by where their cases stand; categories; statuses."""
    stations = [station for station, _count in counts.by_station]
    groups = []
    for name, members in STATUS_GROUPS:
        values = []
        for station in stations:
            row = counts.station_status.get(station.id or 0, {})
            values.append(sum(n for status, n in row.items() if status in members))
        groups.append(Series(_(name), values))
    return [
        Panel(_("By station"), [display_name(s, drawn) for s in stations], groups, stacked=True),
        Panel(
            _("By category"),
            [display_name(c, drawn) for c, _n in counts.by_category],
            [Series(_("Cases"), [n for _c, n in counts.by_category])],
        ),
        Panel(
            _("By status"),
            [status_label(status) for status, _n in counts.by_status],
            [Series(_("Cases"), [n for _s, n in counts.by_status])],
        ),
    ]


def timings_panels(result: Timings, drawn: str) -> list[Panel]:
    """Median days by station, and the share answered within the due date by station."""
    timed = [(s, f) for s, f in result.by_station if f.answered or f.resolved]
    judged = [(s, f) for s, f in result.by_station if f.due_counted]
    first = [round(days(f.median_first_answer) or 0.0, 1) for _s, f in timed]
    resolution = [round(days(f.median_resolution) or 0.0, 1) for _s, f in timed]
    return [
        Panel(
            _("Median days, by station"),
            [display_name(s, drawn) for s, _f in timed],
            [Series(_("To the first answer"), first), Series(_("To resolution"), resolution)],
            axis_label=_("days"),
        ),
        Panel(
            _("Answered within the due date, by station"),
            [display_name(s, drawn) for s, _f in judged],
            [Series(_("Within the due date"), [f.share_on_time or 0.0 for _s, f in judged])],
            percent=True,
        ),
    ]


def satisfaction_panels(result: Satisfaction, drawn: str) -> list[Panel]:
    """The spread of ratings, the average by station, the share solved by station."""
    rated = [(s, f) for s, f in result.by_station if f.rated]
    answered = [(s, f) for s, f in result.by_station if f.solved_answers]
    stars = list(reversed(RATINGS))
    return [
        Panel(
            _("Ratings"),
            [f"{n} ★" for n in stars],
            [Series(_("Cases"), [result.overall.distribution[n] for n in stars])],
        ),
        Panel(
            _("Average rating, by station"),
            [display_name(s, drawn) for s, _f in rated],
            [Series(_("Average"), [round(f.average or 0.0, 1) for _s, f in rated])],
            maximum=5,
        ),
        Panel(
            _("Said it was solved, by station"),
            [display_name(s, drawn) for s, _f in answered],
            [Series(_("Solved"), [f.share_solved or 0.0 for _s, f in answered])],
            percent=True,
        ),
    ]


def cases_chart(counts: CaseCounts, period: Period, locale: str) -> bytes:
    """The case counts as a PNG."""
    with chart_language(locale) as drawn:
        chart = Chart(heading(_(CASES_TITLE), period), cases_panels(counts, drawn))
    return render_png(chart)


def timings_chart(result: Timings, period: Period, locale: str) -> bytes:
    """The timings as a PNG."""
    with chart_language(locale) as drawn:
        panels = timings_panels(result, drawn)
        chart = Chart(heading(_(TIMINGS_TITLE), period), panels, timings_rule())
    return render_png(chart)


def satisfaction_chart(result: Satisfaction, period: Period, locale: str) -> bytes:
    """The satisfaction figures as a PNG."""
    with chart_language(locale) as drawn:
        panels = satisfaction_panels(result, drawn)
        chart = Chart(heading(_(SATISFACTION_TITLE), period), panels, satisfaction_rule())
    return render_png(chart)


def issues_chart(
    counts: CaseCounts, times: Timings, rated: Satisfaction, period: Period, locale: str
) -> bytes:
    """Every case report in one PNG."""
    with chart_language(locale) as drawn:
        panels = [
            *cases_panels(counts, drawn),
            *timings_panels(times, drawn),
            *satisfaction_panels(rated, drawn),
        ]
        note = f"{timings_rule()}\n{satisfaction_rule()}"
        chart = Chart(heading(_("Cases"), period), panels, note)
    return render_png(chart)
