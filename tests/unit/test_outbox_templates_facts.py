"""Notices to residents carry their plain facts, for a template message standing in for them."""

from __future__ import annotations

import datetime as dt

from services.cases import answers as case_answers
from services.cases import casework
from services.reminders.cases import issue_reminders
from services.reminders.planning import queue_dues
from services.reminders.settings import ReminderSettings
from storage.db import Database
from storage.models import OutboxMessage
from tests.support.cases import NOW, resident_case, staff_desk
from tests.support.notices import message_of, notifier, outbox

LATER = NOW + dt.timedelta(hours=3)
DESCRIPTION = "The street light at gate 3 has been dark for a week."


def facts_of(row: OutboxMessage) -> dict[str, str]:
    return message_of(row).facts


def assert_case_facts(facts: dict[str, str], *, number: str, status: str, at: dt.datetime) -> None:
    assert facts["case"] == number
    # The category and the first words, within WeChat's 20 characters.
    assert len(facts["title"]) <= 20 and facts["title"].endswith("…")
    assert facts["status"] == status
    assert facts["time"] == at.astimezone(dt.timezone(dt.timedelta(hours=8))).strftime(
        "%Y-%m-%d %H:%M"
    )
    assert facts["station"]
    assert facts["text"] and "<blockquote>" not in facts["text"]


async def test_status_reply_and_resolution_notices_carry_the_case_facts(db: Database) -> None:
    issue = await resident_case(db, description=DESCRIPTION)
    assert issue.id is not None
    desk = await staff_desk(db)
    kwargs = {"scope": desk.scope, "actor": desk.actor, "notifier": notifier()}
    async with db.session() as session:
        await casework.accept(session, issue_id=issue.id, now=NOW, **kwargs)
        await case_answers.staff_reply(
            session, issue_id=issue.id, text="We <b>fixed</b> it.", now=LATER, **kwargs
        )
        await case_answers.resolve(session, issue_id=issue.id, now=LATER, **kwargs)
    [status] = await outbox(db, "case-status")
    assert_case_facts(facts_of(status), number=issue.number, status="Accepted", at=NOW)
    [reply] = await outbox(db, "case-reply")
    assert_case_facts(facts_of(reply), number=issue.number, status="Answered", at=LATER)
    assert "We <b>fixed</b> it." in facts_of(reply)["text"]
    [resolved] = await outbox(db, "case-resolved")
    assert_case_facts(facts_of(resolved), number=issue.number, status="Resolved", at=LATER)


async def test_rejection_and_merge_notices_carry_the_case_facts(db: Database) -> None:
    rejected = await resident_case(db, 601, description=DESCRIPTION)
    merged = await resident_case(db, 602, description=DESCRIPTION)
    original = await resident_case(db, 603, description=DESCRIPTION)
    assert rejected.id is not None and merged.id is not None
    desk = await staff_desk(db)
    kwargs = {"scope": desk.scope, "actor": desk.actor, "notifier": notifier()}
    async with db.session() as session:
        await casework.reject(session, issue_id=rejected.id, reason="Not ours.", now=NOW, **kwargs)
        await casework.mark_duplicate(
            session,
            issue_id=merged.id,
            original_number=original.number,
            now=NOW,
            **kwargs,
        )
    [refusal] = await outbox(db, "case-rejected")
    assert_case_facts(facts_of(refusal), number=rejected.number, status="Not accepted", at=NOW)
    [duplicate] = await outbox(db, "case-duplicate")
    facts = facts_of(duplicate)
    assert facts["case"] == merged.number
    assert facts["station"] and facts["time"] and facts["text"]


async def test_the_request_to_rate_carries_the_case_facts(db: Database) -> None:
    issue = await resident_case(db, description=DESCRIPTION)
    assert issue.id is not None
    desk = await staff_desk(db)
    kwargs = {"scope": desk.scope, "actor": desk.actor, "notifier": notifier()}
    async with db.session() as session:
        await casework.accept(session, issue_id=issue.id, now=NOW, **kwargs)
        await case_answers.staff_reply(session, issue_id=issue.id, text="Fixed.", now=NOW, **kwargs)
    later = NOW + dt.timedelta(days=3)
    async with db.session() as session:
        dues = await issue_reminders(session, now=later, settings=ReminderSettings())
        assert await queue_dues(session, dues, notifier=notifier(), now=later) >= 1
    [rate] = await outbox(db, "issue-rate")
    assert_case_facts(facts_of(rate), number=issue.number, status="Answered", at=later)


async def test_notices_to_staff_carry_no_facts(db: Database) -> None:
    issue = await resident_case(db, description=DESCRIPTION)
    assert issue.id is not None
    desk = await staff_desk(db, chat_id=9001)
    kwargs = {"scope": desk.scope, "actor": desk.actor, "notifier": notifier()}
    async with db.session() as session:
        await casework.accept(session, issue_id=issue.id, now=NOW, **kwargs)
    later = NOW + dt.timedelta(days=3)
    async with db.session() as session:
        dues = await issue_reminders(session, now=later, settings=ReminderSettings())
        await queue_dues(session, dues, notifier=notifier(), now=later)
    for row in await outbox(db):
        if row.kind not in {"case-status"}:
            assert facts_of(row) == {}, row.kind
