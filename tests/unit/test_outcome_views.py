"""Administrators' views of outcomes, and a resident's rating of how one ended."""

from __future__ import annotations

import pytest

from services.errors import DomainError
from services.outcomes.resident_rating import rate_outcome, rating_of
from services.outcomes.stages import MoveInput
from services.outcomes.views import outcome_card, suggestion_card, topic_names, year_outcomes
from storage.db import Database
from tests.support.cases import NOW, resident_case, resident_of, staff_desk
from tests.support.outcomes import (
    consultation_meeting,
    department,
    move,
    new_outcome,
    suggestions_of,
    to_handled,
)


async def test_a_year_counts_suggestions_by_stage_and_pages(roster: Database) -> None:
    desk = await staff_desk(roster)
    meeting_id = await consultation_meeting(roster)
    outcomes = [
        await new_outcome(roster, desk, meeting_id=meeting_id, topic="养老") for _ in range(3)
    ]
    sid = (await suggestions_of(roster, outcomes[0].id or 0))[0].id or 0
    await move(roster, desk, sid, "formed", "submitted")
    async with roster.session() as session:
        page = await year_outcomes(session, year=2026, scope=desk.scope, limit=2)
        submitted = await year_outcomes(session, year=2026, scope=desk.scope, stage="submitted")
        empty = await year_outcomes(session, year=2025, scope=desk.scope)
        topics = await topic_names(session, scope=desk.scope)
    assert page.total == 3 and len(page.rows) == 2
    assert page.counts["formed"] == 5 and page.counts["submitted"] == 1
    assert page.rows[0].outcome.number == "2026-C-0003"
    assert [row.outcome.id for row in submitted.rows] == [outcomes[0].id]
    assert submitted.rows[0].earliest == "formed"
    assert empty.total == 0 and empty.counts["fed_back"] == 0
    assert topics == ["养老"]


async def test_the_card_holds_members_cases_answers_and_timeline(roster: Database) -> None:
    desk = await staff_desk(roster)
    dept = await department(roster)
    case = await resident_case(roster)
    outcome = await new_outcome(
        roster, desk, meeting_id=await consultation_meeting(roster), case_numbers=(case.number,)
    )
    suggestion = await to_handled(roster, desk, outcome, dept)
    async with roster.session() as session:
        card, end = await suggestion_card(
            session, suggestion_id=suggestion.id or 0, scope=desk.scope
        )
    assert card.meeting is not None and card.meeting.kind == "bimonthly"
    assert [m.code for m in card.members] == ["M001", "M002"]
    assert [(c.issue.number, c.told) for c in card.cases] == [(case.number, False)]
    assert end.suggestion.stage == "handled"
    assert [a.handling.adoption for a in end.answers] == ["adopted"]
    assert [line.kind for line in card.timeline] == ["formed", "stage", "stage", "stage", "stage"]


async def test_station_staff_see_nothing(roster: Database) -> None:
    desk = await staff_desk(roster)
    outcome = await new_outcome(roster, desk, meeting_id=await consultation_meeting(roster))
    station = await staff_desk(roster, stations=("jf-beian",), name="李站")
    async with roster.session() as session:
        for call in (
            year_outcomes(session, year=2026, scope=station.scope),
            outcome_card(session, outcome_id=outcome.id or 0, scope=station.scope),
            topic_names(session, scope=station.scope),
        ):
            with pytest.raises(DomainError) as error:
                await call
            assert error.value.code == "outcome_unknown"


async def test_a_told_resident_rates_once_and_nobody_else_may(roster: Database) -> None:
    desk = await staff_desk(roster)
    dept = await department(roster)
    case = await resident_case(roster, chat_id=555)
    _identity, other = await resident_of(roster, 556)
    outcome = await new_outcome(
        roster,
        desk,
        meeting_id=await consultation_meeting(roster),
        suggestions=("加快电梯加装",),
        case_numbers=(case.number,),
    )
    oid = outcome.id or 0
    sid = (await to_handled(roster, desk, outcome, dept)).id or 0
    async with roster.session() as session:
        with pytest.raises(DomainError) as error:  # not told yet
            await rate_outcome(
                session, resident_id=case.resident_id or 0, outcome_id=oid, stars=4, now=NOW
            )
    assert error.value.code == "outcome_unknown"
    await move(roster, desk, sid, "handled", "fed_back", MoveInput(feedback="已反馈。"))
    async with roster.session() as session:
        with pytest.raises(DomainError) as error:
            await rate_outcome(session, resident_id=other, outcome_id=oid, stars=4, now=NOW)
        assert error.value.code == "outcome_unknown"
        with pytest.raises(DomainError) as error:
            await rate_outcome(
                session, resident_id=case.resident_id or 0, outcome_id=oid, stars=6, now=NOW
            )
        assert error.value.code == "outcome_rating_value"
        rating = await rate_outcome(
            session, resident_id=case.resident_id or 0, outcome_id=oid, stars=4, now=NOW
        )
        assert (rating.subject, rating.purpose, rating.value) == (f"outcome:{oid}", "resident", "4")
        with pytest.raises(DomainError) as error:
            await rate_outcome(
                session, resident_id=case.resident_id or 0, outcome_id=oid, stars=5, now=NOW
            )
        assert error.value.code == "outcome_rated_already"
        kept = await rating_of(session, resident_id=case.resident_id or 0, outcome_id=oid)
    assert kept is not None and kept.value == "4"
