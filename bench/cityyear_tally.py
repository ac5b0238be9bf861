"""The year's figures, from the app's database and the fake Bot API's own log.

Cases (merged duplicates left out: they are answered through the case they follow). A case's
*due date* is ``issue.due_at`` as the app keeps it: the category's default from the report,
moved by the assignment's choice, by more time granted, or by a reopening. Its *cycle* starts
at the report or at its latest reopening; its *answer* is the first public reply (or
rejection) of that cycle. Every case falls in exactly one of:

- **answered by the due date**: the answer came at or before the due date;
- **answered late**: the answer came after the due date, but no later than the moment the
  domain escalates to staff (``LIAISON_OVERDUE_STAFF_AFTER``, two days after the due date);
- **escalated**: no answer by that moment (answered later, or never).

so the three shares sum to 100 %. A case whose due date (or, unanswered, whose escalation
moment) had not come, give or take the planner's period, when the workers stopped is
``undecided_at_end`` and left out of the shares: the scenario leaves every case time to be
decided, so this count says how far the app fell behind. For the last two, the reminder rules
are checked: a case with an assignee past its due date must have had the assignee's reminder
(``issue:<id>:overdue:<due>:*``) planned no later than the due date plus the planner's
period (its interval in the bot's time: ``max(60 s, 0.2 s x speed)``, plus one period of
slack); an escalated one also the staff's (``...:overdue-staff:...``) by two days after it.
While no worker ran (a single worker killed, until it was back) nothing could be planned: a
reminder falling due then counts from the moment it was back.

Reminders: the outbox rows of the reminder kinds. *Planned* is every such row; *sent* those
in state ``sent``. Against the fake's log (what it accepted with a 200), each row is matched by
its identity, the chat and the exact text (reminders name their case, meeting or quarter, so
two different rows to one chat never share a text): *lost* is a sent row the fake never
accepted, or a row left failed; *sent twice* is an identity the fake accepted more often than
there are rows for it. The same judgement is made for broadcasts.

Members' quarter minimum: members with at least the minimum of qualifying activities (the
year's ``counts.quarter`` kinds) dated in the quarter, counted once before the first minimum
reminder was sent (the first ``minimum-short`` row of the quarter) and once at the end of the
period.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlmodel import col

from bench.cityyear_platform import Accepted
from storage.db import Database
from storage.models import (
    Activity,
    Attachment,
    Issue,
    IssueEvent,
    MeetingInvitee,
    OutboxMessage,
)

REMINDER_KINDS = (
    "issue-unassigned",
    "issue-rate",
    "issue-overdue",
    "issue-overdue-staff",
    "minimum-short",
    "minimum-summary",
    "pace-behind",
    "meeting-reminder",
    "meeting-nudge",
    "meeting-unanswered",
)
QUALIFYING = ("liaison-visit", "liaison-forum", "liaison-survey", "station-duty")
STAFF_AFTER = dt.timedelta(days=2)


def _midnight(day: dt.date) -> dt.datetime:
    """The start of a local (UTC+8) day, as an aware moment."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=dt.timezone(dt.timedelta(hours=8)))


def share(part: int, whole: int) -> float:
    """A percentage with two decimals."""
    return round(100.0 * part / whole, 2) if whole else 0.0


def reminder_deadline(
    moment: dt.datetime, slack: dt.timedelta, outages: Sequence[tuple[dt.datetime, dt.datetime]]
) -> dt.datetime:
    """When a reminder due at ``moment`` must be planned: ``slack`` later, or after an outage.

    No worker plans while none runs (a killed single worker, before its restart): a reminder
    falling due in an outage, or within ``slack`` before it, counts from the outage's end.
    """
    for start, end in sorted(outages):
        if start <= moment + slack and moment <= end:
            moment = end
    return moment + slack


