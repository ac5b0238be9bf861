"""A resident's case as they read it: status, station, their report, the public timeline."""

from __future__ import annotations

import datetime as dt

from aiogram.utils.i18n import gettext as _

from handlers.texts import escape, local_date, local_time
from handlers.timeline import event_line, fit
from services.cases.labels import status_label
from services.cases.residents import IssueDetail
from services.reference.catalog import display_name
from storage.enums import OPEN_STATUSES, IssueEventKind

# A message holds 4,096 characters: the description (2,000 at most) and the lines must fit.
BODY_LIMIT = 500


def render_detail(
    detail: IssueDetail, locale: str, tz: dt.tzinfo, followed: IssueDetail | None = None
) -> str:
    """A case as its resident sees it; their own text is escaped."""
    issue = detail.issue
    lines = [
        _("<b>Case {number}</b>").format(number=issue.number),
        _("Status: {status}").format(status=status_label(issue.status)),
        _("Station: {name}").format(name=escape(display_name(detail.station, locale))),
        _("Category: {name}").format(name=escape(display_name(detail.category, locale))),
        _("Submitted: {when}").format(when=local_time(issue.created_at, tz)),
    ]
    if issue.due_at is not None and issue.status in OPEN_STATUSES:
        lines.append(_("Expected answer by: {date}").format(date=local_date(issue.due_at, tz)))
    if issue.latitude is not None and issue.longitude is not None:
        lines.append(
            _("Location: {value}").format(value=f"{issue.latitude:.5f}, {issue.longitude:.5f}")
        )
    if issue.contact_phone:
        lines.append(_("Contact: {value}").format(value=escape(issue.contact_phone)))
    else:
        lines.append(_("Contact: {value}").format(value=_("anonymous")))
    lines += ["", _("Description:"), f"<blockquote>{escape(issue.description)}</blockquote>"]
    lines += ["", _("<b>Timeline</b>")]
    timeline = [event_line(event, tz, body_limit=BODY_LIMIT) for event in detail.events]
    if followed is not None:
        timeline += ["", *followed_lines(followed, tz)]
    return fit(lines, timeline)


def followed_lines(followed: IssueDetail, tz: dt.tzinfo) -> list[str]:
    """The case a merged case follows: its status, due date and public timeline."""
    issue = followed.issue
    lines = [
        _("<b>Case {number}</b>, which your case follows").format(number=issue.number),
        _("Status: {status}").format(status=status_label(issue.status)),
    ]
    if issue.due_at is not None and issue.status in OPEN_STATUSES:
        lines.append(_("Expected answer by: {date}").format(date=local_date(issue.due_at, tz)))
    # Its own resident's report stays theirs: only the answers are shared.
    lines += [
        event_line(event, tz, body_limit=BODY_LIMIT)
        for event in followed.events
        if event.kind != IssueEventKind.SUBMITTED
    ]
    return lines
