"""A case rendered for the people who handle it: staff and the assigned member."""

from __future__ import annotations

import datetime as dt

from aiogram.utils.i18n import gettext as _

from handlers.texts import escape, event_label, local_date, local_time, status_label
from services.issues import IssueDetail
from services.reference import display_name


def render_case(detail: IssueDetail, locale: str, tz: dt.tzinfo) -> str:
    """The whole case, with internal notes; the phone only when the resident consented."""
    issue = detail.issue
    lines = [
        _("<b>Case {number}</b>").format(number=issue.number),
        _("Status: {status}").format(status=status_label(issue.status)),
        _("Station: {name}").format(name=escape(display_name(detail.station, locale))),
        _("Category: {name}").format(name=escape(display_name(detail.category, locale))),
        _("Submitted: {when}").format(when=local_time(issue.created_at, tz)),
    ]
    if issue.due_at is not None:
        lines.append(_("Expected answer by: {date}").format(date=local_date(issue.due_at, tz)))
    if issue.contact_phone and issue.contact_consent_at is not None:
        lines.append(_("Contact (with consent): {phone}").format(phone=escape(issue.contact_phone)))
    else:
        lines.append(_("Contact: {value}").format(value=_("anonymous")))
    if issue.latitude is not None and issue.longitude is not None:
        lines.append(
            _("Location: {value}").format(value=f"{issue.latitude:.5f}, {issue.longitude:.5f}")
        )
    if detail.photos:
        lines.append(_("Photos: {value}").format(value=len(detail.photos)))
    lines += ["", _("Description:"), f"<blockquote>{escape(issue.description)}</blockquote>"]
    lines += ["", _("<b>Timeline</b>")]
    for event in detail.events:
        line = f"{local_time(event.created_at, tz)} · {event_label(event)}"
        if not event.public:
            line += " " + _("(internal)")
        if event.body:
            line += f"\n<blockquote>{escape(event.body)}</blockquote>"
        lines.append(line)
    return "\n".join(lines)
