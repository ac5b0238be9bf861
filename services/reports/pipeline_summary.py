"""The lists and the review report as short plain text, for the chat and the command line.

The first line is the heading; callers escape the text before they put it in HTML.
"""

from __future__ import annotations

from collections.abc import Sequence

from services.pipeline.list_counts import AdoptionCount, PipelineLists
from services.pipeline.review_report import ReviewReport
from services.reports.pipeline_labels import department_name, source_label, stage_label
from services.reports.wording import period_label
from services.translation import gettext as _
from storage.enums import STAGE_ORDER, Stage


def counts_line(name: str, count: AdoptionCount) -> str:
    """``name: 5 answered · 3 adopted · 1 partly · 1 explained``."""
    return _(
        "{name}: {total} answered · {adopted} adopted · {partly} partly · {explained} explained"
    ).format(
        name=name,
        total=count.total,
        adopted=count.adopted,
        partly=count.partly,
        explained=count.explained,
    )


def department_lines(counts: Sequence[AdoptionCount], locale: str) -> list[str]:
    """One line a department."""
    return [counts_line(department_name(c.name_zh, c.name_en, locale), c) for c in counts]


def lists_summary(lists: PipelineLists, locale: str, *, top: int = 3) -> str:
    """The three lists' sizes, the first rows of each, adoption by source and department."""
    lines = [
        _("Problem, outcome and satisfaction lists, {period}").format(
            period=period_label(lists.period)
        ),
        _("Problem list: {count} suggestions formed").format(count=len(lists.problems)),
    ]
    lines += [f"  {r.number} #{r.position} {r.text[:60]}" for r in lists.problems[:top]]
    lines.append(_("Outcome list: {count} suggestions answered").format(count=len(lists.handled)))
    lines += [f"  {r.number} #{r.position} {r.text[:60]}" for r in lists.handled[:top]]
    lines.append(_("Satisfaction list: {count} ratings").format(count=len(lists.ratings)))
    lines.append(_("Adoption by source:"))
    lines += [f"  {counts_line(source_label(c.key, locale), c)}" for c in lists.by_source]
    lines.append(_("Adoption by department:"))
    lines += [f"  {line}" for line in department_lines(lists.by_department[:top], locale)]
    if len(lists.by_department) > top:
        lines.append(
            "  " + _("… and {count} more departments").format(count=len(lists.by_department) - top)
        )
    return "\n".join(lines)


def review_summary(report: ReviewReport, locale: str, *, top: int = 5) -> str:
    """Stuck suggestions by stage and the most overdue departments."""
    lines = [
        _("Quarterly review report, {year} Q{number}").format(
            year=report.quarter.year, number=report.quarter.number
        ),
        _("Stuck suggestions: {count}").format(count=len(report.stuck)),
    ]
    for stage in STAGE_ORDER:
        if stage == Stage.FED_BACK:
            continue
        count = len(report.stuck_at(stage))
        if count:
            lines.append(f"  {stage_label(stage)}: {count}")
    lines.append(
        _("Departments past their due date: {count}").format(count=len(report.departments))
    )
    for d in report.departments[:top]:
        lines.append(
            "  "
            + _("{department}: {count} items overdue").format(
                department=department_name(d.name_zh, d.name_en, locale), count=d.items
            )
        )
    return "\n".join(lines)
