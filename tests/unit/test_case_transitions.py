"""The table of case transitions, walked: each row refuses and succeeds as it always did."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.cases import answers, assignee, casework, decisions
from services.cases.common import Assignee
from services.cases.transitions import TRANSITIONS, Transition
from services.errors import DomainError
from storage.db import Database
from storage.enums import IssueStatus
from storage.models import AuditEntry, Issue, IssueEvent
from tests.support.cases import NOW, Desk, member_assignee, resident_case, staff_desk
from tests.support.notices import notifier

S = IssueStatus
OPEN = {S.NEW, S.ACCEPTED, S.ASSIGNED, S.REOPENED}
# The statuses each action accepted before the actions shared one table.
ALLOWED = {
    "accept": {S.NEW, S.REOPENED},
    "assign": OPEN,
    "answer": OPEN | {S.ANSWERED},
    "reject": OPEN,
    "duplicate": OPEN,
    "resolve": OPEN | {S.ANSWERED},
    "assignee_answer": {S.ASSIGNED, S.REOPENED, S.ANSWERED},
    "hand_back": {S.ASSIGNED, S.REOPENED},
    "rate": {S.ANSWERED, S.RESOLVED},
    "reopen": {S.ANSWERED, S.RESOLVED},
}
REFUSAL = {"rate": "not_ratable", "reopen": "not_ratable"}


@dataclass
class World:
    desk: Desk
    member: Assignee
    original: Issue


async def act(name: str, session: AsyncSession, issue: Issue, world: World) -> None:
    """Apply the table's row ``name`` through the public action that uses it."""
    issue_id, desk, member = issue.id or 0, world.desk, world.member
    staff = {"scope": desk.scope, "actor": desk.actor, "now": NOW, "notifier": notifier()}
    held = {"assignee": member, "now": NOW, "notifier": notifier()}
    match name:
        case "accept":
            await casework.accept(session, issue_id=issue_id, **staff)
        case "assign":
            await casework.assign(session, issue_id=issue_id, to=member, due_at=None, **staff)
        case "answer":
            await answers.staff_reply(session, issue_id=issue_id, text="Fixed.", **staff)
        case "reject":
            await casework.reject(session, issue_id=issue_id, reason="Not ours.", **staff)
        case "duplicate":
            number = world.original.number
            await casework.mark_duplicate(
                session, issue_id=issue_id, original_number=number, **staff
            )
        case "resolve":
            await answers.resolve(session, issue_id=issue_id, **staff)
        case "assignee_answer":
            await assignee.assignee_reply(session, issue_id=issue_id, text="Done.", **held)
        case "hand_back":
            await assignee.hand_back(session, issue_id=issue_id, reason="Not mine.", **held)
        case "rate" | "reopen":
            happy = name == "rate"
            await decisions.rate_case(
                session,
                resident_id=issue.resident_id or 0,
                issue_id=issue_id,
                rating=5 if happy else 1,
                solved=happy,
                now=NOW,
                notifier=notifier(),
            )
        case _:
            raise AssertionError(f"no action applies the row {name!r}")


async def _put(db: Database, issue_id: int, status: str, world: World) -> Issue:
    """The case in ``status``, answered, unrated, held by the member: every other check passes."""
    async with db.writing() as session:
        issue = await session.get(Issue, issue_id)
        assert issue is not None
        issue.status = status
        issue.assignee_member_id = world.member.id
        issue.answered_at = issue.last_reply_at = NOW
        issue.rated_at = issue.rating = issue.solved = None
        issue.duplicate_of_id = None
    return issue


async def _counts(db: Database, issue: Issue, kind: str) -> tuple[int, int, int]:
    """Timeline lines, those of ``kind``, and audit entries of the case."""
    async with db.session() as session:
        lines, own = (
            await session.execute(
                select(func.count(), func.count().filter(IssueEvent.kind == kind)).where(
                    IssueEvent.issue_id == issue.id
                )
            )
        ).one()
        audited = (
            await session.execute(select(func.count()).where(AuditEntry.object_id == issue.number))
        ).scalar_one()
    return int(lines), int(own), int(audited)


def test_every_row_has_an_action_and_keeps_its_statuses() -> None:
    assert {t.name for t in TRANSITIONS} == set(ALLOWED)
    for transition in TRANSITIONS:
        assert transition.from_statuses == ALLOWED[transition.name], transition.name
        assert transition.refusal == REFUSAL.get(transition.name, "wrong_status")


async def test_each_transition_refuses_other_statuses_and_writes_once(db: Database) -> None:
    world = World(
        desk=await staff_desk(db),
        member=await member_assignee(db),
        original=await resident_case(db, 700),
    )
    for number, transition in enumerate(TRANSITIONS):
        case = await resident_case(db, 800 + number)
        for status in IssueStatus:
            await _walk(db, transition, case.id or 0, status, world)


async def _walk(
    db: Database, transition: Transition, issue_id: int, status: IssueStatus, world: World
) -> None:
    """Apply ``transition`` to the case in ``status``: refused, or one line and one entry."""
    where = f"{transition.name} from {status}"
    issue = await _put(db, issue_id, status, world)
    before = await _counts(db, issue, transition.event_kind)
    async with db.session() as session:
        if status not in ALLOWED[transition.name]:
            with pytest.raises(DomainError) as refused:
                await act(transition.name, session, issue, world)
            assert refused.value.code == REFUSAL.get(transition.name, "wrong_status"), where
            assert await _counts(db, issue, transition.event_kind) == before, where
            return
        await act(transition.name, session, issue, world)
    lines, own, audited = await _counts(db, issue, transition.event_kind)
    # Assigning and rating write the status change as a line of its own, when it changes.
    separate_status_line = transition.status_line != "event" and status != transition.to_status
    assert own - before[1] == 1, where
    assert lines - before[0] == 1 + separate_status_line, where
    assert audited - before[2] == (transition.audit_action is not None), where
    async with db.session() as session:
        stored = await session.get(Issue, issue_id)
    assert stored is not None and stored.status == transition.to_status, where
