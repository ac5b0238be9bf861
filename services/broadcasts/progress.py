"""A running broadcast: its counts by state, cancelling it, finishing it with a report.

Cancelling stops the rows not yet taken for sending; rows already sending or sent are left
alone. A broadcast is finished once none of its rows is pending or sending.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.accounts.scope import StaffScope
from services.audit import Actor, audit
from services.broadcasts.queue import REPORT_KIND, get_broadcast
from services.errors import DomainError, NotFoundError
from services.outbox.notices import Notifier
from services.outbox.queue import OutboxState, Recipient, add, state_counts
from storage.db import write_transaction
from storage.enums import BroadcastState
from storage.models import Broadcast, ChatIdentity, OutboxMessage, Staff


async def set_progress_message(
    session: AsyncSession,
    *,
    broadcast_id: int,
    identity_id: int,
    message_id: int,
    text: str,
) -> None:
    """Remember the staff member's progress message, to be edited as sending goes on."""
    async with write_transaction(session):
        await session.execute(
            update(Broadcast)
            .where(col(Broadcast.id) == broadcast_id)
            .values(
                progress_identity_id=identity_id, progress_message_id=message_id, progress_text=text
            )
        )


async def set_progress_text(session: AsyncSession, *, broadcast_id: int, text: str) -> None:
    """Remember what the progress message shows now."""
    async with write_transaction(session):
        await session.execute(
            update(Broadcast).where(col(Broadcast.id) == broadcast_id).values(progress_text=text)
        )


@dataclass(frozen=True)
class Progress:
    """A broadcast's outbox rows counted by state."""

    counts: dict[str, int] = field(default_factory=dict)

    def __getitem__(self, state: str) -> int:
        return self.counts.get(state, 0)

    @property
    def total(self) -> int:
        """Every row of the broadcast."""
        return sum(self.counts.values())

    @property
    def open(self) -> int:
        """Rows still to be sent or being sent."""
        return self[OutboxState.PENDING] + self[OutboxState.SENDING]


async def progress(session: AsyncSession, *, broadcast_id: int) -> Progress:
    """How a broadcast's messages stand."""
    return Progress(await state_counts(session, col(OutboxMessage.broadcast_id) == broadcast_id))


@dataclass(frozen=True)
class Cancelled:
    """What a cancel did: rows stopped, rows already out or on their way."""

    broadcast: Broadcast
    stopped: int
    in_flight: int
    sent: int


async def cancel_broadcast(
    session: AsyncSession,
    *,
    broadcast_id: int,
    staff: Staff,
    scope: StaffScope,
    now: dt.datetime,
) -> Cancelled:
    """Stop a broadcast's pending messages; those already sending or sent are left alone.

    Only the sender or an administrator may cancel.
    """
    async with write_transaction(session):
        broadcast = await get_broadcast(session, broadcast_id=broadcast_id, scope=scope)
        if broadcast is None:
            raise NotFoundError("broadcast")
        if broadcast.state == BroadcastState.CANCELLED:
            raise DomainError("already_cancelled")
        if broadcast.finished_at is not None:
            raise DomainError("already_finished")
        stopped = await _stop_pending(session, broadcast_id)
        counts = await progress(session, broadcast_id=broadcast_id)
        before = {"state": broadcast.state, "cancelled_at": None}
        broadcast.state = BroadcastState.CANCELLED
        broadcast.cancelled_at = now
        audit(
            session,
            actor=Actor.staff(staff),
            action="broadcast.cancel",
            object_kind="broadcast",
            object_id=broadcast_id,
            before=before,
            after={
                "state": broadcast.state,
                "cancelled_at": now.isoformat(),
                "stopped": stopped,
                "in_flight": counts[OutboxState.SENDING],
                "sent": counts[OutboxState.SENT],
            },
            now=now,
        )
    return Cancelled(broadcast, stopped, counts[OutboxState.SENDING], counts[OutboxState.SENT])


async def _stop_pending(session: AsyncSession, broadcast_id: int) -> int:
    result = await session.execute(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.broadcast_id) == broadcast_id,
            col(OutboxMessage.state) == OutboxState.PENDING,
        )
        .values(state=OutboxState.CANCELLED, last_error="broadcast cancelled")
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def sweep_cancelled(session: AsyncSession, *, broadcast_id: int) -> int:
    """Stop rows of a cancelled broadcast that a failed attempt put back to pending."""
    async with write_transaction(session):
        return await _stop_pending(session, broadcast_id)


async def unfinished(session: AsyncSession, *, now: dt.datetime) -> list[Broadcast]:
    """Broadcasts not yet finished that are due or cancelled, oldest first.

    A scheduled broadcast cancelled before its time is finished (and reported) at once.
    """
    rows = await session.execute(
        select(Broadcast)
        .where(
            col(Broadcast.finished_at).is_(None),
            or_(
                col(Broadcast.send_at) <= now,
                col(Broadcast.state) == BroadcastState.CANCELLED,
            ),
        )
        .order_by(col(Broadcast.id))
    )
    return list(rows.scalars())


async def finish(
    session: AsyncSession, *, broadcast_id: int, now: dt.datetime, notifier: Notifier
) -> Progress | None:
    """Mark a broadcast finished once nothing is pending or sending; queue the sender's report.

    Returns the final counts, or None when it is not finished (or was finished already).
    """
    async with write_transaction(session):
        broadcast = await session.get(Broadcast, broadcast_id)
        if broadcast is None or broadcast.finished_at is not None:
            return None
        counts = await progress(session, broadcast_id=broadcast_id)
        if counts.open:
            return None
        broadcast.finished_at = now
        if broadcast.state == BroadcastState.SENDING:
            broadcast.state = BroadcastState.DONE
        identity = (
            await session.get(ChatIdentity, broadcast.progress_identity_id)
            if broadcast.progress_identity_id is not None
            else None
        )
        if identity is not None:
            await add(
                session,
                to=Recipient.of(identity),
                message=notifier.render(REPORT_KIND, identity, broadcast=broadcast, counts=counts),
                dedupe_key=f"broadcast:{broadcast_id}:report",
                now=now,
                kind=REPORT_KIND,
            )
    return counts
