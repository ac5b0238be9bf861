"""The case reports as charts: counts, answer times, satisfaction, or all three in one figure.

Each ``*_panels`` function runs inside :func:`chart_language`, whose locale it is given.
"""

from __future__ import annotations

import datetime as dt

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


def _median_days(name: str, medians: list[dt.timedelta | None]) -> Series:
    """Medians in days with their fraction; a median under a day is labelled so, none is left out.

    A same-day answer is a short bar marked "< 1 day", never a bare 0 that reads as nothing.
    """
    values = [days(median) for median in medians]
    texts = ["" if v is None else _("< 1 day") if v < 1 else f"{v:.1f}" for v in values]
    return Series(name, values, texts)


def timings_panels(result: Timings, drawn: str) -> list[Panel]:
    """Median days by station, and the share answered within the due date by station.

    A station's cases without an answer (or not resolved) have no time: they are left out of
    its median, and a station with none answered or resolved has no bar (see
    :func:`open_cases_note`).
    """
    timed = [(s, f) for s, f in result.by_station if f.answered or f.resolved]
    judged = [(s, f) for s, f in result.by_station if f.due_counted]
    first = _median_days(_("To the first answer"), [f.median_first_answer for _s, f in timed])
    resolution = _median_days(_("To resolution"), [f.median_resolution for _s, f in timed])
    return [
        Panel(
            _("Median days, by station"),
            [display_name(s, drawn) for s, _f in timed],
            [first, resolution],
            axis_label=_("days"),
        ),
        Panel(
            _("Answered within the due date, by station"),
            [display_name(s, drawn) for s, _f in judged],
            [Series(_("Within the due date"), [f.share_on_time or 0.0 for _s, f in judged])],
            percent=True,
        ),
    ]


def open_cases_note(result: Timings) -> str:
    """How many cases have no time yet, and so are not in the medians."""
    overall = result.overall
    return _(
        "Still open, left out of the times: {unanswered} of {received} cases without a "
        "first answer, {unresolved} not resolved."
    ).format(
        unanswered=overall.unanswered,
        received=overall.received,
        unresolved=overall.unresolved,
    )


def satisfaction_panels(result: Satisfaction, drawn: str) -> list[Panel]:
    """The spread of ratings, the average by station, the share solved by station.

    Without a rating, the rating panels say so instead of drawing bars of 0.
    """
    rated = [(s, f) for s, f in result.by_station if f.rated]
    answered = [(s, f) for s, f in result.by_station if f.solved_answers]
    stars = list(reversed(RATINGS)) if result.overall.rated else []
    none_yet = _("No ratings yet")
    return [
        Panel(
            _("Ratings"),
            [f"{n} ★" for n in stars],
            [Series(_("Cases"), [result.overall.distribution[n] for n in stars])] if stars else [],
            empty_text=none_yet,
        ),
        Panel(
            _("Average rating, by station"),
            [display_name(s, drawn) for s, _f in rated],
            [Series(_("Average"), [round(f.average or 0.0, 1) for _s, f in rated])]
            if rated
            else [],
            axis_label=_("stars"),
            maximum=5,
            empty_text=none_yet,
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
        note = f"{open_cases_note(result)}\n{timings_rule()}"
        chart = Chart(heading(_(TIMINGS_TITLE), period), panels, note)
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
        note = f"{open_cases_note(times)}\n{timings_rule()}\n{satisfaction_rule()}"
        chart = Chart(heading(_("Cases"), period), panels, note)
    return render_png(chart)
