"""The plain facts of a notice about a case, for a template message standing in for it.

A resident outside the WeChat service account's 48-hour window can be reached only by a
template message, whose fields show facts rather than the notice's text; the names and what
each holds are listed in :mod:`services.outbox.templates`. They are worked out when the notice
is queued, in the resident's language, and kept with it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from sqlalchemy.ext.asyncio import AsyncSession

from services.cases.labels import status_label
from services.outbox.notices import Notifier
from services.outbox.queue import Outgoing
from services.outbox.templates import fit, plain_text
from services.reference.catalog import display_name
from storage.models import ChatIdentity, Issue, IssueCategory, Station

# The title is the category and the first words: WeChat's "thing" field takes 20 characters.
TITLE_LIMIT = 20


def case_facts(
    *,
    issue: Issue,
    own: Issue | None,
    station: Station | None,
    category: IssueCategory | None,
    at: dt.datetime,
    tz: dt.tzinfo,
    locale: str,
) -> dict[str, str]:
    """The facts of a notice about ``issue`` to the resident whose own case is ``own``.

    Translated through the current language (the notifier sets the recipient's). A resident
    who only follows the case (``own`` is None) knows it by its own number; one whose case was
    merged into it knows theirs.
    """
    case = own if own is not None else issue
    words = " ".join(case.description.split())
    if category is not None:
        words = f"{display_name(category, locale)}: {words}"
    facts = {
        "case": case.number,
        "title": fit(words, TITLE_LIMIT),
        "status": status_label(issue.status),
        "time": at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
    }
    if station is not None:
        facts["station"] = display_name(station, locale)
    return facts


async def with_case_facts(
    session: AsyncSession,
    message: Outgoing,
    *,
    notifier: Notifier,
    identity: ChatIdentity,
    issue: Issue,
    own: Issue | None,
    now: dt.datetime,
) -> Outgoing:
    """A notice about a case rendered for a resident, with its facts and its text attached."""
    station = await session.get(Station, issue.station_id)
    category = await session.get(IssueCategory, issue.category_id)
    facts = notifier.case_facts(
        identity, issue=issue, own=own, station=station, category=category, at=now
    )
    facts["text"] = plain_text(message.text)
    return replace(message, facts={**facts, **message.facts})
