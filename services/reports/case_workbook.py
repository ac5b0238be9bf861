"""The case reports as XLSX workbooks: a summary sheet, then one sheet per breakdown.

Durations are written in days and shares as fractions formatted as per cent, so that the
office can compute with them.
"""

from __future__ import annotations

from typing import Any

from services.cases.labels import status_label
from services.reference.catalog import display_name
from services.reports.case_summary import (
    CASES_TITLE,
    SATISFACTION_TITLE,
    TIMINGS_TITLE,
    satisfaction_rule,
    timings_rule,
)
from services.reports.cases import CaseCounts, Period
from services.reports.ratings import RATINGS, Satisfaction
from services.reports.times import Timings
from services.reports.wording import heading, period_days, period_label
from services.reports.workbook import Table, days, share, workbook
from services.translation import gettext as _
from storage.enums import IssueStatus


def _summary(period: Period, reach: str) -> Table:
    table = Table(_("Summary"), [_("Figure"), _("Value")])
    table.rows += [[_("Period"), period_label(period)], [_("Days"), period_days(period)]]
    table.rows.append([_("Stations"), reach])
    return table


def cases_tables(counts: CaseCounts, locale: str) -> list[Table]:
    """By station (with a column per status), by category, by status."""
    statuses = [status.value for status in IssueStatus]
    stations = Table(_("By station"), [_("Station"), _("Cases")])
    stations.header += [status_label(status) for status in statuses]
    for station, total in counts.by_station:
        row = counts.station_status.get(station.id or 0, {})
        cells: list[Any] = [display_name(station, locale), total]
        stations.rows.append(cells + [row.get(status, 0) for status in statuses])
    categories = Table(_("By category"), [_("Category"), _("Cases")])
    categories.rows = [[display_name(c, locale), n] for c, n in counts.by_category]
    by_status = Table(_("By status"), [_("Status"), _("Cases")])
    by_status.rows = [[status_label(status), n] for status, n in counts.by_status]
    return [stations, categories, by_status]


def cases_figures(counts: CaseCounts) -> list[list[Any]]:
    """The headline figures of the case counts, for a summary sheet."""
    return [[_("Cases received"), counts.total], [_("Still open"), counts.open]]


def timings_tables(result: Timings, locale: str) -> list[Table]:
    """Each station's timings."""
    table = Table(
        _("Times by station"),
        [
            _("Station"),
            _("Answered"),
            _("Median days to the first answer"),
            _("Resolved"),
            _("Median days to resolution"),
            _("Answered within the due date"),
            _("Answered late"),
            _("Past the due date without an answer"),
            _("Share within the due date"),
        ],
    )
    for station, f in result.by_station:
        table.rows.append(
            [
                display_name(station, locale),
                f.answered,
                days(f.median_first_answer),
                f.resolved,
                days(f.median_resolution),
                f.on_time,
                f.late,
                f.overdue,
                share(f.share_on_time),
            ]
        )
    return [table]


def timings_figures(result: Timings) -> list[list[Any]]:
    """The headline timings, for a summary sheet."""
    overall = result.overall
    return [
        [_("Answered"), overall.answered],
        [_("Median days to the first answer"), days(overall.median_first_answer)],
        [_("Resolved"), overall.resolved],
        [_("Median days to resolution"), days(overall.median_resolution)],
        [_("Answered within the due date"), overall.on_time],
        [_("Answered late"), overall.late],
        [_("Past the due date without an answer"), overall.overdue],
        [_("Share within the due date"), share(overall.share_on_time)],
        [_("How this is counted"), timings_rule()],
    ]


def satisfaction_tables(result: Satisfaction, locale: str) -> list[Table]:
    """Each station's ratings, and the spread of every rating."""
    stars = list(reversed(RATINGS))
    stations = Table(
        _("Ratings by station"),
        [_("Station"), _("Rated"), _("Average rating")]
        + [f"{n} ★" for n in stars]
        + [_("Said solved"), _("Answered “solved?”"), _("Share solved")],
    )
    for station, f in result.by_station:
        average = None if f.average is None else round(f.average, 2)
        stations.rows.append(
            [display_name(station, locale), f.rated, average]
            + [f.distribution[n] for n in stars]
            + [f.solved_yes, f.solved_answers, share(f.share_solved)]
        )
    spread = Table(_("Ratings"), [_("Stars"), _("Cases")])
    spread.rows = [[n, result.overall.distribution[n]] for n in stars]
    return [stations, spread]


def satisfaction_figures(result: Satisfaction) -> list[list[Any]]:
    """The headline satisfaction figures, for a summary sheet."""
    overall = result.overall
    average = None if overall.average is None else round(overall.average, 2)
    return [
        [_("Rated"), overall.rated],
        [_("Average rating"), average],
        [_("Share solved"), share(overall.share_solved)],
        [_("How this is counted"), satisfaction_rule()],
    ]


def cases_workbook(counts: CaseCounts, period: Period, reach: str, locale: str) -> bytes:
    """The case counts as a workbook."""
    summary = _summary(period, reach)
    summary.rows += cases_figures(counts)
    tables = [summary, *cases_tables(counts, locale)]
    return workbook(heading(_(CASES_TITLE), period), tables)


def timings_workbook(result: Timings, period: Period, reach: str, locale: str) -> bytes:
    """The timings as a workbook."""
    summary = _summary(period, reach)
    summary.rows += timings_figures(result)
    tables = [summary, *timings_tables(result, locale)]
    return workbook(heading(_(TIMINGS_TITLE), period), tables)


def satisfaction_workbook(result: Satisfaction, period: Period, reach: str, locale: str) -> bytes:
    """The satisfaction figures as a workbook."""
    summary = _summary(period, reach)
    summary.rows += satisfaction_figures(result)
    tables = [summary, *satisfaction_tables(result, locale)]
    return workbook(heading(_(SATISFACTION_TITLE), period), tables)


def issues_workbook(
    counts: CaseCounts,
    times: Timings,
    rated: Satisfaction,
    period: Period,
    reach: str,
    locale: str,
) -> bytes:
    """Every case report in one workbook: one summary, then every breakdown."""
    summary = _summary(period, reach)
    summary.rows += cases_figures(counts) + timings_figures(times) + satisfaction_figures(rated)
    tables = [
        summary,
        *cases_tables(counts, locale),
        *timings_tables(times, locale),
        *satisfaction_tables(rated, locale),
    ]
    return workbook(heading(_("Cases"), period), tables)
