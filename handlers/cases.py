"""A case rendered for the people who handle it: staff and the assignee."""

from __future__ import annotations

import datetime as dt

from aiogram.utils.i18n import gettext as _

from handlers.texts import anchor, escape, local_date, local_time
from handlers.timeline import event_line, fit
from services.cases.labels import status_label
from services.cases.residents import IssueDetail
from services.reference.catalog import display_name
from services.reference.maps import AMAP_MARKER, map_link
from storage.enums import OPEN_STATUSES
from storage.models import IssueExtension

CARD_LIMIT = 4000
# With the longest description, one timeline line of this size still fits in a message.
BODY_LIMIT = 600


def render_case(
    detail: IssueDetail,
    locale: str,
    tz: dt.tzinfo,
    *,
    extension: IssueExtension | None = None,
    map_template: str = AMAP_MARKER,
) -> str:
    """The whole case with internal lines; the phone only when the resident consented.

    Long timelines keep their latest lines: a message holds 4,096 characters at most.
    """
    issue = detail.issue
    lines = [
        _("<b>Case {number}</b>").format(number=issue.number),
        _("Status: {status}").format(status=status_label(issue.status)),
        _("Station: {name}").format(name=escape(display_name(detail.station, locale))),
        _("Category: {name}").format(name=escape(display_name(detail.category, locale))),
        _("Submitted: {when}").format(when=local_time(issue.created_at, tz)),
    ]
    if detail.assignee_name:
        lines.append(_("Assigned to: {name}").format(name=escape(detail.assignee_name)))
    if issue.due_at is not None and issue.status in OPEN_STATUSES:
        lines.append(_("Expected answer by: {date}").format(date=local_date(issue.due_at, tz)))
    if detail.original is not None:
        lines.append(_("Merged with case {number}").format(number=detail.original.number))
    if issue.contact_phone and issue.contact_consent_at is not None:
        lines.append(_("Contact (with consent): {phone}").format(phone=escape(issue.contact_phone)))
    else:
        lines.append(_("Contact: {value}").format(value=_("anonymous")))
    if issue.latitude is not None and issue.longitude is not None:
        # A link a phone opens in its map app, where the Bot API's location pin is not shown
        # (the web chat) or is a tap further away.
        link = map_link(map_template, issue.latitude, issue.longitude)
        place = f"{issue.latitude:.5f}, {issue.longitude:.5f}"
        lines.append(_("Location: {value}").format(value=anchor(link, place)))
    if detail.photos:
        lines.append(_("Photos: {value}").format(value=len(detail.photos)))
    if detail.supporters:
        lines.append(_("🙋 Residents who said “me too”: {count}").format(count=detail.supporters))
    if extension is not None:
        lines.append(
            _("⏳ More time asked: {days} days. Reason: {reason}").format(
                days=extension.days, reason=escape(extension.reason)
            )
        )
    quoted = f"<blockquote>{escape(issue.description)}</blockquote>"
    head = [*lines, "", _("Description:"), quoted, "", _("<b>Timeline</b>")]
    timeline = [
        event_line(event, tz, internal=True, body_limit=BODY_LIMIT) for event in detail.events
    ]
    return fit(head, timeline, CARD_LIMIT)
