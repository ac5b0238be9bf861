"""Reminder talks: who is listed by the year's thresholds; conduct recorded and audited."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from services.accounts.scope import StaffScope
from services.assessment.conduct import record_conduct, reminder_list
from services.audit import Actor, list_entries
from services.errors import DomainError
from storage.db import Database, write_transaction
from storage.models import Meeting, MeetingInvitee, Member, MemberConduct
from tests.support.members import NOW, TZ
from tests.unit.test_assessment_publication import YEAR, rules, seed_totals

CLI = Actor.cli()


async def add_meetings(db: Database, ids: dict[str, int]) -> None:
    """Four closed meetings: M002 came to one of four, M003 to all; a cancelled one is ignored."""
    async with db.session() as session, write_transaction(session):
        for number in range(5):
            start = dt.datetime(2026, 3, 1 + number, 2, tzinfo=dt.UTC)
            meeting = Meeting(
                kind="bimonthly",
                title=f"m{number}",
                starts_at=start,
                ends_at=start + dt.timedelta(hours=2),
                venue="v",
                checkin_code="1",
                checkin_token=f"t{number}",
                created_at=NOW,
                closed_at=NOW,
                cancelled_at=NOW if number == 4 else None,
            )
            session.add(meeting)
            await session.flush()
            assert meeting.id is not None
            for code, came in (("M002", number == 0), ("M003", True)):
                session.add(
                    MeetingInvitee(
                        meeting_id=meeting.id,
                        member_id=ids[code],
                        attendance="attended" if came else "absent",
                    )
                )


async def test_reminder_list_by_total_and_attendance(roster: Database) -> None:
    ids = await seed_totals(roster)
    await add_meetings(roster, ids)
    async with roster.session() as session:
        listed = await reminder_list(session, year=YEAR, rules=rules(), tz=TZ)
    by_code = {row.member.code: row for row in listed}
    # 2026: score_below 10 points (M007 has 1, M006 8, M008 7), attendance_below 0.6.
    assert set(by_code) == {"M007", "M008", "M006", "M002"}
    assert by_code["M002"].low_attendance and not by_code["M002"].low_score
    assert by_code["M002"].attendance == 0.25
    assert by_code["M007"].low_score and by_code["M007"].attendance is None
    assert listed[0].member.code == "M007"  # lowest total first


async def test_conduct_changes_the_status_and_is_audited(roster: Database) -> None:
    ids = await seed_totals(roster)
    async with roster.session() as session:
        for kind, status in (
            ("talk", "active"),
            ("suspension", "suspended"),
            ("reinstated", "active"),
            ("removal", "left"),
        ):
            await record_conduct(
                session,
                tz=TZ,
                member_id=ids["M007"],
                kind=kind,
                note=f"{kind} note",
                actor=CLI,
                now=NOW,
            )
            member = await session.get(Member, ids["M007"])
            assert member is not None and member.status == status
        kinds = await session.execute(select(MemberConduct.kind).order_by(MemberConduct.id))
        assert list(kinds.scalars()) == ["talk", "suspension", "reinstated", "removal"]
        entries = await list_entries(session, object_kind="member", object_id=str(ids["M007"]))
        assert {e.action for e in entries} >= {"member.conduct.suspension", "member.conduct.talk"}
        with pytest.raises(DomainError, match="conduct_kind"):
            await record_conduct(
                session, tz=TZ, member_id=ids["M007"], kind="fine", note="", actor=CLI, now=NOW
            )
        with pytest.raises(DomainError, match="not_found"):
            await record_conduct(
                session, tz=TZ, member_id=999999, kind="talk", note="", actor=CLI, now=NOW
            )
        station = StaffScope(staff_id=1, name="x", admin=False, station_ids=frozenset())
        with pytest.raises(DomainError, match="out_of_scope"):
            await record_conduct(
                session,
                tz=TZ,
                member_id=ids["M007"],
                kind="talk",
                note="",
                actor=Actor("staff", 1, "x"),
                now=NOW,
                scope=station,
            )
