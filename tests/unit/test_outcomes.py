"""Consultation outcomes: forming from each source, the six stages in order, undo, feedback."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from services.audit import list_entries
from services.errors import DomainError
from services.outcomes.forming import OutcomeDraft, form_outcome, topic_outcomes
from services.outcomes.stages import MoveInput, add_months
from services.outcomes.undo import undo_move
from services.pipeline.items import split_numbered
from storage.db import Database, write_transaction
from storage.models import (
    ChatIdentity,
    Handling,
    OutcomeIssue,
    OutcomeMember,
    PipelineEvent,
)
from tests.support.cases import NOW, resident_case, staff_desk
from tests.support.notices import TZ, message_of, outbox
from tests.support.outcomes import (
    REVIEW,
    RULEBOOK,
    accepted_report,
    answer_all,
    consultation_meeting,
    department,
    member_ids,
    move,
    new_outcome,
    other_department,
    suggestions_of,
    to_handled,
)


async def _members(db: Database, outcome_id: int) -> set[int]:
    async with db.session() as session:
        rows = await session.execute(
            select(OutcomeMember.member_id).where(OutcomeMember.outcome_id == outcome_id)
        )
        return set(rows.scalars())


async def _linked(db: Database, outcome_id: int) -> list[OutcomeIssue]:
    async with db.session() as session:
        rows = await session.execute(
            select(OutcomeIssue).where(OutcomeIssue.outcome_id == outcome_id)
        )
        return list(rows.scalars())


def test_numbered_lines_are_separate_suggestions() -> None:
    text = "1. 加快电梯加装\n2、设立维修基金\n  由街道统筹\n（3）公开账目"
    assert split_numbered(text) == ["加快电梯加装", "设立维修基金\n由街道统筹", "公开账目"]
    assert split_numbered("只有一条建议") == ["只有一条建议"]


async def test_formed_from_a_meeting_with_the_members_who_attended(roster: Database) -> None:
    db = roster
    desk = await staff_desk(db)
    meeting_id = await consultation_meeting(db)
    case = await resident_case(db)
    outcome = await new_outcome(db, desk, meeting_id=meeting_id, case_numbers=(case.number,))
    assert outcome.number == "2026-C-0001"
    assert outcome.consultation == "bimonthly"
    assert outcome.source == "meeting"
    assert await _members(db, outcome.id or 0) == set(await member_ids(db, "M001", "M002"))
    assert [link.issue_id for link in await _linked(db, outcome.id or 0)] == [case.id]
    items = await suggestions_of(db, outcome.id or 0)
    assert [(s.position, s.stage) for s in items] == [(1, "formed"), (2, "formed")]
    async with db.session() as session:
        entries = await list_entries(session, action="outcome.form")
    assert entries[0].object_id == "2026-C-0001"
    second = await new_outcome(db, desk, meeting_id=meeting_id)
    assert second.number == "2026-C-0002"


@pytest.mark.parametrize("problem", ["cancelled", "kind"])
async def test_a_cancelled_or_non_consultation_meeting_is_refused(
    roster: Database, problem: str
) -> None:
    desk = await staff_desk(roster)
    meeting_id = await consultation_meeting(
        roster,
        kind="training" if problem == "kind" else "bimonthly",
        cancelled=problem == "cancelled",
    )
    with pytest.raises(DomainError) as error:
        await new_outcome(roster, desk, meeting_id=meeting_id)
    assert error.value.code == "outcome_meeting_unknown"


async def test_formed_from_an_accepted_report_links_its_cases(roster: Database) -> None:
    db = roster
    desk = await staff_desk(db)
    case = await resident_case(db)
    report_id = await accepted_report(db, issue_ids=(case.id or 0,))
    async with db.session() as session:
        outcome = await form_outcome(
            session,
            draft=OutcomeDraft(
                source="report",
                title="电梯维修",
                suggestions=("建立维修基金",),
                report_id=report_id,
            ),
            scope=desk.scope,
            actor=desk.actor,
            rules=RULEBOOK.for_year(2026).pipeline,
            now=NOW,
            tz=TZ,
        )
    assert outcome.consultation == "report"
    assert await _members(db, outcome.id or 0) == set(await member_ids(db, "M002"))
    assert [link.issue_id for link in await _linked(db, outcome.id or 0)] == [case.id]


async def test_formed_from_research_with_the_members_picked(roster: Database) -> None:
    desk = await staff_desk(roster)
    picked = await member_ids(roster, "M003")
    async with roster.session() as session:
        outcome = await form_outcome(
            session,
            draft=OutcomeDraft(
                source="research",
                title="农村养老调研",
                suggestions=("建设互助养老点",),
                research_on=dt.date(2026, 11, 2),
                member_ids=tuple(picked),
            ),
            scope=desk.scope,
            actor=desk.actor,
            rules=RULEBOOK.for_year(2026).pipeline,
            now=NOW,
            tz=TZ,
        )
    assert outcome.consultation == "research"
    assert await _members(roster, outcome.id or 0) == set(picked)
    async with roster.session() as session:
        line = (
            await session.execute(
                select(PipelineEvent).where(PipelineEvent.outcome_id == outcome.id)
            )
        ).scalar_one()
    assert (line.kind, line.body) == ("formed", "2026-11-02")


async def test_bad_input_is_refused_and_nothing_is_stored(roster: Database) -> None:
    desk = await staff_desk(roster)
    meeting_id = await consultation_meeting(roster)
    for kwargs, code in (
        ({"case_numbers": ("2026-999999",)}, "outcome_case_unknown"),
        ({"suggestions": ("x" * 2001,)}, "outcome_suggestion_length"),
        ({"suggestions": ()}, "outcome_suggestions_count"),
    ):
        with pytest.raises(DomainError) as error:
            await new_outcome(roster, desk, meeting_id=meeting_id, **kwargs)  # type: ignore[arg-type]
        assert error.value.code == code
    station = await staff_desk(roster, stations=("jf-beian",), name="李站")
    with pytest.raises(DomainError) as error:
        await new_outcome(roster, station, meeting_id=meeting_id)
    assert error.value.code == "outcome_unknown"
    ok = await new_outcome(roster, desk, meeting_id=meeting_id)
    assert ok.number == "2026-C-0001"


async def test_stages_go_in_order_and_refuse_skips_and_stale_cards(roster: Database) -> None:
    db = roster
    desk = await staff_desk(db)
    outcome = await new_outcome(db, desk, meeting_id=await consultation_meeting(db))
    sid = (await suggestions_of(db, outcome.id or 0))[0].id or 0
    for drawn, to, code in (
        ("formed", "reviewed", "outcome_stage_skipped"),
        ("submitted", "reviewed", "outcome_stage_stale"),
    ):
        with pytest.raises(DomainError) as error:
            await move(db, desk, sid, drawn, to, REVIEW)
        assert error.value.code == code
    moved = await move(db, desk, sid, "formed", "submitted")
    assert (moved.stage, moved.submitted_to) == ("submitted", "government")
    with pytest.raises(DomainError) as error:
        await move(db, desk, sid, "formed", "submitted")
    assert error.value.code == "outcome_stage_stale"
    async with db.session() as session:
        entries = await list_entries(session, action="outcome.submit")
    assert entries[0].object_id == "2026-C-0001#1"


async def test_plenary_outcomes_go_to_the_party_committee(roster: Database) -> None:
    desk = await staff_desk(roster)
    outcome = await new_outcome(
        roster, desk, meeting_id=await consultation_meeting(roster, kind="plenary")
    )
    sid = (await suggestions_of(roster, outcome.id or 0))[0].id or 0
    moved = await move(roster, desk, sid, "formed", "submitted")
    assert moved.submitted_to == "party_committee"


async def test_review_needs_the_leaders_instruction(roster: Database) -> None:
    desk = await staff_desk(roster)
    outcome = await new_outcome(roster, desk, meeting_id=await consultation_meeting(roster))
    sid = (await suggestions_of(roster, outcome.id or 0))[0].id or 0
    await move(roster, desk, sid, "formed", "submitted")
    for inputs, code in (
        (
            MoveInput(review_by="", review_on=NOW.date(), review_text="请落实"),
            "outcome_reviewer_length",
        ),
        (
            MoveInput(review_by="市长", review_on=NOW.date(), review_text=""),
            "outcome_review_length",
        ),
        (
            MoveInput(
                review_by="市长", review_on=NOW.date() + dt.timedelta(days=2), review_text="请落实"
            ),
            "outcome_review_date",
        ),
    ):
        with pytest.raises(DomainError) as error:
            await move(roster, desk, sid, "submitted", "reviewed", inputs)
        assert error.value.code == code
    moved = await move(roster, desk, sid, "submitted", "reviewed", REVIEW)
    assert (moved.review_by, moved.review_on) == ("市委书记", REVIEW.review_on)


async def test_assignment_makes_handlings_and_tells_departments(roster: Database) -> None:
    db = roster
    desk = await staff_desk(db)
    lead = await department(db)
    co = await other_department(db, lead)
    outcome = await new_outcome(db, desk, meeting_id=await consultation_meeting(db))
    sid = (await suggestions_of(db, outcome.id or 0))[0].id or 0
    await move(db, desk, sid, "formed", "submitted")
    await move(db, desk, sid, "submitted", "reviewed", REVIEW)
    with pytest.raises(DomainError) as error:
        await move(
            db,
            desk,
            sid,
            "reviewed",
            "assigned",
            MoveInput(lead_department_id=lead, due_on=NOW.date()),
        )
    assert error.value.code == "outcome_due_past"
    with pytest.raises(DomainError) as error:
        await move(db, desk, sid, "reviewed", "assigned", MoveInput())
    assert error.value.code == "pipeline_lead_missing"
    moved = await move(
        db,
        desk,
        sid,
        "reviewed",
        "assigned",
        MoveInput(lead_department_id=lead, co_department_ids=(co, lead)),
    )
    assert moved.due_at == NOW + dt.timedelta(days=60)
    async with db.session() as session:
        rows = await session.execute(select(Handling).where(Handling.suggestion_id == sid))
        handlings = sorted((h.department_id, h.lead) for h in rows.scalars())
    assert handlings == sorted([(lead, True), (co, False)])
    told = await outbox(db, "outcome-assigned")
    assert len(told) == 1 and told[0].chat_id == 700
    assert "hd:open:s:" in message_of(told[0]).buttons[0][0]["callback_data"]
    with pytest.raises(DomainError) as error:
        await move(db, desk, sid, "assigned", "handled")
    assert error.value.code == "outcome_move_by_departments"


async def test_feedback_tells_members_and_residents_once_in_their_language(
    roster: Database,
) -> None:
    db = roster
    desk = await staff_desk(db)
    dept = await department(db)
    case = await resident_case(db, chat_id=555)
    async with db.session() as session, write_transaction(session):
        identity = (
            await session.execute(select(ChatIdentity).where(ChatIdentity.chat_id == 555))
        ).scalar_one()
        identity.locale = "zh_CN"
    outcome = await new_outcome(
        db,
        desk,
        meeting_id=await consultation_meeting(db),
        suggestions=("加快电梯加装",),
        case_numbers=(case.number,),
    )
    sid = (await to_handled(db, desk, outcome, dept)).id or 0
    with pytest.raises(DomainError) as error:
        await move(db, desk, sid, "handled", "fed_back", MoveInput(feedback=""))
    assert error.value.code == "outcome_feedback_length"
    fed = await move(
        db, desk, sid, "handled", "fed_back", MoveInput(feedback="已向委员通报办理情况。")
    )
    assert fed.lookback_on == dt.date(2027, 5, 20)
    members = await outbox(db, "outcome-fed-back")
    assert sorted(row.chat_id for row in members) == [1, 2]
    told = await outbox(db, "outcome-told")
    assert [row.chat_id for row in told] == [555]
    text = message_of(told[0]).text
    assert case.number in text and "采纳" in text and "已列入明年计划" in text
    assert "oc:rate:o:" in message_of(told[0]).buttons[0][0]["callback_data"]
    assert all(link.told_at == NOW for link in await _linked(db, outcome.id or 0))
    # Undone and fed back again: the members hear again, the resident does not.
    async with db.session() as session:
        await undo_move(
            session,
            suggestion_id=sid,
            drawn_for="fed_back",
            reason="反馈内容有误",
            scope=desk.scope,
            actor=desk.actor,
            now=NOW,
        )
    await move(db, desk, sid, "handled", "fed_back", MoveInput(feedback="更正后的反馈。"))
    assert len(await outbox(db, "outcome-fed-back")) == 4
    assert len(await outbox(db, "outcome-told")) == 1


async def test_residents_hear_only_when_every_suggestion_is_fed_back(roster: Database) -> None:
    db = roster
    desk = await staff_desk(db)
    dept = await department(db)
    case = await resident_case(db)
    outcome = await new_outcome(
        db, desk, meeting_id=await consultation_meeting(db), case_numbers=(case.number,)
    )
    first = (await to_handled(db, desk, outcome, dept)).id or 0
    await move(db, desk, first, "handled", "fed_back", MoveInput(feedback="第一条已反馈。"))
    assert await outbox(db, "outcome-told") == []
    second = (await suggestions_of(db, outcome.id or 0))[1].id or 0
    await move(db, desk, second, "formed", "submitted")
    await move(db, desk, second, "submitted", "reviewed", REVIEW)
    await move(db, desk, second, "reviewed", "assigned", MoveInput(lead_department_id=dept))
    await answer_all(db, second, adoption="partly")
    await move(db, desk, second, "handled", "fed_back", MoveInput(feedback="第二条已反馈。"))
    told = await outbox(db, "outcome-told")
    assert len(told) == 1
    assert "partly adopted" in message_of(told[0]).text


async def test_undo_goes_back_one_stage_and_clears_what_the_move_set(roster: Database) -> None:
    db = roster
    desk = await staff_desk(db)
    dept = await department(db)
    outcome = await new_outcome(db, desk, meeting_id=await consultation_meeting(db))
    sid = (await suggestions_of(db, outcome.id or 0))[0].id or 0

    async def undo(drawn: str, reason: str = "误操作，退回") -> str:
        async with db.session() as session:
            return (
                await undo_move(
                    session,
                    suggestion_id=sid,
                    drawn_for=drawn,
                    reason=reason,
                    scope=desk.scope,
                    actor=desk.actor,
                    now=NOW,
                )
            ).stage

    with pytest.raises(DomainError) as error:
        await undo("formed")
    assert error.value.code == "outcome_nothing_to_undo"
    await move(db, desk, sid, "formed", "submitted")
    with pytest.raises(DomainError) as error:
        await undo("submitted", reason="")
    assert error.value.code == "outcome_undo_reason"
    assert await undo("submitted") == "formed"
    assert (await suggestions_of(db, outcome.id or 0))[0].submitted_to is None
    await move(db, desk, sid, "formed", "submitted")
    await move(db, desk, sid, "submitted", "reviewed", REVIEW)
    await move(db, desk, sid, "reviewed", "assigned", MoveInput(lead_department_id=dept))
    assert await undo("assigned") == "reviewed"
    current = (await suggestions_of(db, outcome.id or 0))[0]
    assert (current.due_at, current.review_by) == (None, "市委书记")
    async with db.session() as session:
        assert (
            await session.execute(select(Handling).where(Handling.suggestion_id == sid))
        ).first() is None
    await move(db, desk, sid, "reviewed", "assigned", MoveInput(lead_department_id=dept))
    await answer_all(db, sid)
    assert await undo("handled") == "assigned"
    async with db.session() as session:
        handling = (
            await session.execute(select(Handling).where(Handling.suggestion_id == sid))
        ).scalar_one()
    assert handling.answered_at is None and handling.answer
    await answer_all(db, sid)
    assert await undo("handled") == "assigned"
    # A department has answered: the assignment cannot be taken back any more.
    async with db.session() as session, write_transaction(session):
        handling = (
            await session.execute(select(Handling).where(Handling.suggestion_id == sid))
        ).scalar_one()
        handling.answered_at = NOW
    with pytest.raises(DomainError) as error:
        await undo("assigned")
    assert error.value.code == "outcome_undo_answered"
    station = await staff_desk(db, stations=("jf-beian",), name="李站")
    async with db.session() as session:
        with pytest.raises(DomainError) as error:
            await undo_move(
                session,
                suggestion_id=sid,
                drawn_for="assigned",
                reason="越权",
                scope=station.scope,
                actor=station.actor,
                now=NOW,
            )
    assert error.value.code == "outcome_unknown"
    async with db.session() as session:
        entries = await list_entries(session, action="outcome.undo")
        lines = (
            (await session.execute(select(PipelineEvent).where(PipelineEvent.kind == "undo")))
            .scalars()
            .all()
        )
    assert len(entries) == len(lines) == 4
    assert lines[0].body == "误操作，退回"


async def test_a_topic_keeps_its_outcomes_across_years(roster: Database) -> None:
    desk = await staff_desk(roster)
    last_year = await new_outcome(
        roster, desk, topic="老城区更新", now=NOW - dt.timedelta(days=365)
    )
    this_year = await new_outcome(roster, desk, topic="老城区更新")
    await new_outcome(roster, desk, topic="别的题目")
    async with roster.session() as session:
        found = await topic_outcomes(session, topic="老城区更新", scope=desk.scope)
    assert [(o.year, o.number) for o in found] == [
        (2025, last_year.number),
        (2026, this_year.number),
    ]
    assert last_year.number == "2025-C-0001"


def test_months_are_added_to_the_end_of_shorter_months() -> None:
    assert add_months(dt.date(2026, 8, 31), 6) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2026, 1, 15), 6) == dt.date(2026, 7, 15)
