"""Forming an outcome: where it came from, its numbered suggestions, who took part, whose cases.

An administrator forms an outcome from a consultation meeting (its members who attended take
part), from a research report (a title, the date, the members picked) or from an accepted
social-conditions report (its member takes part, and the cases it was written from are
linked at once). Residents' cases may be linked by number as well. Each suggestion starts at
``formed``; the outcome is numbered in the ``C`` series of its year.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.accounts.scope import StaffScope
from services.audit import Actor, audit
from services.cases.numbers import find_by_number
from services.clock import local_date
from services.errors import DomainError
from services.outcomes.access import require_admin
from services.pipeline.config import PipelineRules
from services.pipeline.numbers import next_number
from services.pipeline.timeline import add_line
from storage.db import write_transaction
from storage.enums import Attendance, ReportState, Stage
from storage.models import (
    ConditionsReport,
    ConditionsReportIssue,
    Issue,
    Meeting,
    MeetingInvitee,
    Member,
    Outcome,
    OutcomeIssue,
    OutcomeMember,
    Suggestion,
)

Source = Literal["meeting", "research", "report"]
TITLE_MAX = 200
TOPIC_MAX = 120
SUGGESTION_MAX = 2000
SUGGESTIONS_MAX = 30
# "1. ...", "1、...", "(1) ...", "（1）...", "一、..." at the start of a line.


@dataclass(frozen=True)
class OutcomeDraft:
    """What an administrator gives for a new outcome."""

    source: Source
    title: str
    suggestions: tuple[str, ...]
    meeting_id: int | None = None
    report_id: int | None = None
    research_on: dt.date | None = None
    member_ids: tuple[int, ...] = ()
    case_numbers: tuple[str, ...] = ()
    topic: str | None = None
    key: bool = False


def check_suggestion(text: str) -> str:
    """A suggestion's text, trimmed; refused empty or over-long."""
    text = text.strip()
    if not text or len(text) > SUGGESTION_MAX:
        raise DomainError("outcome_suggestion_length", maximum=SUGGESTION_MAX)
    return text


def check_title(text: str) -> str:
    """An outcome's title, trimmed; refused empty or over-long."""
    text = text.strip()
    if not 2 <= len(text) <= TITLE_MAX:
        raise DomainError("outcome_title_length", maximum=TITLE_MAX)
    return text


def check_topic(text: str | None) -> str | None:
    """A long-running topic's name, trimmed, or None; refused over-long."""
    text = (text or "").strip()
    if len(text) > TOPIC_MAX:
        raise DomainError("outcome_topic_length", maximum=TOPIC_MAX)
    return text or None


async def consultation_meetings(
    session: AsyncSession,
    *,
    scope: StaffScope,
    rules: PipelineRules,
    now: dt.datetime,
    limit: int = 20,
) -> list[Meeting]:
    """Consultation meetings held and not cancelled, newest first: what an outcome may come from."""
    require_admin(scope)
    rows = await session.execute(
        select(Meeting)
        .where(
            col(Meeting.kind).in_(rules.consultation_kinds),
            col(Meeting.cancelled_at).is_(None),
            col(Meeting.starts_at) <= now,
        )
        .order_by(col(Meeting.starts_at).desc(), col(Meeting.id).desc())
        .limit(limit)
    )
    return list(rows.scalars())


async def accepted_reports(
    session: AsyncSession, *, scope: StaffScope, limit: int = 20
) -> list[ConditionsReport]:
    """Accepted social-conditions reports, newest first."""
    require_admin(scope)
    rows = await session.execute(
        select(ConditionsReport)
        .where(col(ConditionsReport.state) == ReportState.ACCEPTED)
        .order_by(col(ConditionsReport.decided_at).desc(), col(ConditionsReport.id).desc())
        .limit(limit)
    )
    return list(rows.scalars())


async def find_case(session: AsyncSession, text: str) -> Issue:
    """A resident's case by its number as typed; refused when there is none."""
    issue = await find_by_number(session, text)
    if issue is None or issue.id is None:
        raise DomainError("outcome_case_unknown", number=text.strip()[:20])
    return issue


async def _attended(session: AsyncSession, meeting_id: int) -> list[int]:
    rows = await session.execute(
        select(col(MeetingInvitee.member_id)).where(
            col(MeetingInvitee.meeting_id) == meeting_id,
            or_(
                col(MeetingInvitee.checked_in_at).is_not(None),
                col(MeetingInvitee.attendance) == Attendance.ATTENDED,
            ),
        )
    )
    return list(rows.scalars())


async def _known_members(session: AsyncSession, member_ids: Sequence[int]) -> list[int]:
    if not member_ids:
        return []
    known = await session.execute(
        select(col(Member.id)).where(col(Member.id).in_(list(member_ids)))
    )
    return [member_id for member_id in known.scalars() if member_id is not None]