async def case_figures(
    db: Database,
    planner_period: dt.timedelta,
    until: dt.datetime,
    outages: Sequence[tuple[dt.datetime, dt.datetime]] = (),
) -> dict[str, Any]:
    """The three shares of cases, and whether each late or escalated one was reminded on time."""
    async with db.session() as session:
        issues = (
            (await session.execute(select(Issue).where(col(Issue.duplicate_of_id).is_(None))))
            .scalars()
            .all()
        )
        events = (
            await session.execute(
                select(
                    IssueEvent.issue_id,
                    IssueEvent.kind,
                    IssueEvent.to_status,
                    IssueEvent.created_at,
                )
                .where(col(IssueEvent.public).is_(True))
                .order_by(col(IssueEvent.created_at))
            )
        ).all()
        overdue_keys = (
            await session.execute(
                select(OutboxMessage.dedupe_key, OutboxMessage.created_at).where(
                    col(OutboxMessage.kind).in_(["issue-overdue", "issue-overdue-staff"])
                )
            )
        ).all()
    planned: dict[str, dt.datetime] = {}
    for key, created in overdue_keys:
        prefix = key.rsplit(":", 1)[0]
        planned[prefix] = min(created, planned.get(prefix, created))
    cycle_start: dict[int, dt.datetime] = {}
    answers: dict[int, list[dt.datetime]] = {}
    for issue_id, kind, to_status, created in events:
        if to_status == "reopened":
            cycle_start[issue_id] = created
        if kind == "reply" or to_status == "rejected":
            answers.setdefault(issue_id, []).append(created)
    buckets: Counter[str] = Counter()
    missed: Counter[str] = Counter()
    slack = 2 * planner_period
    open_at_end = 0
    for issue in issues:
        start = cycle_start.get(issue.id or 0, issue.created_at)
        answer = next((a for a in answers.get(issue.id or 0, ()) if a >= start), None)
        due = issue.due_at
        if due is None or (answer is not None and answer <= due):
            buckets["answered_by_due_date"] += 1
            continue
        escalated = answer is None or answer > due + STAFF_AFTER
        if due + slack > until or (answer is None and due + STAFF_AFTER + slack > until):
            open_at_end += 1
            continue
        stamp = int(due.timestamp())
        buckets["escalated" if escalated else "answered_late"] += 1
        assigned = issue.assignee_member_id is not None or issue.assignee_department_id is not None
        if assigned:
            first = planned.get(f"issue:{issue.id}:overdue:{stamp}")
            if first is None or first > reminder_deadline(due, slack, outages):
                missed["assignee_reminder_missing_or_late"] += 1
            if escalated:
                staff = planned.get(f"issue:{issue.id}:overdue-staff:{stamp}")
                staff_due = due + STAFF_AFTER
                if staff is None or staff > reminder_deadline(staff_due, slack, outages):
                    missed["staff_reminder_missing_or_late"] += 1
    total = sum(buckets.values())
    return {
        "cases": total + open_at_end,
        "decided": total,
        "counts": dict(buckets),
        "undecided_at_end": open_at_end,
        "shares_percent": {name: share(count, total) for name, count in buckets.items()},
        "shares_sum_percent": round(sum(share(c, total) for c in buckets.values()), 2),
        "reminder_rule_misses": dict(missed),
    }


def identity_of(chat_id: int, payload: str) -> tuple[int, str]:
    """A row's identity: its chat and its exact text."""
    return chat_id, str(json.loads(payload)["text"])


