"""One due date per case: every change on the timeline with its reason, nothing stale granted."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlmodel import col

from services.cases import assignee as case_assignee
from services.cases.decisions import decide_extension, rate_case
from services.cases.due import DueReason, read_due
from services.errors import DomainError
from storage.db import Database
from storage.enums import ExtensionDecision, IssueEventKind
from storage.models import IssueEvent, IssueExtension
from tests.support.cases import NOW, department_assignee, reload
from tests.support.notices import notifier, outbox
from tests.unit.test_case_assignee import assigned


async def due_lines(db: Database, issue_id: int) -> list[IssueEvent]:
    async with db.session() as session:
        rows = await session.execute(
            select(IssueEvent)
            .where(col(IssueEvent.issue_id) == issue_id, col(IssueEvent.kind) == IssueEventKind.DUE)
            .order_by(col(IssueEvent.id))
        )
        return list(rows.scalars())


async def test_header_and_timeline_agree_through_assign_extension_and_reopen(
    db: Database,
) -> None:
    department = await department_assignee(db)
    issue_id, desk = await assigned(db, department)
    later = NOW + dt.timedelta(days=2)
    async with db.session() as session:
        extension = await case_assignee.request_extension(
            session, issue_id=issue_id, days=7, reason="Budget.", assignee=department,
            now=NOW, notifier=notifier(),
        )  # fmt: skip
        await decide_extension(
            session, extension_id=extension.id or 0, grant=True, scope=desk.scope,
            actor=desk.actor, now=NOW, notifier=notifier(),
        )  # fmt: skip
        await case_assignee.assignee_reply(
            session, issue_id=issue_id, text="Repaired.", assignee=department, now=later,
            notifier=notifier(),
        )  # fmt: skip
        resident_id = (await reload(db, issue_id)).resident_id or 0
        await rate_case(
            session, resident_id=resident_id, issue_id=issue_id, rating=1, solved=False,
            now=later, notifier=notifier(),
        )  # fmt: skip
    issue = await reload(db, issue_id)
    lines = [read_due(line.body) for line in await due_lines(db, issue_id)]
    # Assigned the day it came in, with the category's days: the date did not move then.
    assert [line.reason for line in lines if line] == [DueReason.EXTENDED, DueReason.REOPENED]
    assert lines[0] is not None and lines[0].days == 7
    assert lines[-1] is not None and lines[-1].due_at == issue.due_at
    assert issue.due_at is not None and issue.due_at > later


async def test_a_request_waiting_when_the_case_is_answered_lapses(db: Database) -> None:
    department = await department_assignee(db)
    issue_id, desk = await assigned(db, department)
    due = (await reload(db, issue_id)).due_at
    later = NOW + dt.timedelta(days=1)
    async with db.session() as session:
        extension = await case_assignee.request_extension(
            session, issue_id=issue_id, days=7, reason="Budget.", assignee=department,
            now=NOW, notifier=notifier(),
        )  # fmt: skip
        extension_id = extension.id or 0
        await case_assignee.assignee_reply(
            session, issue_id=issue_id, text="Repaired after all.", assignee=department,
            now=later, notifier=notifier(),
        )  # fmt: skip
        with pytest.raises(DomainError) as lapsed:
            await decide_extension(
                session, extension_id=extension_id, grant=True, scope=desk.scope,
                actor=desk.actor, now=later, notifier=notifier(),
            )  # fmt: skip
    assert lapsed.value.code == "extension_lapsed"
    assert lapsed.value.params["issue_id"] == issue_id
    issue = await reload(db, issue_id)
    assert issue.due_at == due
    # The resident holds the answer: a date they no longer wait for is not theirs to hear.
    assert await outbox(db, "case-due-changed") == []
    async with db.session() as session:
        stored = await session.get(IssueExtension, extension_id)
        assert stored is not None and stored.decision == ExtensionDecision.LAPSED


async def test_after_a_reopen_the_assignee_may_ask_again(db: Database) -> None:
    department = await department_assignee(db)
    issue_id, desk = await assigned(db, department)
    async with db.session() as session:
        await case_assignee.request_extension(
            session, issue_id=issue_id, days=5, reason="Parts.", assignee=department,
            now=NOW, notifier=notifier(),
        )  # fmt: skip
        await case_assignee.assignee_reply(
            session, issue_id=issue_id, text="Done.", assignee=department, now=NOW,
            notifier=notifier(),
        )  # fmt: skip
        resident_id = (await reload(db, issue_id)).resident_id or 0
        await rate_case(
            session, resident_id=resident_id, issue_id=issue_id, rating=2, solved=False,
            now=NOW, notifier=notifier(),
        )  # fmt: skip
        second = await case_assignee.request_extension(
            session, issue_id=issue_id, days=3, reason="Parts again.", assignee=department,
            now=NOW, notifier=notifier(),
        )  # fmt: skip
        granted = await decide_extension(
            session, extension_id=second.id or 0, grant=True, scope=desk.scope,
            actor=desk.actor, now=NOW, notifier=notifier(),
        )  # fmt: skip
    assert granted.decision == ExtensionDecision.GRANTED
    [told] = await outbox(db, "case-due-changed")
    issue = await reload(db, issue_id)
    last = read_due((await due_lines(db, issue_id))[-1].body)
    assert last is not None and last.due_at == issue.due_at and told.chat_id
