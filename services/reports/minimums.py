"""Staff reports, the quarter's minimums: who is short, and one reminder to all of them at once.

The reminder is the planner's ``minimum-short`` notice, queued through the outbox for every
chat of every active member short of the quarter's minimum. Its dedupe key names the quarter,
the day and the chat (``minimum:2026 Q4:staff-2026-11-20:17``), so pressing the button twice
on one day queues nothing new, while the next day it may be sent again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from services.audit import Actor, audit
from services.calendar import Quarter
from services.meetings.invitations import member_chats
from services.members.compliance import quarter_compliance, short_of_minimum
from services.members.rules import Rules
from services.outbox.notices import Notifier
from services.outbox.queue import Recipient, add
from services.reminders.planning import already_queued
from storage.db import write_transaction

__all__ = [
    "KIND",
    "RemindResult",
    "remind_short_members",
    "reminder_key",
    "short_of_minimum",
]

KIND = "minimum-short"


@dataclass(frozen=True)
class RemindResult:
    """What the button did: members short, members newly reminded, members with no chat."""

    short: int
    reminded: int
    no_chat: int


def reminder_key(quarter: Quarter, today: dt.date, identity_id: int) -> str:
    """The dedupe key of one chat's reminder: once per quarter, day and chat."""
    return f"minimum:{quarter}:staff-{today.isoformat()}:{identity_id}"


async def remind_short_members(
    session: AsyncSession,
    *,
    quarter: Quarter,
    rules: Rules,
    today: dt.date,
    now: dt.datetime,
    tz: dt.tzinfo,
    notifier: Notifier,
    actor: Actor | None = None,
) -> RemindResult:
    """Queue the ``minimum-short`` notice to every chat of every member short this quarter.

    The roster is counted afresh, so a member who logged an activity since the report was
    shown is not reminded. A reminder not delivered by the quarter's end is dropped.
    """
    short = short_of_minimum(await quarter_compliance(session, quarter=quarter, rules=rules, tz=tz))
    chats = await member_chats(session, [row.member_id for row in short])
    planned = [
        (row, identity, reminder_key(quarter, today, identity.id or 0))
        for row in short
        for identity in chats.get(row.member_id, [])
    ]
    done = await already_queued(session, [key for _row, _identity, key in planned])
    reminded: set[int] = set()
    expires = dt.datetime.combine(quarter.next().start, dt.time(0), tzinfo=tz)
    async with write_transaction(session):
        for row, identity, key in planned:
            if key in done:
                continue
            message = notifier.render(KIND, identity, row=row, quarter=quarter, today=today)
            if await add(
                session,
                to=Recipient.of(identity),
                message=message,
                dedupe_key=key,
                now=now,
                expires_at=expires,
                kind=KIND,
            ):
                reminded.add(row.member_id)
        if actor is not None:
            audit(
                session,
                actor=actor,
                action="minimums.remind",
                object_kind="quarter",
                object_id=f"{quarter.year}-Q{quarter.number}",
                after={"short": len(short), "reminded": len(reminded)},
                now=now,
            )
    no_chat = sum(1 for row in short if not chats.get(row.member_id))
    return RemindResult(short=len(short), reminded=len(reminded), no_chat=no_chat)
