"""Staff casework on SQLite and PostgreSQL: each action, its scope, its timeline and audit."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from services.audit import list_entries
from services.cases import answers as case_answers
from services.cases import casework
from services.cases.due import DueLine, DueReason, read_due
from services.errors import DomainError
from storage.db import Database
from storage.enums import IssueStatus
from storage.models import IssueEvent
from tests.support.cases import (
    NOW,
    department_assignee,
    member_assignee,
    reload,
    resident_case,
    staff_desk,
)
from tests.support.notices import message_of, notifier, outbox

LATER = NOW + dt.timedelta(hours=3)


async def events(db: Database, issue_id: int) -> list[IssueEvent]:
    async with db.session() as session:
        rows = await session.execute(
            select(IssueEvent).where(IssueEvent.issue_id == issue_id).order_by(IssueEvent.id)
        )
        return list(rows.scalars())


async def test_accept_assign_reply_resolve(db: Database) -> None:
    issue = await resident_case(db)
    assert issue.id is not None
    desk = await staff_desk(db)
    member = await member_assignee(db)
    kwargs = {"scope": desk.scope, "actor": desk.actor, "notifier": notifier()}
    async with db.session() as session:
        await casework.accept(session, issue_id=issue.id, now=NOW, **kwargs)
        await casework.assign(
            session, issue_id=issue.id, to=member, due_at=None, now=LATER, **kwargs
        )
    assigned = await reload(db, issue.id)
    assert assigned.status == IssueStatus.ASSIGNED
    assert assigned.assignee_member_id == member.id
    assert assigned.due_at == LATER + dt.timedelta(days=10)  # parking: 10 days
    async with db.session() as session:
        with pytest.raises(DomainError) as refused:
            await case_answers.resolve(session, issue_id=issue.id, now=LATER, **kwargs)
        assert refused.value.code == "no_answer_yet"
        await case_answers.staff_reply(
            session, issue_id=issue.id, text="  The light is fixed.  ", now=LATER, **kwargs
        )
        await case_answers.resolve(session, issue_id=issue.id, now=LATER, **kwargs)
    done = await reload(db, issue.id)
    assert (done.status, done.answered_at, done.resolved_at) == ("resolved", LATER, LATER)
    lines = await events(db, issue.id)
    assert [(e.kind, e.to_status, e.public) for e in lines] == [
        ("submitted", "new", True),
        ("status", "accepted", True),
        ("status", "assigned", True),
        ("assigned", None, False),
        ("due", None, True),
        ("reply", "answered", True),
        ("status", "resolved", True),
    ]
    due_line = read_due(lines[4].body)
    assert due_line == DueLine(LATER + dt.timedelta(days=10), DueReason.ASSIGNED)
    assert lines[5].body == "The light is fixed." and lines[5].actor_name == "王芳"
    kinds = [row.kind for row in await outbox(db)]
    assert kinds == ["case-status", "case-status", "case-reply", "case-resolved"]
    reply = message_of((await outbox(db, "case-reply"))[0])
    assert "The light is fixed." in reply.text and reply.buttons
    async with db.session() as session:
        audit = await list_entries(session, object_id=issue.number)
    assert [entry.action for entry in audit] == [
        "issue.resolve",
        "issue.reply",
        "issue.assign",
        "issue.accept",
    ]
    assign = audit[2]
    assert json.loads(assign.before or "{}")["status"] == "accepted"
    assert json.loads(assign.after or "{}")["assignee_member_id"] == member.id
    assert assign.actor_id == desk.staff.id


async def test_a_department_is_told_through_its_handlers(db: Database) -> None:
    issue = await resident_case(db)
    assert issue.id is not None
    desk = await staff_desk(db)
    department = await department_assignee(db)
    async with db.session() as session:
        await casework.assign(
            session,
            issue_id=issue.id,
            to=department,
            due_at=NOW + dt.timedelta(days=3),
            scope=desk.scope,
            actor=desk.actor,
            now=NOW,
            notifier=notifier(),
        )
    stored = await reload(db, issue.id)
    assert stored.assignee_department_id == department.id and stored.assignee_member_id is None
    assert stored.due_at == NOW + dt.timedelta(days=3)
    assert await outbox(db, "case-assigned") == []  # no handler linked yet


@pytest.mark.parametrize("due", [NOW - dt.timedelta(hours=1), NOW + dt.timedelta(days=400)])
async def test_due_dates_out_of_range_are_refused(db: Database, due: dt.datetime) -> None:
    issue = await resident_case(db)
    desk = await staff_desk(db)
    member = await member_assignee(db)
    async with db.session() as session:
        with pytest.raises(DomainError):
            await casework.assign(
                session,
                issue_id=issue.id or 0,
                to=member,
                due_at=due,
                scope=desk.scope,
                actor=desk.actor,
                now=NOW,
                notifier=notifier(),
            )
    assert (await reload(db, issue.id or 0)).status == IssueStatus.NEW


async def test_station_staff_reach_only_their_stations(db: Database) -> None:
    mine = await resident_case(db, 501, station="jf-beian")
    theirs = await resident_case(db, 502, station=await other_station(db))
    desk = await staff_desk(db, stations=("jf-beian",), name="李站")
    kwargs = {"scope": desk.scope, "actor": desk.actor, "notifier": notifier(), "now": NOW}
    async with db.session() as session:
        await casework.accept(session, issue_id=mine.id or 0, **kwargs)
        for action in (casework.accept, case_answers.resolve):
            with pytest.raises(DomainError) as refused:
                await action(session, issue_id=theirs.id or 0, **kwargs)
            assert refused.value.code == "issue_unknown"
        with pytest.raises(DomainError):
            await casework.reject(session, issue_id=theirs.id or 0, reason="no", **kwargs)
        with pytest.raises(DomainError) as merged:
            await casework.mark_duplicate(
                session, issue_id=mine.id or 0, original_number=theirs.number, **kwargs
            )
        assert merged.value.code == "original_unknown"
    assert (await reload(db, theirs.id or 0)).status == IssueStatus.NEW


async def other_station(db: Database) -> str:
    from services.reference.catalog import list_stations

    async with db.session() as session:
        return next(s.code for s in await list_stations(session) if s.code != "jf-beian")


async def test_reject_gives_the_resident_the_reason(db: Database) -> None:
    issue = await resident_case(db)
    desk = await staff_desk(db)
    async with db.session() as session:
        with pytest.raises(DomainError) as empty:
            await casework.reject(
                session,
                issue_id=issue.id or 0,
                reason="   ",
                scope=desk.scope,
                actor=desk.actor,
                now=NOW,
                notifier=notifier(),
            )
        assert empty.value.code == "text_empty"
        await casework.reject(
            session,
            issue_id=issue.id or 0,
            reason="This is a private dispute <b>between</b> neighbours.",
            scope=desk.scope,
            actor=desk.actor,
            now=NOW,
            notifier=notifier(),
        )
    stored = await reload(db, issue.id or 0)
    assert (stored.status, stored.answered_at) == ("rejected", NOW)
    [notice] = await outbox(db, "case-rejected")
    assert "&lt;b&gt;between&lt;/b&gt;" in message_of(notice).text


async def test_duplicates_follow_the_original_and_hear_its_answers(db: Database) -> None:
    original = await resident_case(db, 601)
    first = await resident_case(db, 602)
    second = await resident_case(db, 603)
    desk = await staff_desk(db)
    kwargs = {"scope": desk.scope, "actor": desk.actor, "notifier": notifier(), "now": NOW}
    async with db.session() as session:
        await casework.mark_duplicate(
            session, issue_id=second.id or 0, original_number=first.number, **kwargs
        )
        # Merging the one others follow moves them along; numbers may be typed loosely.
        loose = original.number.replace("-0000", " ")
        await casework.mark_duplicate(
            session, issue_id=first.id or 0, original_number=loose, **kwargs
        )
        with pytest.raises(DomainError) as itself:
            await casework.mark_duplicate(
                session, issue_id=original.id or 0, original_number=original.number, **kwargs
            )
        assert itself.value.code == "original_is_itself"
        await case_answers.staff_reply(session, issue_id=original.id or 0, text="Fixed.", **kwargs)
    assert (await reload(db, second.id or 0)).duplicate_of_id == original.id
    assert (await reload(db, first.id or 0)).status == IssueStatus.DUPLICATE
    replies = await outbox(db, "case-reply")
    assert sorted(row.chat_id for row in replies) == [601, 602, 603]
    follower = next(row for row in replies if row.chat_id == 603)
    assert f"which your case {second.number} follows" in message_of(follower).text


async def test_notes_are_internal_and_closed_cases_refuse_changes(db: Database) -> None:
    issue = await resident_case(db)
    desk = await staff_desk(db)
    kwargs = {"scope": desk.scope, "actor": desk.actor, "now": NOW}
    async with db.session() as session:
        await case_answers.add_note(
            session, issue_id=issue.id or 0, text="Called the estate.", **kwargs
        )
        await casework.reject(
            session, issue_id=issue.id or 0, reason="Not ours.", notifier=notifier(), **kwargs
        )
        for action in (casework.accept, case_answers.resolve):
            with pytest.raises(DomainError) as refused:
                await action(session, issue_id=issue.id or 0, notifier=notifier(), **kwargs)
            assert refused.value.code == "wrong_status"
        with pytest.raises(DomainError):
            await case_answers.staff_reply(
                session, issue_id=issue.id or 0, text="x", notifier=notifier(), **kwargs
            )
    [note] = [e for e in await events(db, issue.id or 0) if e.kind == "note"]
    assert note.public is False and note.body == "Called the estate."
    assert len(await outbox(db)) == 1  # the rejection only


async def test_replies_too_long_are_refused_whole(db: Database) -> None:
    issue = await resident_case(db)
    desk = await staff_desk(db)
    async with db.session() as session:
        with pytest.raises(DomainError) as refused:
            await case_answers.staff_reply(
                session,
                issue_id=issue.id or 0,
                text="长" * 2001,
                scope=desk.scope,
                actor=desk.actor,
                now=NOW,
                notifier=notifier(),
            )
    assert refused.value.code == "text_too_long" and refused.value.params["length"] == 2001
    assert (await reload(db, issue.id or 0)).status == IssueStatus.NEW
