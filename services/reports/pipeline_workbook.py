"""The lists and the quarterly review report (会商) as XLSX workbooks, headers localized.

Called where :mod:`services.translation` translates into the reader's language. Dates are
the committee's calendar days (``tz``), written as dates so the office can sort and filter;
every text typed by people stays text (:func:`services.reports.workbook.workbook`).
"""

from __future__ import annotations

import datetime as dt

from services.pipeline.list_counts import AdoptionCount, PipelineLists
from services.pipeline.review_report import ReviewReport
from services.reports.pipeline_labels import (
    adoption_label,
    department_name,
    purpose_label,
    satisfaction_label,
    source_label,
    stage_label,
)
from services.reports.wording import period_label
from services.reports.workbook import Table, workbook
from services.translation import gettext as _


def _day(moment: dt.datetime, tz: dt.tzinfo) -> dt.date:
    return moment.astimezone(tz).date()


def _counts_table(title: str, label: str, counts: list[AdoptionCount], names: list[str]) -> Table:
    header = [
        label,
        _("Answered"),
        _("Adopted"),
        _("Partly adopted"),
        _("Explained, not adopted"),
        _("Not stated"),
    ]
    rows: list[list[object]] = [
        [name, c.total, c.adopted, c.partly, c.explained, c.unstated]
        for name, c in zip(names, counts, strict=True)
    ]
    return Table(title, header, rows)


def lists_workbook(lists: PipelineLists, *, locale: str, tz: dt.tzinfo) -> bytes:
    """The problem, outcome and satisfaction lists and the adoption counts, a sheet each."""
    number, title, source, item, text = (
        _("Number"),
        _("Title"),
        _("Source"),
        _("Item"),
        _("Suggestion"),
    )
    problems = Table(
        _("Problem list"),
        [number, title, source, item, text, _("Formed on"), _("Stage")],
        [
            [
                r.number,
                r.title,
                source_label(r.source, locale),
                r.position,
                r.text,
                r.formed_on,
                stage_label(r.stage),
            ]
            for r in lists.problems
        ],
    )
    handled = Table(
        _("Outcome list"),
        [
            *(number, title, source, item, text),
            *(_("Lead department"), _("Answer"), _("Adoption"), _("Answered on"), _("Round")),
        ],
        [
            [
                r.number,
                r.title,
                source_label(r.source, locale),
                r.position,
                r.text,
                department_name(r.department_zh, r.department_en, locale),
                r.answer,
                adoption_label(r.adoption),
                _day(r.answered_at, tz),
                r.round,
            ]
            for r in lists.handled
        ],
    )
    ratings = Table(
        _("Satisfaction list"),
        [
            *(number, title, item, _("Rating by")),
            *(_("Rating"), _("Reason"), _("Rated on"), _("Final satisfaction")),
        ],
        [
            [
                r.number,
                r.title,
                r.position if r.position is not None else _("whole proposal"),
                purpose_label(r.purpose),
                satisfaction_label(r.value),
                r.reason or "",
                _day(r.rated_at, tz),
                satisfaction_label(r.final),
            ]
            for r in lists.ratings
        ],
    )
    by_department = _counts_table(
        _("By department"),
        _("Department"),
        lists.by_department,
        [department_name(c.name_zh, c.name_en, locale) for c in lists.by_department],
    )
    by_source = _counts_table(
        _("By source"),
        _("Source"),
        lists.by_source,
        [source_label(c.key, locale) for c in lists.by_source],
    )
    heading = _("Problem, outcome and satisfaction lists, {period}").format(
        period=period_label(lists.period)
    )
    return workbook(heading, [problems, handled, ratings, by_department, by_source])


def review_workbook(report: ReviewReport, *, locale: str, tz: dt.tzinfo) -> bytes:
    """The quarterly review report: stuck suggestions, overdue departments, overdue items."""
    stuck = Table(
        _("Stuck suggestions"),
        [
            *(_("Stage"), _("Number"), _("Title"), _("Item"), _("Suggestion")),
            *(_("At this stage since"), _("Days")),
        ],
        [
            [
                stage_label(r.stage),
                r.number,
                r.title,
                r.position,
                r.text,
                _day(r.since, tz),
                r.days,
            ]
            for r in report.stuck
        ],
    )
    departments = Table(
        _("Overdue departments"),
        [_("Department"), _("Overdue items"), _("Oldest due date")],
        [
            [department_name(d.name_zh, d.name_en, locale), d.items, _day(d.oldest_due, tz)]
            for d in report.departments
        ],
    )
    yes, no = _("yes"), _("no")
    items = Table(
        _("Overdue items"),
        [
            *(_("Department"), _("Number"), _("Title"), _("Item"), _("Lead")),
            *(_("Round"), _("Due on"), _("Days overdue")),
        ],
        [
            [
                department_name(r.department_zh, r.department_en, locale),
                r.number,
                r.title,
                r.position,
                yes if r.lead else no,
                r.round,
                _day(r.due_at, tz),
                r.days_over,
            ]
            for r in report.overdue
        ],
    )
    heading = _("Quarterly review report, {year} Q{number}").format(
        year=report.quarter.year, number=report.quarter.number
    )
    return workbook(heading, [stuck, departments, items])
