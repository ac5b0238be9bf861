"""Broadcasts on SQLite and PostgreSQL: create with the outbox rows, progress, cancel, finish."""

from __future__ import annotations

import datetime as dt
import json
import time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.audit import list_entries
from services.broadcasts.audiences import Audience
from services.broadcasts.progress import (
    Progress,
    cancel_broadcast,
    finish,
    progress,
    sweep_cancelled,
    unfinished,
)
from services.broadcasts.queue import (
    PRIORITY,
    BroadcastDraft,
    check_text,
    create_broadcast,
    quiet_until,
    visible_length,
)
from services.errors import DomainError, NotFoundError
from services.outbox.queue import Outgoing
from storage.db import Database
from storage.enums import AudienceKind
from storage.models import Broadcast, OutboxMessage, Staff
from tests.support.members import NOW
from tests.support.notices import message_of, notifier, outbox
from tests.unit.test_audiences import (
    admin,
    bulk_residents,
    resident_chat,
    scope,
    station_id,
    station_staff,
)

TZ = ZoneInfo("Asia/Shanghai")


async def send(
    db: Database,
    staff: Staff,
    audience: Audience,
    text: str = "<b>Open session</b> on Saturday",
    **extra: object,
) -> Broadcast:
    reach = await scope(db, staff)
    async with db.session() as session:
        return await create_broadcast(
            session,
            staff=staff,
            scope=reach,
            draft=BroadcastDraft(audience=audience, text=text),
            now=NOW,
            **extra,  # type: ignore[arg-type]
        )


async def fin(session: AsyncSession, broadcast_id: int) -> Progress | None:
    return await finish(session, broadcast_id=broadcast_id, now=NOW, notifier=notifier())


async def set_states(db: Database, broadcast: Broadcast, states: list[str]) -> None:
    """Give the broadcast's rows these states, in id order."""
    rows = [row for row in await outbox(db, "broadcast") if row.broadcast_id == broadcast.id]
    async with db.writing() as session:
        for row, state in zip(rows, states, strict=False):
            await session.execute(
                update(OutboxMessage).where(OutboxMessage.id == row.id).values(state=state)
            )


async def test_create_queues_one_row_per_chat_with_an_audit_entry(roster: Database) -> None:
    office = await admin(roster)
    await resident_chat(roster, 501, "jf-beian", blocked=True)
    broadcast = await send(roster, office, Audience(AudienceKind.EVERYONE))
    rows = await outbox(roster, "broadcast")
    assert sorted(row.chat_id for row in rows) == [1, 2, 3, 99, 501]
    assert broadcast.recipients == 5 and broadcast.state == "sending"
    for row in rows:
        assert row.broadcast_id == broadcast.id and row.state == "pending"
        assert row.dedupe_key == f"broadcast:{broadcast.id}:{row.identity_id}"
        assert row.due_at == NOW and row.priority == PRIORITY and not row.urgent
        assert message_of(row) == Outgoing(text="<b>Open session</b> on Saturday")
    async with roster.session() as session:
        [entry] = await list_entries(session, action="broadcast.create")
    assert entry.actor_id == office.id and entry.object_id == str(broadcast.id)
    after = json.loads(entry.after or "{}")
    assert after["audience"] == "everyone" and after["recipients"] == 5 and after["blocked"] == 1


async def test_a_scheduled_broadcast_is_due_at_its_time(roster: Database) -> None:
    later = NOW + dt.timedelta(days=1)
    broadcast = await send(
        roster, await admin(roster), Audience(AudienceKind.MEMBERS), send_at=later
    )
    assert {row.due_at for row in await outbox(roster, "broadcast")} == {later}
    async with roster.session() as session:
        assert await unfinished(session, now=NOW) == []
        assert [b.id for b in await unfinished(session, now=later)] == [broadcast.id]
    async with roster.session() as session:
        office = await admin(roster)
        reach = await scope(roster, office)
        await cancel_broadcast(
            session, broadcast_id=broadcast.id or 0, staff=office, scope=reach, now=NOW
        )
        # Cancelled before its time: finished (and reported) now, not when it was due.
        assert [b.id for b in await unfinished(session, now=NOW)] == [broadcast.id]
        assert await fin(session, broadcast.id or 0) is not None
    with pytest.raises(DomainError, match="send_at_past"):
        await send(
            roster,
            await admin(roster),
            Audience(AudienceKind.MEMBERS),
            send_at=NOW - dt.timedelta(minutes=1),
        )


def test_text_limits_count_what_recipients_see() -> None:
    assert visible_length("<b>a&amp;b</b> 😀") == 6  # the emoji is two UTF-16 units
    check_text("<i>" + "x" * 4096 + "</i>", attachment=False)
    check_text("x" * 1024, attachment=True)
    for text, attachment in (("x" * 4097, False), ("x" * 1025, True)):
        with pytest.raises(DomainError, match="text_length"):
            check_text(text, attachment=attachment)
    with pytest.raises(DomainError, match="text_empty"):
        check_text("<b> </b>", attachment=False)


async def test_refusals_write_nothing(roster: Database) -> None:
    office = await admin(roster)
    keeper = await station_staff(roster, 701, "jf-beian")
    beian = Audience.parse("station", str(await station_id(roster, "jf-beian")))
    with pytest.raises(DomainError, match="audience_nobody"):
        await send(roster, office, beian)  # nobody opted in yet
    with pytest.raises(DomainError, match="audience_out_of_scope"):
        await send(roster, keeper, Audience(AudienceKind.MEMBERS))
    reach = await scope(roster, office)
    async with roster.session() as session:
        draft = BroadcastDraft(Audience(AudienceKind.MEMBERS), "x", photo="a", document="b")
        with pytest.raises(DomainError, match="one_attachment"):
            await create_broadcast(session, staff=office, scope=reach, draft=draft, now=NOW)
        draft = BroadcastDraft(Audience(AudienceKind.MEMBERS), "x" * 1025, photo="a")
        with pytest.raises(DomainError, match="text_length"):
            await create_broadcast(session, staff=office, scope=reach, draft=draft, now=NOW)
        assert (await session.execute(select(func.count()).select_from(Broadcast))).scalar() == 0
    assert await outbox(roster) == []


