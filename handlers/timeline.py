"""A case's timeline in words, for its resident or for the people who handle it.

Residents never learn who handles their case beyond "a committee member" or the name of
the department; staff and assignees see names and the internal lines.
"""

from __future__ import annotations

import datetime as dt
import re

from aiogram.utils.i18n import gettext as _

from handlers.texts import escape, local_date, local_time
from services.cases.decisions import read_rating
from services.cases.due import DueReason, read_due
from services.cases.labels import status_label
from storage.enums import ActorKind, ExtensionDecision, IssueEventKind, IssueStatus
from storage.models import IssueEvent

# How an assignee's request for more time is stored on the timeline: "+7: the reason".
EXTENSION_BODY = re.compile(r"^\+(\d+): (.*)$", re.DOTALL)


def stars(rating: int) -> str:
    """A rating as stars: ★★★☆☆."""
    return "★" * rating + "☆" * (5 - rating)


def _reply_label(event: IssueEvent, internal: bool) -> str:
    if event.actor == ActorKind.STAFF:
        author = _("the committee office")
    elif event.actor == ActorKind.DEPARTMENT:
        author = escape(event.actor_name or _("the department"))
    else:
        author = _("the committee member handling your case")
    if internal and event.actor == ActorKind.MEMBER and event.actor_name:
        author = _("member {name}").format(name=escape(event.actor_name))
    elif internal and event.actor == ActorKind.STAFF and event.actor_name:
        author = _("office ({name})").format(name=escape(event.actor_name))
    return _("Reply from {author}").format(author=author)


def event_line(
    event: IssueEvent, tz: dt.tzinfo, *, internal: bool = False, body_limit: int | None = None
) -> str:
    """One timeline line with its date; user text escaped, quoted, cut to ``body_limit``."""
    label, body = _label_and_body(event, tz, internal, body_limit)
    line = f"{local_time(event.created_at, tz)} · {label}"
    if internal and not event.public:
        line += " " + _("(internal)")
    if body:
        line += f"\n<blockquote>{body}</blockquote>"
    return line


def _label_and_body(
    event: IssueEvent, tz: dt.tzinfo, internal: bool, body_limit: int | None
) -> tuple[str, str]:
    raw = event.body or ""
    if body_limit is not None and len(raw) > body_limit:
        raw = raw[: body_limit - 1] + "…"
    text = escape(raw)
    kind = event.kind
    if kind == IssueEventKind.SUBMITTED:
        return _("Submitted"), ""
    if kind == IssueEventKind.REPLY:
        return _reply_label(event, internal), text
    if kind == IssueEventKind.RATED:
        verdict = read_rating(event.body)
        if verdict is None:
            return _("Rated"), ""
        rating, solved = verdict
        answer = _("solved") if solved else _("not solved")
        return _("Rated {stars} · {answer}").format(stars=stars(rating), answer=answer), ""
    if kind == IssueEventKind.DUPLICATE:
        return _("Merged with case {number}").format(number=text), ""
    if kind == IssueEventKind.DUE:
        return _due_label(event, tz), ""
    if kind == IssueEventKind.ASSIGNED:
        return _("Assigned to {name}").format(name=text), ""
    if kind == IssueEventKind.NOTE and event.actor == ActorKind.RESIDENT:
        return _("The resident says why it is not solved"), text
    if kind == IssueEventKind.NOTE:
        return _("Note by {name}").format(name=escape(event.actor_name or "")), text
    if kind == IssueEventKind.HANDED_BACK:
        return _("Handed back by {name}").format(name=escape(event.actor_name or "")), text
    if kind == IssueEventKind.EXTENSION:
        if event.body == ExtensionDecision.REFUSED:
            return _("More time refused"), ""
        name = escape(event.actor_name or "")
        asked = EXTENSION_BODY.match(event.body or "")
        if asked is None:
            return _("More time asked by {name}").format(name=name), text
        days, reason = int(asked.group(1)), escape(asked.group(2))
        # The choices are 3 days or more, so the plural always reads right.
        label = _("{name} asked for {days} more days").format(name=name, days=days)
        return label, reason
    if kind == IssueEventKind.STATUS and event.to_status:
        label = _("Status: {status}").format(status=status_label(event.to_status))
        if event.to_status == IssueStatus.REJECTED:
            return label, text
        return label, ""
    return _("Update"), ""


def _due_label(event: IssueEvent, tz: dt.tzinfo) -> str:
    line = read_due(event.body)
    if line is None:
        return _("New due date")
    date = local_date(line.due_at, tz)
    if line.reason == DueReason.ASSIGNED:
        return _("Expected answer by {date}, set when the case was passed on").format(date=date)
    if line.reason == DueReason.EXTENDED and line.days is not None:
        return _("Expected answer by {date}, after {days} more days were granted").format(
            date=date, days=line.days
        )
    if line.reason == DueReason.REOPENED:
        return _("Expected answer by {date}, since the case was reopened").format(date=date)
    return _("Expected answer by {date}").format(date=date)


def fit(head: list[str], lines: list[str], limit: int = 4000) -> str:
    """``head`` then as many of the latest ``lines`` as fit in one message."""
    text = "\n".join([*head, *lines])
    while len(text) > limit and len(lines) > 1:
        lines = lines[1:]
        text = "\n".join([*head, _("… earlier lines left out"), *lines])
    return text
