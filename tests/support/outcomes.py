"""Outcomes for tests: a consultation meeting with attendance, an accepted report, a world."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from services.accounts import identities
from services.accounts.departments import bind_department, department_by_code
from services.audit import Actor
from services.members.rules import RuleBook
from services.outcomes.forming import OutcomeDraft, form_outcome
from services.outcomes.stages import MoveInput, move_suggestion
from storage.db import Database, write_transaction
from storage.models import (
    ConditionsReport,
    ConditionsReportIssue,
    Department,
    Handling,
    Meeting,
    MeetingInvitee,
    Member,
    Outcome,
    Suggestion,
)
from tests.support.cases import NOW, Desk
from tests.support.notices import TZ, notifier

RULEBOOK = RuleBook()
NO_INPUT = MoveInput()
DEPARTMENT_CHAT = 700


async def member_ids(db: Database, *codes: str) -> list[int]:
    async with db.session() as session:
        rows = await session.execute(select(Member).where(Member.code.in_(codes)))  # type: ignore[attr-defined]
        found = {m.code: m.id for m in rows.scalars()}
    return [found[code] or 0 for code in codes]


async def consultation_meeting(
    db: Database,
    *,
    kind: str = "bimonthly",
    attended: tuple[str, ...] = ("M001", "M002"),
    absent: tuple[str, ...] = ("M003",),
    cancelled: bool = False,
) -> int:
    """A meeting held a week ago: ``attended`` checked in, ``absent`` did not."""
    start = NOW - dt.timedelta(days=7)
    async with db.session() as session, write_transaction(session):
        meeting = Meeting(
            kind=kind,
            title="双月协商座谈会：老旧小区改造",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=2),
            venue="政协会议室",
            checkin_code="123456",
            checkin_token=f"oc-{kind[:10]}-{int(cancelled)}",
            created_at=start - dt.timedelta(days=10),
            cancelled_at=start if cancelled else None,
        )
        session.add(meeting)
        await session.flush()
        assert meeting.id is not None
        ids = await _ids(session, attended + absent)
        for code in attended:
            session.add(
                MeetingInvitee(meeting_id=meeting.id, member_id=ids[code], checked_in_at=start)
            )
        for code in absent:
            session.add(MeetingInvitee(meeting_id=meeting.id, member_id=ids[code]))
        return meeting.id


async def _ids(session, codes):  # type: ignore[no-untyped-def]
    rows = await session.execute(select(Member).where(Member.code.in_(codes)))
    return {m.code: m.id for m in rows.scalars()}


async def accepted_report(
    db: Database, *, author: str = "M002", issue_ids: tuple[int, ...] = ()
) -> int:
    """An accepted social-conditions report written from ``issue_ids``."""
    async with db.session() as session, write_transaction(session):
        ids = await _ids(session, (author,))
        report = ConditionsReport(
            member_id=ids[author],
            title="关于小区电梯维修的报告",
            body="多位居民反映电梯停运。",
            state="accepted",
            submitted_at=NOW - dt.timedelta(days=5),
            decided_at=NOW - dt.timedelta(days=3),
        )
        session.add(report)
        await session.flush()
        assert report.id is not None
        for issue_id in issue_ids:
            session.add(ConditionsReportIssue(report_id=report.id, issue_id=issue_id))
        return report.id


async def department(
    db: Database, code: str = "housing", *, chat_id: int | None = DEPARTMENT_CHAT
) -> int:
    """A department's id, its handler's chat bound if ``chat_id`` is given."""
    async with db.session() as session:
        found = await department_by_code(session, code)
        assert found is not None and found.id is not None
        if chat_id is not None:
            identity = await identities.touch_identity(
                session, channel="telegram", chat_id=chat_id, chat_type="private", now=NOW
            )
            async with write_transaction(session):
                await bind_department(session, department_id=found.id, identity=identity, now=NOW)
        return found.id


async def other_department(db: Database, not_id: int) -> int:
    async with db.session() as session:
        rows = await session.execute(select(Department).where(Department.id != not_id).limit(1))
        found = rows.scalars().first()
    assert found is not None and found.id is not None
    return found.id


async def new_outcome(
    db: Database,
    desk: Desk,
    *,
    meeting_id: int | None = None,
    suggestions: tuple[str, ...] = ("加快电梯加装", "设立维修基金"),
    case_numbers: tuple[str, ...] = (),
    topic: str | None = None,
    now: dt.datetime = NOW,
) -> Outcome:
    """An outcome formed from ``meeting_id`` (or a research report without it)."""
    draft = (
        OutcomeDraft(
            source="meeting",
            title="老旧小区改造",
            suggestions=suggestions,
            meeting_id=meeting_id,
            case_numbers=case_numbers,
            topic=topic,
        )
        if meeting_id is not None
        else OutcomeDraft(
            source="research",
            title="老旧小区改造调研",
            suggestions=suggestions,
            research_on=now.date() - dt.timedelta(days=2),
            case_numbers=case_numbers,
            topic=topic,
        )
    )
    async with db.session() as session:
        return await form_outcome(
            session,
            draft=draft,
            scope=desk.scope,
            actor=desk.actor,
            rules=RULEBOOK.for_year(now.year).pipeline,
            now=now,
            tz=TZ,
        )


async def suggestions_of(db: Database, outcome_id: int) -> list[Suggestion]:
    async with db.session() as session:
        rows = await session.execute(
            select(Suggestion)
            .where(Suggestion.outcome_id == outcome_id)
            .order_by(Suggestion.position)  # type: ignore[arg-type]
        )
        return list(rows.scalars())


async def move(
    db: Database,
    desk: Desk,
    suggestion_id: int,
    drawn_for: str,
    to_stage: str,
    inputs: MoveInput = NO_INPUT,
    now: dt.datetime = NOW,
) -> Suggestion:
    async with db.session() as session:
        return await move_suggestion(
            session,
            suggestion_id=suggestion_id,
            drawn_for=drawn_for,
            to_stage=to_stage,
            inputs=inputs,
            scope=desk.scope,
            actor=desk.actor,
            rulebook=RULEBOOK,
            now=now,
            tz=TZ,
            notifier=notifier(),
        )


REVIEW = MoveInput(
    review_by="市委书记",
    review_on=NOW.date() - dt.timedelta(days=1),
    review_text="请市住建局牵头落实。",
)


async def answer_all(
    db: Database, suggestion_id: int, *, adoption: str = "adopted", now: dt.datetime = NOW
) -> None:
    """Every department answers (as P3's answering does) and the suggestion is handled."""
    from services.pipeline.progress import mark_handled

    async with db.session() as session, write_transaction(session):
        rows = await session.execute(
            select(Handling).where(Handling.suggestion_id == suggestion_id)
        )  # type: ignore[arg-type]
        for handling in rows.scalars():
            handling.answer, handling.adoption, handling.answered_at = (
                "已列入明年计划并拨付资金。",
                adoption,
                now,
            )
            handling.answered_by = "张科长"
        suggestion = await session.get(Suggestion, suggestion_id)
        assert suggestion is not None
        mark_handled(session, suggestion, adoption=adoption, actor=Actor("department", 1), now=now)


async def to_handled(db: Database, desk: Desk, outcome: Outcome, dept_id: int) -> Suggestion:
    first = (await suggestions_of(db, outcome.id or 0))[0]
    sid = first.id or 0
    await move(db, desk, sid, "formed", "submitted")
    await move(db, desk, sid, "submitted", "reviewed", REVIEW)
    await move(db, desk, sid, "reviewed", "assigned", MoveInput(lead_department_id=dept_id))
    await answer_all(db, sid)
    return (await suggestions_of(db, outcome.id or 0))[0]
