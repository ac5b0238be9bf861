"""Forming the outcome of a consultation meeting in one step, once.

After confirmation, the confirmed suggestions become an outcome in the six-stage pipeline:
source ``meeting``, the meeting's kind as the consultation, the members who came, spoke or
wrote remarks as its members, and the guests who spoke or wrote remarks as its guests. A
second press finds the outcome already formed and returns it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.accounts.scope import StaffScope
from services.audit import Actor
from services.consultations.steps import confirmed_suggestions, next_step, recorded_steps
from services.consultations.taking_part import proceedings_of, staff_meeting
from services.errors import DomainError
from services.outcomes.forming import TITLE_MAX, OutcomeDraft, form_outcome
from services.pipeline.config import PipelineRules
from storage.models import (
    MeetingProceedings,
    Outcome,
    OutcomeGuest,
    RemoteRemark,
    SpeechBooking,
    SpeechState,
)


async def meeting_outcome(session: AsyncSession, *, meeting_id: int) -> Outcome | None:
    """The outcome formed from the meeting, if any."""
    settings = await session.get(MeetingProceedings, meeting_id, populate_existing=True)
    if settings is None or settings.outcome_id is None:
        return None
    return await session.get(Outcome, settings.outcome_id)


async def took_part(session: AsyncSession, *, meeting_id: int) -> tuple[list[int], list[int]]:
    """Members and guests who spoke or wrote remarks, in the order they first did."""
    speakers = (
        await session.execute(
            select(col(SpeechBooking.member_id), col(SpeechBooking.guest_id))
            .where(
                col(SpeechBooking.meeting_id) == meeting_id,
                col(SpeechBooking.state) == SpeechState.SPOKEN,
            )
            .order_by(col(SpeechBooking.position))
        )
    ).all()
    writers = (
        await session.execute(
            select(col(RemoteRemark.member_id), col(RemoteRemark.guest_id))
            .where(col(RemoteRemark.meeting_id) == meeting_id)
            .order_by(col(RemoteRemark.id))
        )
    ).all()
    members: dict[int, None] = {}
    guests: dict[int, None] = {}
    for member_id, guest_id in [*speakers, *writers]:
        if member_id is not None:
            members[member_id] = None
        if guest_id is not None:
            guests[guest_id] = None
    return list(members), list(guests)


async def form_meeting_outcome(
    session: AsyncSession,
    *,
    scope: StaffScope,
    actor: Actor,
    meeting_id: int,
    rules: PipelineRules,
    now: dt.datetime,
    tz: dt.tzinfo,
) -> tuple[Outcome, bool]:
    """The meeting's outcome and whether it was formed now (False: it existed already)."""
    meeting = await staff_meeting(session, scope=scope, meeting_id=meeting_id)
    existing = await meeting_outcome(session, meeting_id=meeting_id)
    if existing is not None:
        return existing, False
    if next_step(await recorded_steps(session, meeting_id=meeting_id)) is not None:
        raise DomainError("proceedings_not_confirmed")
    suggestions = await confirmed_suggestions(session, meeting_id=meeting_id)
    member_ids, guest_ids = await took_part(session, meeting_id=meeting_id)

    async def link(session: AsyncSession, outcome: Outcome) -> None:
        assert outcome.id is not None
        settings = await proceedings_of(session, meeting_id)
        if settings.outcome_id is not None:
            raise DomainError("proceedings_outcome_formed")
        settings.outcome_id = outcome.id
        for guest_id in guest_ids:
            session.add(OutcomeGuest(outcome_id=outcome.id, meeting_guest_id=guest_id))
        await session.flush()

    draft = OutcomeDraft(
        source="meeting",
        title=meeting.title[:TITLE_MAX],
        suggestions=tuple(suggestions),
        meeting_id=meeting_id,
        member_ids=tuple(member_ids),
    )
    try:
        outcome = await form_outcome(
            session, draft=draft, scope=scope, actor=actor, rules=rules, now=now, tz=tz, also=link
        )
    except (IntegrityError, DomainError) as error:
        # Another press formed it in the meantime: show that one.
        if isinstance(error, DomainError) and error.code != "proceedings_outcome_formed":
            raise
        formed = await meeting_outcome(session, meeting_id=meeting_id)
        if formed is None:
            raise
        return formed, False
    return outcome, True


async def outcome_guests(session: AsyncSession, *, outcome_id: int) -> list[int]:
    """The guests recorded as taking part in an outcome."""
    rows = await session.scalars(
        select(col(OutcomeGuest.meeting_guest_id)).where(col(OutcomeGuest.outcome_id) == outcome_id)
    )
    return list(rows)
