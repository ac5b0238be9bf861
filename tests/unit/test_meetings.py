"""Meetings on SQLite and PostgreSQL: invitations, answers, leave, check-in, attendance."""

from __future__ import annotations

import datetime as dt

import pytest

from services.errors import DomainError
from services.meetings.attendance import check_in, close_ended, decide_leave, respond
from services.meetings.invitations import (
    MeetingInput,
    audience_members,
    create_meeting,
    ics,
    member_meeting,
)
from storage.db import Database
from storage.models import Meeting
from tests.support.members import NOW, member_by_code
from tests.support.notices import message_of, notifier, outbox

START_AT = NOW + dt.timedelta(days=3)


async def make_meeting(db: Database, audience: list[str], **extra: object) -> Meeting:
    data = MeetingInput(
        kind="bimonthly",
        title="Bimonthly consultation on elderly care",
        starts_at=START_AT,
        ends_at=START_AT + dt.timedelta(hours=3),
        venue="Committee hall, 3rd floor",
        audience=audience,
        agenda="1. Report\n2. Discussion",
        **extra,  # type: ignore[arg-type]
    )
    async with db.session() as session:
        return await create_meeting(session, data=data, staff_id=None, now=NOW, notifier=notifier())


async def ids(db: Database, *codes: str) -> list[int]:
    return [(await member_by_code(db, code)).id or 0 for code in codes]


async def test_audiences(roster: Database) -> None:
    async with roster.session() as session:
        everyone = await audience_members(session, ["all"])
        education = await audience_members(session, ["sector:education"])
        standing = await audience_members(session, ["group:standing"])
        committee = await audience_members(session, ["committee:economy"])
        named = await audience_members(session, ["member:M002", "member:M003"])
        with pytest.raises(DomainError):
            await audience_members(session, ["sector:nowhere"])
        with pytest.raises(DomainError):
            await audience_members(session, ["everybody"])
    assert len(everyone) == 8
    assert education == await ids(roster, "M001")
    assert sorted(standing) == sorted(await ids(roster, "M001", "M005"))
    assert sorted(committee) == sorted(await ids(roster, "M003", "M008"))
    assert sorted(named) == sorted(await ids(roster, "M002", "M003"))


async def test_invitations_go_to_linked_chats_once(roster: Database) -> None:
    meeting = await make_meeting(roster, ["all"])
    invitations = await outbox(roster, "meeting-invitation")
    assert len(invitations) == 3  # eight invited, three with a linked chat
    assert {row.dedupe_key for row in invitations} == {
        f"meeting:{meeting.id}:invite:{row.identity_id}" for row in invitations
    }
    text = message_of(invitations[0]).text
    assert "Bimonthly consultation on elderly care" in text and "Committee hall" in text
    assert invitations[0].expires_at == START_AT and not invitations[0].urgent
    assert len(meeting.checkin_code) == 6 and meeting.checkin_code.isdigit()


async def test_answers_leave_and_decision(roster: Database) -> None:
    meeting = await make_meeting(roster, ["all"])
    m1, m2 = await ids(roster, "M001", "M002")
    async with roster.session() as session:
        attending = await respond(
            session,
            meeting_id=meeting.id or 0,
            member_id=m1,
            attend=True,
            now=NOW,
            notifier=notifier(),
        )
        assert attending.response == "attending"
        with pytest.raises(DomainError, match="reason_length"):
            await respond(
                session,
                meeting_id=meeting.id or 0,
                member_id=m2,
                attend=False,
                reason="",
                now=NOW,
                notifier=notifier(),
            )
        await respond(
            session,
            meeting_id=meeting.id or 0,
            member_id=m2,
            attend=False,
            reason="Teaching at the university that afternoon",
            now=NOW,
            notifier=notifier(),
        )
    [request] = await outbox(roster, "meeting-leave-request")
    assert "Teaching at the university" in message_of(request).text
    async with roster.session() as session:
        decided = await decide_leave(
            session,
            meeting_id=meeting.id or 0,
            member_id=m2,
            staff_id=1,
            approve=True,
            now=NOW,
            notifier=notifier(),
        )
        assert decided.response == "leave_approved"
        with pytest.raises(DomainError, match="not_requested"):
            await decide_leave(
                session,
                meeting_id=meeting.id or 0,
                member_id=m2,
                staff_id=1,
                approve=False,
                now=NOW,
                notifier=notifier(),
            )
    [decision] = await outbox(roster, "meeting-leave-decision")
    assert "was approved" in message_of(decision).text
    # Three days ahead, the decision may wait for the morning; quiet hours hold it.
    assert not decision.urgent and decision.expires_at == meeting.ends_at
    async with roster.session() as session:
        with pytest.raises(DomainError, match="started"):
            await respond(
                session,
                meeting_id=meeting.id or 0,
                member_id=m1,
                attend=True,
                now=START_AT,
                notifier=notifier(),
            )
        outsider = await ids(roster, "M004")
        other = await make_meeting(roster, ["member:M004"])
        with pytest.raises(DomainError, match="not_invited"):
            await respond(
                session,
                meeting_id=other.id or 0,
                member_id=m1,
                attend=True,
                now=NOW,
                notifier=notifier(),
            )
        assert outsider