async def test_progress_cancel_and_the_final_report(roster: Database) -> None:
    office = await admin(roster)
    for chat in range(501, 511):
        await resident_chat(roster, chat, "jf-beian")
    beian = Audience.parse("station", str(await station_id(roster, "jf-beian")))
    broadcast = await send(roster, office, beian, progress_identity_id=None)
    assert broadcast.id is not None
    await set_states(roster, broadcast, ["sent", "sent", "blocked", "failed", "sending"])
    async with roster.session() as session:
        counts = await progress(session, broadcast_id=broadcast.id)
    assert (counts["sent"], counts["blocked"], counts["failed"], counts.open) == (2, 1, 1, 6)

    keeper = await station_staff(roster, 701, "jf-beian")
    async with roster.session() as session:
        with pytest.raises(NotFoundError):  # station staff, but not the sender
            await cancel_broadcast(
                session,
                broadcast_id=broadcast.id,
                staff=keeper,
                scope=await scope(roster, keeper),
                now=NOW,
            )
        done = await cancel_broadcast(
            session,
            broadcast_id=broadcast.id,
            staff=office,
            scope=await scope(roster, office),
            now=NOW,
        )
        assert (done.stopped, done.in_flight, done.sent) == (5, 1, 2)
        with pytest.raises(DomainError, match="already_cancelled"):
            await cancel_broadcast(
                session,
                broadcast_id=broadcast.id,
                staff=office,
                scope=await scope(roster, office),
                now=NOW,
            )
        counts = await progress(session, broadcast_id=broadcast.id)
        assert (counts["cancelled"], counts["sending"], counts["sent"]) == (5, 1, 2)
        [entry] = await list_entries(session, action="broadcast.cancel")
        assert json.loads(entry.after or "{}")["stopped"] == 5
        assert (
            await finish(session, broadcast_id=broadcast.id, now=NOW, notifier=notifier()) is None
        )

    # The one in flight fails transiently and comes back as pending: the sweep stops it too.
    await set_states(roster, broadcast, ["sent", "sent", "blocked", "failed", "pending"])
    async with roster.session() as session:
        assert await sweep_cancelled(session, broadcast_id=broadcast.id) == 1
        final = await fin(session, broadcast.id)
        assert final is not None and final["cancelled"] == 6
        again = await fin(session, broadcast.id)
        assert again is None
        stored = await session.get(Broadcast, broadcast.id)
    assert stored is not None and stored.state == "cancelled" and stored.finished_at == NOW
    assert await outbox(roster, "broadcast-report") == []  # nobody followed it


async def test_a_finished_broadcast_reports_to_its_sender(roster: Database) -> None:
    office = await admin(roster)
    async with roster.session() as session:
        from services.accounts.identities import find_identity

        chat = await find_identity(session, channel="telegram", chat_id=99)
    assert chat is not None
    broadcast = await send(
        roster, office, Audience(AudienceKind.MEMBERS), progress_identity_id=chat.id
    )
    assert broadcast.id is not None
    async with roster.session() as session:
        assert (
            await finish(session, broadcast_id=broadcast.id, now=NOW, notifier=notifier()) is None
        )
    await set_states(roster, broadcast, ["sent", "sent", "blocked"])
    async with roster.session() as session:
        assert await fin(session, broadcast.id)
        stored = await session.get(Broadcast, broadcast.id)
    assert stored is not None and stored.state == "done"
    [report] = await outbox(roster, "broadcast-report")
    assert report.chat_id == 99
    assert "2 of 3 messages were delivered" in message_of(report).text
    assert "1 recipients have blocked the bot" in message_of(report).text


async def test_two_thousand_rows_are_queued_at_once(roster: Database) -> None:
    station = await station_id(roster, "jf-beian")
    await bulk_residents(roster, 2500, station, first_chat=100_000, blocked=range(100_000, 100_100))
    started = time.perf_counter()
    broadcast = await send(roster, await admin(roster), Audience.parse("station", str(station)))
    elapsed = time.perf_counter() - started
    assert broadcast.recipients == 2500
    async with roster.session() as session:
        counts = await progress(session, broadcast_id=broadcast.id or 0)
    assert counts["pending"] == 2500
    print(f"queued 2500 broadcast rows in {elapsed:.3f} s")
    assert elapsed < 10


@pytest.mark.parametrize(
    ("local", "until"),
    [
        ("2026-11-20 22:30", "2026-11-21 08:00"),
        ("2026-11-21 07:59", "2026-11-21 08:00"),
        ("2026-11-21 08:00", None),
        ("2026-11-21 14:00", None),
    ],
)
def test_quiet_hours_hold_a_broadcast_until_morning(local: str, until: str | None) -> None:
    moment = dt.datetime.fromisoformat(local).replace(tzinfo=TZ)
    held = quiet_until(moment, tz=TZ, start=dt.time(21), end=dt.time(8))
    expected = dt.datetime.fromisoformat(until).replace(tzinfo=TZ) if until else None
    assert held == expected
    assert quiet_until(moment, tz=TZ, start=dt.time(0), end=dt.time(0)) is None
