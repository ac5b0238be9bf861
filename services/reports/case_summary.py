"""The case reports as text: counts, answer times, satisfaction.

Each function takes the figures a service counted and the reader's locale (for the names of
stations and categories), and is called where :mod:`services.translation` translates into
that locale: a chat turn, or a command.
"""

from __future__ import annotations

from services.cases.labels import status_label
from services.reference.catalog import display_name
from services.reports.cases import CaseCounts, Period
from services.reports.ratings import RATINGS, RatingFigures, Satisfaction
from services.reports.times import Timings
from services.reports.wording import duration, heading, percent
from services.translation import N_
from services.translation import gettext as _
from storage.enums import OPEN_STATUSES, IssueStatus

CASES_TITLE = N_("Cases received")
TIMINGS_TITLE = N_("Answer times")
SATISFACTION_TITLE = N_("Satisfaction")
STATUS_GROUPS = (
    (N_("Still open"), frozenset(OPEN_STATUSES)),
    (N_("Answered"), frozenset({IssueStatus.ANSWERED})),
    (N_("Resolved"), frozenset({IssueStatus.RESOLVED})),
    (N_("Not accepted or merged"), frozenset({IssueStatus.REJECTED, IssueStatus.DUPLICATE})),
)


def timings_rule() -> str:
    """How the timings are counted, as the report says it."""
    return _(
        "How this is counted: cases received in the period, merged duplicates left out. "
        "Times run from receipt to the first public answer and to resolution. "
        "“Within the due date” is the share answered by their due date, of the cases "
        "answered and the cases past their due date without an answer; cases still within "
        "their due date are not counted yet."
    )


def satisfaction_rule() -> str:
    """How the satisfaction figures are counted."""
    return _(
        "How this is counted: cases received in the period and rated by their resident "
        "(1 to 5 stars), merged duplicates left out; “solved” is the share of yes among "
        "the residents who answered that question."
    )


def cases_summary(counts: CaseCounts, period: Period, reach: str, locale: str) -> str:
    """Totals, then the cases by status, by station and by category."""
    lines = [
        heading(_(CASES_TITLE), period),
        reach,
        _("{total} cases received; {open} still open.").format(
            total=counts.total, open=counts.open
        ),
        "",
        _("By status:"),
    ]
    lines += [
        f"  {status_label(status)}: {count}" for status, count in counts.by_status if count
    ] or ["  —"]
    lines += ["", _("By station:")]
    lines += [f"  {display_name(station, locale)}: {n}" for station, n in counts.by_station]
    lines += ["", _("By category:")]
    lines += [f"  {display_name(category, locale)}: {n}" for category, n in counts.by_category]
    return "\n".join(lines)


def timings_summary(result: Timings, period: Period, reach: str, locale: str) -> str:
    """Medians, the due-date share, then each station."""
    overall = result.overall
    lines = [
        heading(_(TIMINGS_TITLE), period),
        reach,
        _("First answer: median {median}, over {count} answered cases.").format(
            median=duration(overall.median_first_answer), count=overall.answered
        ),
        _("Resolution: median {median}, over {count} resolved cases.").format(
            median=duration(overall.median_resolution), count=overall.resolved
        ),
        _(
            "Answered within the due date: {share} ({on_time} of {counted}; {late} answered "
            "late, {overdue} past the due date without an answer)."
        ).format(
            share=percent(overall.share_on_time),
            on_time=overall.on_time,
            counted=overall.due_counted,
            late=overall.late,
            overdue=overall.overdue,
        ),
        "",
        _("By station (first answer · resolution · within the due date):"),
    ]
    for station, figures in result.by_station:
        lines.append(
            f"  {display_name(station, locale)}: {duration(figures.median_first_answer)} · "
            f"{duration(figures.median_resolution)} · {percent(figures.share_on_time)}"
        )
    return "\n".join([*lines, "", timings_rule()])


def _average(figures: RatingFigures) -> str:
    return "—" if figures.average is None else f"{figures.average:.1f}"


def satisfaction_summary(result: Satisfaction, period: Period, reach: str, locale: str) -> str:
    """Ratings, their spread, the share solved, then each station."""
    overall = result.overall
    spread = " · ".join(f"{stars}★ {overall.distribution[stars]}" for stars in reversed(RATINGS))
    lines = [
        heading(_(SATISFACTION_TITLE), period),
        reach,
        _("{rated} cases rated, average {average} of 5.").format(
            rated=overall.rated, average=_average(overall)
        ),
        spread,
        _("Said the problem was solved: {share} ({yes} of {answers} who answered).").format(
            share=percent(overall.share_solved),
            yes=overall.solved_yes,
            answers=overall.solved_answers,
        ),
        "",
        _("By station (rated · average · solved):"),
    ]
    for station, figures in result.by_station:
        lines.append(
            f"  {display_name(station, locale)}: {figures.rated} · {_average(figures)} · "
            f"{percent(figures.share_solved)}"
        )
    return "\n".join([*lines, "", satisfaction_rule()])