async def _origin(
    session: AsyncSession, draft: OutcomeDraft, rules: PipelineRules, now: dt.datetime
) -> tuple[str, list[int], list[int], str | None]:
    """The consultation kind, the members who took part, the cases it brings, a line's body."""
    if draft.source == "meeting":
        meeting = await session.get(Meeting, draft.meeting_id or 0)
        if (
            meeting is None
            or meeting.id is None
            or meeting.cancelled_at is not None
            or meeting.kind not in rules.consultation_kinds
        ):
            raise DomainError("outcome_meeting_unknown")
        # Those who spoke or wrote remarks take part as well as those who came.
        extra = await _known_members(session, draft.member_ids)
        return meeting.kind, await _attended(session, meeting.id) + extra, [], None
    if draft.source == "report":
        report = await session.get(ConditionsReport, draft.report_id or 0)
        if report is None or report.id is None or report.state != ReportState.ACCEPTED:
            raise DomainError("outcome_report_unknown")
        issues = await session.execute(
            select(col(ConditionsReportIssue.issue_id)).where(
                col(ConditionsReportIssue.report_id) == report.id
            )
        )
        return "report", [report.member_id], list(issues.scalars()), None
    if draft.source == "research":
        if draft.research_on is None or draft.research_on > now.date() + dt.timedelta(days=1):
            raise DomainError("outcome_research_date")
        member_ids = await _known_members(session, draft.member_ids)
        return "research", member_ids, [], draft.research_on.isoformat()
    raise DomainError("outcome_source_unknown")


async def form_outcome(
    session: AsyncSession,
    *,
    draft: OutcomeDraft,
    scope: StaffScope,
    actor: Actor,
    rules: PipelineRules,
    now: dt.datetime,
    tz: dt.tzinfo,
    also: Callable[[AsyncSession, Outcome], Awaitable[None]] | None = None,
) -> Outcome:
    """Create the outcome, its suggestions at ``formed``, its members and linked cases.

    One write transaction; audited; the timeline says where it came from. ``also`` writes
    what the caller links to the new outcome inside the same transaction.
    """
    require_admin(scope)
    title = check_title(draft.title)
    topic = check_topic(draft.topic)
    texts = [check_suggestion(text) for text in draft.suggestions]
    if not texts or len(texts) > SUGGESTIONS_MAX:
        raise DomainError("outcome_suggestions_count", maximum=SUGGESTIONS_MAX)
    async with write_transaction(session):
        consultation, member_ids, issue_ids, origin = await _origin(session, draft, rules, now)
        for number in draft.case_numbers:
            issue = await find_case(session, number)
            assert issue.id is not None
            issue_ids.append(issue.id)
        year = local_date(now, tz).year
        outcome = Outcome(
            year=year,
            number=await next_number(session, year=year, series="C"),
            title=title,
            source=draft.source,
            consultation=consultation,
            meeting_id=draft.meeting_id if draft.source == "meeting" else None,
            report_id=draft.report_id if draft.source == "report" else None,
            topic=topic,
            key=draft.key,
            created_by_staff_id=scope.staff_id or None,
            created_at=now,
            updated_at=now,
        )
        session.add(outcome)
        await session.flush()
        assert outcome.id is not None
        for position, text in enumerate(texts, start=1):
            session.add(
                Suggestion(outcome_id=outcome.id, position=position, text=text, stage_at=now)
            )
        for member_id in dict.fromkeys(member_ids):
            session.add(OutcomeMember(outcome_id=outcome.id, member_id=member_id))
        for issue_id in dict.fromkeys(issue_ids):
            session.add(OutcomeIssue(outcome_id=outcome.id, issue_id=issue_id))
        if also is not None:
            await also(session, outcome)
        # The research date has no column of its own: the "formed" line keeps it.
        add_line(
            session,
            kind="formed",
            actor=actor,
            now=now,
            outcome_id=outcome.id,
            to_stage=Stage.FORMED,
            body=origin,
        )
        audit(
            session,
            actor=actor,
            action="outcome.form",
            object_kind="outcome",
            object_id=outcome.number,
            after={
                "title": title,
                "source": draft.source,
                "consultation": consultation,
                "suggestions": len(texts),
                "members": len(set(member_ids)),
                "cases": len(set(issue_ids)),
                "topic": topic,
                "key": draft.key,
            },
            now=now,
        )
    return outcome


async def topic_outcomes(
    session: AsyncSession, *, topic: str, scope: StaffScope
) -> Sequence[Outcome]:
    """A long-running topic's outcomes of every year, oldest first."""
    require_admin(scope)
    rows = await session.execute(
        select(Outcome)
        .where(col(Outcome.topic) == topic)
        .order_by(col(Outcome.year), col(Outcome.number))
    )
    return rows.scalars().all()
