"""The outbox: queue a rendered message once (by dedupe key), claim due ones, record results.

A claimed row is "sending" under a lease held by one sender (``locked_by``, until
``locked_until``), like a job in a PostgreSQL-backed job queue: the sender renews the lease
while the row waits in its process, so no other sender claims it while it lives, and once its
sender dies the lease runs out and another one takes the row over.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    ColumnElement,
    bindparam,
    exists,
    false,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.db import write_transaction
from storage.enums import BroadcastState
from storage.models import Broadcast, ChatIdentity, OutboxMessage
from storage.queries import insert_ignore, table_of

MAX_ATTEMPTS = 5
LEASE = dt.timedelta(minutes=2)
# A sender's name is its worker's name, this mark and a part of its own (see ``free_orphans``).
WORKER_MARK = "/"
# Rows renewed by one statement: well below every database's limit on bound parameters.
RENEW_CHUNK = 500
# How many windows one claim looks through when busy chats fill the first ones.
CLAIM_ROUNDS = 5
# A message about a meeting starting this soon goes even in quiet hours.
URGENT_WITHIN = dt.timedelta(hours=3)
EXPIRED = "expired before it could be sent"


class OutboxState(StrEnum):
    """Where a queued message stands."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    BLOCKED = "blocked"
    CANCELLED = "cancelled"
    # Waiting for the person to write again: the channel's window for free messages is shut
    # and no template message stands in for this notice (the WeChat service account).
    HELD = "held"


@dataclass(frozen=True)
class Outgoing:
    """A rendered message: Telegram HTML, inline buttons, maybe a stored file to attach.

    ``buttons`` are rows of ``{"text": ..., "callback_data": ...}`` or ``{"text", "url"}``.
    ``document`` and ``photo`` are keys of stored files. ``facts`` are the notice's plain
    facts by name (see :mod:`services.outbox.templates`), which a template message shows where
    the message itself may not go; payloads queued before facts existed load without them.
    """

    text: str
    buttons: list[list[dict[str, str]]] = field(default_factory=list)
    document: str | None = None
    photo: str | None = None
    facts: dict[str, str] = field(default_factory=dict)

    def dumps(self) -> str:
        """The JSON kept in the outbox row."""
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def loads(cls, payload: str) -> Outgoing:
        """The message from an outbox row."""
        return cls(**json.loads(payload))


@dataclass(frozen=True)
class Recipient:
    """Where a message goes: the identity, its channel and chat."""

    identity_id: int
    channel: str
    chat_id: int

    @classmethod
    def of(cls, identity: ChatIdentity) -> Recipient:
        """The recipient for a chat identity."""
        assert identity.id is not None
        return cls(identity.id, identity.channel, identity.chat_id)


@dataclass(frozen=True)
class Delivery:
    """What happened to one claimed message."""

    outbox_id: int
    identity_id: int
    state: OutboxState
    message_id: int | None = None
    error: str | None = None
    retry_at: dt.datetime | None = None
    counts_as_attempt: bool = True
    # Telegram said to wait (429): worth trying again once the pause is over.
    rate_limited: bool = False
    # How a sent message went when not as itself (a template message), kept on the row.
    note: str | None = None


def _row(
    to: Recipient,
    *,
    payload: str,
    dedupe_key: str,
    now: dt.datetime,
    due_at: dt.datetime | None,
    urgent: bool,
    priority: int,
    expires_at: dt.datetime | None,
    kind: str,
    broadcast_id: int | None = None,
) -> dict[str, Any]:
    return {
        "identity_id": to.identity_id,
        "channel": to.channel,
        "chat_id": to.chat_id,
        "kind": kind,
        "broadcast_id": broadcast_id,
        "payload": payload,
        "dedupe_key": dedupe_key,
        "priority": priority,
        "urgent": urgent,
        "due_at": due_at or now,
        "expires_at": expires_at,
        "state": OutboxState.PENDING,
        "attempts": 0,
        "created_at": now,
    }


async def add(
    session: AsyncSession,
    *,
    to: Recipient,
    message: Outgoing,
    dedupe_key: str,
    now: dt.datetime,
    due_at: dt.datetime | None = None,
    urgent: bool = False,
    priority: int = 1,
    expires_at: dt.datetime | None = None,
    kind: str = "",
) -> bool:
    """Queue a message inside the caller's transaction; False when the key was queued before."""
    row = _row(
        to,
        payload=message.dumps(),
        dedupe_key=dedupe_key,
        now=now,
        due_at=due_at,
        urgent=urgent,
        priority=priority,
        expires_at=expires_at,
        kind=kind,
    )
    return await insert_ignore(
        session, table_of(OutboxMessage), row, conflict_columns=["dedupe_key"]
    )


