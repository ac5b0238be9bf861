"""The steps of a consultation meeting: opinions → discussion → revision → confirmation.

Staff record each step in that order only, with the time and a note; at confirmation they
enter the confirmed suggestions as numbered lines, which later form the outcome.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.accounts.scope import StaffScope
from services.audit import Actor, audit
from services.consultations.taking_part import staff_meeting
from services.errors import DomainError
from services.outcomes.forming import SUGGESTIONS_MAX, check_suggestion
from services.pipeline.items import split_numbered
from storage.db import write_transaction
from storage.enums import CONSULTATION_STEP_ORDER, ConsultationStep
from storage.models import ConfirmedSuggestion, MeetingStep

NOTE_MAX = 2000


async def recorded_steps(session: AsyncSession, *, meeting_id: int) -> list[MeetingStep]:
    """The steps recorded so far, in order."""
    rows = await session.scalars(
        select(MeetingStep)
        .where(col(MeetingStep.meeting_id) == meeting_id)
        .execution_options(populate_existing=True)
    )
    order = {step: index for index, step in enumerate(CONSULTATION_STEP_ORDER)}
    return sorted(rows, key=lambda row: order.get(ConsultationStep(row.step), 0))


def next_step(recorded: list[MeetingStep]) -> ConsultationStep | None:
    """The step to record next, or None once confirmation is recorded."""
    done = len(recorded)
    return CONSULTATION_STEP_ORDER[done] if done < len(CONSULTATION_STEP_ORDER) else None


def parse_suggestions(text: str) -> list[str]:
    """The confirmed suggestions from numbered lines; each checked like an outcome's."""
    items = [check_suggestion(item) for item in split_numbered(text)]
    if not items or len(items) > SUGGESTIONS_MAX:
        raise DomainError("outcome_suggestions_count", maximum=SUGGESTIONS_MAX)
    return items


async def confirmed_suggestions(session: AsyncSession, *, meeting_id: int) -> list[str]:
    """The suggestions confirmed at the meeting, in order."""
    rows = await session.scalars(
        select(ConfirmedSuggestion)
        .where(col(ConfirmedSuggestion.meeting_id) == meeting_id)
        .order_by(col(ConfirmedSuggestion.position))
    )
    return [row.text for row in rows]


async def record_step(
    session: AsyncSession,
    *,
    scope: StaffScope,
    actor: Actor,
    meeting_id: int,
    step: ConsultationStep,
    note: str,
    now: dt.datetime,
    suggestions: str | None = None,
) -> MeetingStep:
    """Record ``step``, which must be the next in order (a stale press names an old one).

    Confirmation needs the confirmed suggestions as numbered lines.
    """
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise DomainError("step_note_length", maximum=NOTE_MAX)
    items = parse_suggestions(suggestions or "") if step == ConsultationStep.CONFIRMATION else []
    async with write_transaction(session):
        meeting = await staff_meeting(session, scope=scope, meeting_id=meeting_id)
        if now < meeting.starts_at:
            raise DomainError("step_not_started")
        if step != next_step(await recorded_steps(session, meeting_id=meeting_id)):
            raise DomainError("step_out_of_order")
        row = MeetingStep(
            meeting_id=meeting_id,
            step=step,
            started_at=now,
            note=note,
            staff_id=scope.staff_id or None,
        )
        session.add(row)
        if items:
            await session.execute(
                delete(ConfirmedSuggestion).where(col(ConfirmedSuggestion.meeting_id) == meeting_id)
            )
            for position, text in enumerate(items, start=1):
                session.add(
                    ConfirmedSuggestion(meeting_id=meeting_id, position=position, text=text)
                )
        await session.flush()
        audit(
            session,
            actor=actor,
            action="meeting.step",
            object_kind="meeting",
            object_id=meeting_id,
            after={"step": step, "note": note, "suggestions": len(items)},
            now=now,
        )
    return row