async def test_check_in_window_codes_and_lockout(roster: Database) -> None:
    meeting = await make_meeting(roster, ["member:M001", "member:M002"])
    m1, m2, m3 = await ids(roster, "M001", "M002", "M003")
    early = START_AT - dt.timedelta(hours=1, minutes=1)
    opens = START_AT - dt.timedelta(hours=1)
    async with roster.session() as session:
        with pytest.raises(DomainError, match="checkin_closed"):
            await check_in(session, member_id=m1, now=early, code=meeting.checkin_code)
        with pytest.raises(DomainError, match="checkin_wrong"):
            await check_in(
                session,
                member_id=m1,
                now=opens,
                code="000000" if meeting.checkin_code != "000000" else "111111",
            )
        assert (
            await check_in(session, member_id=m1, now=opens, code=meeting.checkin_code)
        ).id == meeting.id
        with pytest.raises(DomainError, match="not_invited"):
            await check_in(session, member_id=m3, now=opens, token=meeting.checkin_token)
        for _ in range(5):
            with pytest.raises(DomainError, match="checkin_wrong"):
                await check_in(session, member_id=m2, now=opens, code="12345x")
        with pytest.raises(DomainError, match="checkin_locked"):
            await check_in(session, member_id=m2, now=opens, code=meeting.checkin_code)
        assert (await check_in(session, member_id=m2, now=opens, token=meeting.checkin_token)).id
        with pytest.raises(DomainError, match="checkin_closed"):
            await check_in(
                session,
                member_id=m1,
                now=START_AT + dt.timedelta(hours=3, seconds=1),
                token=meeting.checkin_token,
            )


async def test_attendance_is_recorded_once_the_meeting_ends(roster: Database) -> None:
    meeting = await make_meeting(roster, ["member:M001", "member:M002", "member:M003"])
    m1, m2, m3 = await ids(roster, "M001", "M002", "M003")
    async with roster.session() as session:
        await check_in(session, member_id=m1, now=START_AT, code=meeting.checkin_code)
        await respond(
            session,
            meeting_id=meeting.id or 0,
            member_id=m2,
            attend=False,
            reason="ill",
            now=NOW,
            notifier=notifier(),
        )
        await decide_leave(
            session,
            meeting_id=meeting.id or 0,
            member_id=m2,
            staff_id=1,
            approve=True,
            now=NOW,
            notifier=notifier(),
        )
        assert await close_ended(session, now=START_AT, notifier=notifier()) == 0
        assert (
            await close_ended(session, now=START_AT + dt.timedelta(hours=3), notifier=notifier())
            == 1
        )
        assert (
            await close_ended(session, now=START_AT + dt.timedelta(hours=4), notifier=notifier())
            == 0
        )
        outcomes = [
            (await member_meeting(session, member_id=m, meeting_id=meeting.id or 0))[1].attendance  # type: ignore[index]
            for m in (m1, m2, m3)
        ]
    assert outcomes == ["attended", "excused", "absent"]
    [summary] = await outbox(roster, "meeting-summary")
    assert "Attended: 1; excused: 1; absent: 1" in message_of(summary).text
    assert "王志强" in message_of(summary).text


async def test_bad_meetings_are_refused(roster: Database) -> None:
    for extra, code in (
        ({"kind": "party"}, "kind_unknown"),
        ({"title": ""}, "title_length"),
        ({"starts_at": NOW - dt.timedelta(hours=1)}, "starts_in_past"),
        ({"ends_at": START_AT - dt.timedelta(minutes=1)}, "ends_before_start"),
    ):
        values = {
            "kind": "bimonthly",
            "title": "A meeting",
            "starts_at": START_AT,
            "ends_at": START_AT + dt.timedelta(hours=1),
            "venue": "Hall",
            "audience": ["all"],
        }
        values.update(extra)
        async with roster.session() as session:
            with pytest.raises(DomainError, match=code):
                await create_meeting(
                    session,
                    data=MeetingInput(**values),
                    staff_id=None,
                    now=NOW,
                    notifier=notifier(),  # type: ignore[arg-type]
                )


async def test_ics_file(roster: Database) -> None:
    meeting = await make_meeting(roster, ["all"])
    text = ics(meeting)
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert f"DTSTART:{START_AT:%Y%m%dT%H%M%SZ}" in text
    assert "LOCATION:Committee hall\\, 3rd floor" in text


async def test_leave_is_not_decided_once_the_meeting_is_over(roster: Database) -> None:
    meeting = await make_meeting(roster, ["all"])
    [m2] = await ids(roster, "M002")
    async with roster.session() as session:
        await respond(
            session,
            meeting_id=meeting.id or 0,
            member_id=m2,
            attend=False,
            reason="Teaching at the university",
            now=NOW,
            notifier=notifier(),
        )
        with pytest.raises(DomainError, match="meeting_over"):
            await decide_leave(
                session,
                meeting_id=meeting.id or 0,
                member_id=m2,
                staff_id=1,
                approve=True,
                now=meeting.ends_at,
                notifier=notifier(),
            )
    assert await outbox(roster, "meeting-leave-decision") == []