async def add_many(
    session: AsyncSession,
    *,
    to: Sequence[Recipient],
    message: Outgoing,
    dedupe_prefix: str,
    now: dt.datetime,
    due_at: dt.datetime | None = None,
    priority: int = 1,
    kind: str = "",
    broadcast_id: int | None = None,
) -> int:
    """Queue one message to many chats inside the caller's transaction, in one statement.

    Each row's dedupe key is ``dedupe_prefix`` and the identity id. For a broadcast's
    thousands of rows: one executemany, one round of the writer lock.
    """
    payload = message.dumps()
    rows = [
        _row(
            person,
            payload=payload,
            dedupe_key=f"{dedupe_prefix}:{person.identity_id}",
            now=now,
            due_at=due_at,
            urgent=False,
            priority=priority,
            expires_at=None,
            kind=kind,
            broadcast_id=broadcast_id,
        )
        for person in to
    ]
    if rows:
        await session.execute(insert(table_of(OutboxMessage)), rows)
    return len(rows)


async def enqueue(session: AsyncSession, **kwargs: Any) -> bool:
    """Queue a message in a transaction of its own (see :func:`add`)."""
    async with write_transaction(session):
        return await add(session, **kwargs)


async def claim(
    session: AsyncSession,
    *,
    channel: str,
    now: dt.datetime,
    limit: int,
    quiet: bool,
    lease: dt.timedelta = LEASE,
    exclude: Collection[int] = (),
    chat_room: Callable[[int], int] | None = None,
    owner: str | None = None,
) -> list[OutboxMessage]:
    """Take due messages for sending: pending ones, and ones a crashed sender left behind.

    During quiet hours only urgent messages are due, and meeting messages whose meeting (their
    expiry) is within ``URGENT_WITHIN``. Messages past their expiry fail, and
    messages to chats that blocked the bot are marked blocked, instead of being sent.
    ``exclude`` names messages the caller is still sending itself, whatever their lease says.
    ``chat_room`` says how many more messages of a chat the caller can take: one a second per
    chat, a long backlog would sit in one sender for minutes while others could send it.
    ``owner`` names the sender that now holds the claimed rows: it renews their lease while
    they wait (:func:`renew`), so a live sender's rows are never due for another one.
    """
    due = or_(
        (col(OutboxMessage.state) == OutboxState.PENDING) & (col(OutboxMessage.due_at) <= now),
        (col(OutboxMessage.state) == OutboxState.SENDING) & (col(OutboxMessage.locked_until) < now),
    )
    stmt = (
        select(OutboxMessage, col(ChatIdentity.blocked))
        .join(ChatIdentity, col(ChatIdentity.id) == col(OutboxMessage.identity_id))
        .where(col(OutboxMessage.channel) == channel, due)
        .order_by(col(OutboxMessage.priority), col(OutboxMessage.due_at), col(OutboxMessage.id))
    )
    if quiet:
        # A meeting message held overnight becomes urgent once its meeting is close: an
        # invitation queued at 22:00 for 07:30 must not wait for 08:00 and expire unsent.
        meeting_soon = (
            col(OutboxMessage.kind).startswith("meeting")
            & col(OutboxMessage.expires_at).is_not(None)
            & (col(OutboxMessage.expires_at) <= now + URGENT_WITHIN)
        )
        stmt = stmt.where(or_(col(OutboxMessage.urgent).is_(True), meeting_soon))
    if exclude:
        stmt = stmt.where(col(OutboxMessage.id).not_in(list(exclude)))
    # A row a failed attempt put back after its broadcast was cancelled stays unsent.
    cancelled = exists().where(
        col(Broadcast.id) == col(OutboxMessage.broadcast_id),
        col(Broadcast.state) == BroadcastState.CANCELLED,
    )
    stmt = stmt.where(or_(col(OutboxMessage.broadcast_id).is_(None), ~cancelled))
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(of=OutboxMessage, skip_locked=True)
    claimed: list[OutboxMessage] = []
    taken: Counter[int] = Counter()
    full: set[int] = set()  # chats with no room left: their rows stay pending
    window = limit * 2 if chat_room is not None else limit
    async with write_transaction(session):
        await _expire_held(session, channel=channel, now=now)
        # Rows taken in a round leave the due set; a busy chat's surplus is left out of the
        # next round, so it never crowds out the chats queued behind it.
        for _round in range(CLAIM_ROUNDS):
            query = stmt.limit(window)
            if full:
                query = query.where(col(OutboxMessage.chat_id).not_in(sorted(full)))
            rows = (await session.execute(query)).all()
            crowded = False
            for row, blocked in rows:
                if len(claimed) >= limit:
                    break
                if not blocked and chat_room is not None:
                    if taken[row.chat_id] >= chat_room(row.chat_id):
                        crowded = crowded or row.chat_id not in full
                        full.add(row.chat_id)
                        continue
                    taken[row.chat_id] += 1
                _take(row, blocked=blocked, now=now, lease=lease, owner=owner, claimed=claimed)
            if len(claimed) >= limit or len(rows) < window or not crowded:
                break
    return claimed


