"""Who is told of an outcome's moves: departments of an assignment, members and residents.

Every notice is an outbox row queued in the transaction of the move, its dedupe key naming the
timeline line, so a move undone and made again is told again. A resident whose case fed the
outcome is told once (``OutcomeIssue.told_at``), when the last of its suggestions is fed back:
what was decided on each suggestion and by which departments.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.cases.audience import resident_chats
from services.cases.facts import with_case_facts
from services.meetings.invitations import member_chats
from services.outbox.notices import Notifier
from services.outbox.queue import Recipient, add
from services.pipeline.audience import chats_of_department
from storage.enums import Stage
from storage.models import (
    Department,
    Handling,
    Issue,
    Outcome,
    OutcomeIssue,
    OutcomeMember,
    PipelineEvent,
    Suggestion,
)


@dataclass(frozen=True)
class Answer:
    """One department's answer to a suggestion."""

    department: Department
    handling: Handling


@dataclass(frozen=True)
class SuggestionEnd:
    """How a suggestion ended: the departments' answers and the feedback given."""

    suggestion: Suggestion
    answers: tuple[Answer, ...]
    feedback: str | None


async def answers_of(session: AsyncSession, suggestion_ids: list[int]) -> dict[int, list[Answer]]:
    """Each suggestion's handling rows with their departments, lead first, latest round first."""
    rows = await session.execute(
        select(Handling, Department)
        .join(Department, col(Department.id) == col(Handling.department_id))
        .where(col(Handling.suggestion_id).in_(suggestion_ids))
        .order_by(col(Handling.round).desc(), col(Handling.lead).desc(), col(Handling.id))
    )
    found: dict[int, list[Answer]] = {sid: [] for sid in suggestion_ids}
    for handling, department in rows.all():
        found[handling.suggestion_id].append(Answer(department, handling))
    return found


async def feedback_of(session: AsyncSession, suggestion_ids: list[int]) -> dict[int, str]:
    """The feedback text of each fed-back suggestion (the latest move to ``fed_back``)."""
    rows = await session.execute(
        select(col(PipelineEvent.suggestion_id), col(PipelineEvent.body))
        .where(
            col(PipelineEvent.suggestion_id).in_(suggestion_ids),
            col(PipelineEvent.kind) == "stage",
            col(PipelineEvent.to_stage) == Stage.FED_BACK,
        )
        .order_by(col(PipelineEvent.created_at), col(PipelineEvent.id))
    )
    return {sid: body or "" for sid, body in rows.all() if sid is not None}


async def how_it_ended(session: AsyncSession, outcome_id: int) -> list[SuggestionEnd]:
    """Every suggestion of the outcome with its answers and feedback, in order."""
    suggestions = list(
        (
            await session.execute(
                select(Suggestion)
                .where(col(Suggestion.outcome_id) == outcome_id)
                .order_by(col(Suggestion.position))
            )
        ).scalars()
    )
    ids = [s.id for s in suggestions if s.id is not None]
    answers, feedback = await answers_of(session, ids), await feedback_of(session, ids)
    return [
        SuggestionEnd(s, tuple(answers.get(s.id or 0, [])), feedback.get(s.id or 0))
        for s in suggestions
    ]


async def tell_departments(
    session: AsyncSession,
    *,
    outcome: Outcome,
    suggestion: Suggestion,
    line_id: int,
    notifier: Notifier,
    now: dt.datetime,
) -> int:
    """Tell each department's handlers of a suggestion assigned to it."""
    queued = 0
    for answer in (await answers_of(session, [suggestion.id or 0]))[suggestion.id or 0]:
        for identity in await chats_of_department(session, answer.department.id or 0):
            queued += await add(
                session,
                to=Recipient.of(identity),
                message=notifier.render(
                    "outcome-assigned",
                    identity,
                    outcome=outcome,
                    suggestion=suggestion,
                    handling=answer.handling,
                ),
                dedupe_key=f"outcome:{outcome.id}:assigned:{line_id}:chat:{identity.id}",
                now=now,
                kind="outcome-assigned",
            )
    return queued


async def tell_fed_back(
    session: AsyncSession,
    *,
    outcome: Outcome,
    suggestion: Suggestion,
    feedback: str,
    line_id: int,
    notifier: Notifier,
    now: dt.datetime,
) -> int:
    """Tell the members who took part; once every suggestion is fed back, the residents."""
    assert outcome.id is not None
    assert suggestion.id is not None
    answers = (await answers_of(session, [suggestion.id]))[suggestion.id]
    end = SuggestionEnd(suggestion, tuple(answers), feedback)
    member_ids = list(
        (
            await session.execute(
                select(col(OutcomeMember.member_id)).where(
                    col(OutcomeMember.outcome_id) == outcome.id
                )
            )
        ).scalars()
    )
    queued = 0
    for chats in (await member_chats(session, member_ids)).values():
        for identity in chats:
            queued += await add(
                session,
                to=Recipient.of(identity),
                message=notifier.render("outcome-fed-back", identity, outcome=outcome, end=end),
                dedupe_key=f"outcome:{outcome.id}:fedback:{line_id}:chat:{identity.id}",
                now=now,
                kind="outcome-fed-back",
            )
    return queued + await tell_residents(session, outcome=outcome, notifier=notifier, now=now)


async def tell_residents(
    session: AsyncSession, *, outcome: Outcome, notifier: Notifier, now: dt.datetime
) -> int:
    """Tell each resident whose case fed the outcome how it ended, once, when all is fed back."""
    assert outcome.id is not None
    await session.flush()
    ends = await how_it_ended(session, outcome.id)
    if not ends or any(end.suggestion.stage != Stage.FED_BACK for end in ends):
        return 0
    links = (
        await session.execute(
            select(OutcomeIssue, Issue)
            .join(Issue, col(Issue.id) == col(OutcomeIssue.issue_id))
            .where(col(OutcomeIssue.outcome_id) == outcome.id, col(OutcomeIssue.told_at).is_(None))
            .order_by(col(Issue.id))
        )
    ).all()
    queued = 0
    for link, issue in links:
        link.told_at = now
        for own, identity in await resident_chats(session, issue):
            queued += await add(
                session,
                to=Recipient.of(identity),
                message=await with_case_facts(
                    session,
                    notifier.render(
                        "outcome-told", identity, outcome=outcome, issue=own, ends=ends
                    ),
                    notifier=notifier,
                    identity=identity,
                    issue=own,
                    own=own,
                    now=now,
                ),
                dedupe_key=f"outcome:{outcome.id}:told:{own.id}:chat:{identity.id}",
                now=now,
                kind="outcome-told",
            )
    return queued