async def delivery_figures(
    db: Database, accepted: Sequence[Accepted], kinds: Sequence[str] | None, broadcasts: bool
) -> dict[str, Any]:
    """Rows planned and sent against what the fake accepted: lost and sent twice."""
    query = select(
        OutboxMessage.chat_id,
        OutboxMessage.payload,
        OutboxMessage.state,
        OutboxMessage.kind,
        OutboxMessage.last_error,
    ).where(col(OutboxMessage.channel) == "telegram")
    if broadcasts:
        query = query.where(col(OutboxMessage.broadcast_id).is_not(None))
    elif kinds is not None:
        query = query.where(col(OutboxMessage.kind).in_(kinds))
    async with db.session() as session:
        rows = (await session.execute(query)).all()
    states: Counter[str] = Counter()
    by_kind: Counter[str] = Counter()
    expected: Counter[tuple[int, str]] = Counter()
    expired = 0
    for chat_id, payload, state, kind, error in rows:
        states[state] += 1
        expired += state == "failed" and str(error or "").startswith("expired")
        by_kind[kind] += 1
        if state == "sent":
            expected[identity_of(chat_id, payload)] += 1
    received: Counter[tuple[int, str]] = Counter(
        (item.chat_id, item.text) for item in accepted if (item.chat_id, item.text) in expected
    )
    lost = sum(max(0, count - received[key]) for key, count in expected.items())
    twice = sum(max(0, count - expected[key]) for key, count in received.items())
    return {
        "planned": len(rows),
        "by_kind": dict(by_kind),
        "states": dict(states),
        "sent": states.get("sent", 0),
        "lost": lost + states.get("failed", 0) - expired,
        "expired_unsent": expired,
        "sent_twice": twice,
    }


async def minimum_figures(db: Database, year: int, quarters: Sequence[int]) -> dict[str, Any]:
    """Members meeting each quarter's minimum before the first reminder and at the end."""
    figures: dict[str, Any] = {}
    async with db.session() as session:
        for quarter in quarters:
            first_month = 3 * quarter - 2
            start = dt.date(year, first_month, 1)
            end = dt.date(year + (quarter == 4), (first_month + 2) % 12 + 1, 1)
            reminded_at = (
                await session.execute(
                    select(func.min(OutboxMessage.sent_at)).where(
                        col(OutboxMessage.kind) == "minimum-short",
                        col(OutboxMessage.created_at) >= _midnight(start),
                        col(OutboxMessage.created_at) < _midnight(end),
                    )
                )
            ).scalar_one()
            base = select(func.count(func.distinct(Activity.member_id))).where(
                col(Activity.kind).in_(QUALIFYING),
                col(Activity.deleted_at).is_(None),
                col(Activity.occurred_on) >= start,
                col(Activity.occurred_on) < end,
            )
            after = (await session.execute(base)).scalar_one()
            before = (
                (
                    await session.execute(base.where(col(Activity.created_at) < reminded_at))
                ).scalar_one()
                if reminded_at is not None
                else None
            )
            figures[f"{year}-Q{quarter}"] = {
                "first_reminder_sent_at": reminded_at.isoformat() if reminded_at else None,
                "members_meeting_minimum_before_reminders": before,
                "members_meeting_minimum_at_end": after,
            }
    return figures


async def timing_free_counts(db: Database) -> dict[str, int]:
    """Counts of what people did of their own accord: the same on every topology for one seed.

    Each is fixed by the scenario once every step of it succeeded: the reports (with their
    locations and photos), the activities members logged, the leave requests. What follows an
    answer (ratings, reopenings, hand-backs) waits for the office and the assignees within
    the period, so it depends on how fast the app kept up: see :func:`after_answer_counts`.
    """
    async with db.session() as session:

        async def count(query: Any) -> int:
            return int((await session.execute(query)).scalar_one())

        return {
            "cases": await count(select(func.count()).select_from(Issue)),
            "cases_with_location": await count(
                select(func.count()).where(col(Issue.latitude).is_not(None))
            ),
            "cases_with_photo": await count(select(func.count(func.distinct(Attachment.issue_id)))),
            "activities": await count(select(func.count()).select_from(Activity)),
            "leave_requests": await count(
                select(func.count()).where(col(MeetingInvitee.leave_reason).is_not(None))
            ),
        }


async def after_answer_counts(db: Database) -> dict[str, int]:
    """What people did once answered: depends on how many answers came within the period."""
    async with db.session() as session:

        async def count(query: Any) -> int:
            return int((await session.execute(query)).scalar_one())

        return {
            "cases_rated": await count(select(func.count()).where(col(Issue.rating).is_not(None))),
            "reopenings": await count(
                select(func.count()).where(col(IssueEvent.to_status) == "reopened")
            ),
            "handed_back": await count(
                select(func.count()).where(col(IssueEvent.kind) == "handed_back")
            ),
        }