async def _expire_held(session: AsyncSession, *, channel: str, now: dt.datetime) -> None:
    """Held messages past their expiry fail as pending ones do: the person never wrote again."""
    await session.execute(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.channel) == channel,
            col(OutboxMessage.state) == OutboxState.HELD,
            col(OutboxMessage.expires_at).is_not(None),
            col(OutboxMessage.expires_at) <= now,
        )
        .values(state=OutboxState.FAILED, last_error=EXPIRED)
        .execution_options(synchronize_session=False)
    )


def _take(
    row: OutboxMessage,
    *,
    blocked: bool,
    now: dt.datetime,
    lease: dt.timedelta,
    owner: str | None,
    claimed: list[OutboxMessage],
) -> None:
    """Mark one due row: blocked, expired, or sending (and so claimed)."""
    if blocked:
        row.state = OutboxState.BLOCKED
        row.last_error = "the chat blocked the bot"
    elif row.expires_at is not None and row.expires_at <= now:
        row.state = OutboxState.FAILED
        row.last_error = EXPIRED
    else:
        row.state = OutboxState.SENDING
        row.locked_until = now + lease
        row.locked_by = owner
        row.attempts += 1
        claimed.append(row)


async def renew(
    session: AsyncSession,
    ids: Collection[int],
    *,
    owner: str,
    until: dt.datetime,
) -> set[int]:
    """Extend ``owner``'s lease on these rows to ``until``; return the ones it still holds.

    A row missing from the answer was taken over by another sender (its lease had run out),
    or its result was written meanwhile: either way its holder must not send it now.
    """
    if not ids:
        return set()
    table = table_of(OutboxMessage)
    held: set[int] = set()
    async with write_transaction(session):
        # In chunks: a lane may hold thousands of rows, more than a statement takes parameters.
        ordered = sorted(ids)
        for start in range(0, len(ordered), RENEW_CHUNK):
            chunk = ordered[start : start + RENEW_CHUNK]
            renewed = await session.execute(
                update(table)
                .where(
                    table.c.id.in_(chunk),
                    table.c.state == OutboxState.SENDING,
                    table.c.locked_by == owner,
                )
                .values(locked_until=until)
                .returning(table.c.id)
            )
            held.update(renewed.scalars())
    return held


async def free_orphans(session: AsyncSession, *, alive: Collection[str], now: dt.datetime) -> int:
    """Make due now the rows left "sending" by a worker no longer ``alive``; how many.

    Such a row's sender died (or was an earlier process on this database): nobody renews its
    lease, and waiting it out would hold its message back for minutes. A sender is known by
    the worker part of its name (before ``WORKER_MARK``); rows with no such part are from
    senders that did not say their worker, and are freed too. A live worker's rows are left
    alone even when it no longer leads: it is finishing what it holds.
    """
    table = table_of(OutboxMessage)
    of_the_living = [
        table.c.locked_by.startswith(f"{name}{WORKER_MARK}", autoescape=True) for name in alive
    ]
    orphaned = or_(table.c.locked_by.is_(None), ~or_(false(), *of_the_living))
    freed = await session.execute(
        update(table)
        .where(table.c.state == OutboxState.SENDING, table.c.locked_until > now, orphaned)
        .values(locked_until=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(freed, "rowcount", 0) or 0)


async def record(
    session: AsyncSession,
    results: Sequence[Delivery],
    *,
    now: dt.datetime,
    owner: str | None = None,
) -> None:
    """Write what happened to a batch of claimed messages, in one transaction.

    A message that went out is marked sent unless it was marked so already, even when its
    lease had run out and another sender took it over: that sender must not send it again.
    Any other result (a retry, a failure, a message put back) is written only while the row
    is still sending, and, given ``owner``, still held by it: a sender that lost a message
    does not overwrite what the new holder writes.
    """
    if not results:
        return
    table = table_of(OutboxMessage)
    still_sending = table.c.state == OutboxState.SENDING
    still_mine = still_sending if owner is None else still_sending & (table.c.locked_by == owner)
    # Not IN (...): an expanding parameter cannot go into the executemany below.
    unsent = or_(still_sending, table.c.state == OutboxState.PENDING)
    sent = [r for r in results if r.state == OutboxState.SENT]
    async with write_transaction(session):
        if sent:
            # One executemany for the common case keeps the writer lock short.
            await session.execute(
                update(table)
                .where(table.c.id == bindparam("outbox_id"), unsent)
                .values(
                    state=OutboxState.SENT,
                    sent_message_id=bindparam("message_id"),
                    sent_at=now,
                    # A sent row keeps no error; a note says how it went, if not as itself.
                    last_error=bindparam("note"),
                    locked_until=None,
                    locked_by=None,
                ),
                [
                    {"outbox_id": r.outbox_id, "message_id": r.message_id, "note": r.note}
                    for r in sent
                ],
            )
        for result in results:
            if result.state == OutboxState.SENT:
                continue
            values: dict[str, Any] = {
                "state": result.state,
                "locked_until": None,
                "locked_by": None,
                "last_error": (result.error or "")[:500] or None,
            }
            if result.retry_at is not None:
                values["due_at"] = result.retry_at
            if not result.counts_as_attempt:
                values["attempts"] = table.c.attempts - 1
            await session.execute(
                update(table).where(table.c.id == result.outbox_id, still_mine).values(**values)
            )
        blocked = {r.identity_id for r in results if r.state == OutboxState.BLOCKED}
        if blocked:
            await session.execute(
                update(ChatIdentity).where(col(ChatIdentity.id).in_(blocked)).values(blocked=True)
            )


@dataclass(frozen=True)
class OutboxStats:
    """Counts by state and the latest failures."""

    counts: dict[str, int]
    failures: list[OutboxMessage]


async def state_counts(session: AsyncSession, *conditions: ColumnElement[bool]) -> dict[str, int]:
    """Outbox rows matching ``conditions`` counted by state; every known state starts at 0."""
    rows = (
        await session.execute(
            select(col(OutboxMessage.state), func.count())
            .where(*conditions)
            .group_by(col(OutboxMessage.state))
        )
    ).all()
    counts: Counter[str] = Counter({state.value: 0 for state in OutboxState})
    counts.update({str(state): int(n) for state, n in rows})
    return dict(counts)


async def stats(session: AsyncSession, *, failures: int = 10) -> OutboxStats:
    """How the outbox stands."""
    counts = await state_counts(session)
    latest = (
        await session.execute(
            select(OutboxMessage)
            .where(col(OutboxMessage.state).in_([OutboxState.FAILED, OutboxState.BLOCKED]))
            .order_by(col(OutboxMessage.id).desc())
            .limit(failures)
        )
    ).scalars()
    return OutboxStats(counts=counts, failures=list(latest))


async def next_due(session: AsyncSession, *, channel: str) -> dt.datetime | None:
    """When the next pending message of a channel falls due, if any."""
    return (
        await session.execute(
            select(func.min(OutboxMessage.due_at)).where(
                col(OutboxMessage.channel) == channel,
                col(OutboxMessage.state) == OutboxState.PENDING,
            )
        )
    ).scalar_one_or_none()


async def release_held(
    session: AsyncSession, *, channel: str, chat_id: int, now: dt.datetime
) -> int:
    """The person wrote again: their held messages are due now; how many."""
    result = await session.execute(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.channel) == channel,
            col(OutboxMessage.chat_id) == chat_id,
            col(OutboxMessage.state) == OutboxState.HELD,
        )
        .values(state=OutboxState.PENDING, due_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
