"""The office's review of proposals: numbers, refusals with conversions, the ledger, scope."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from services.audit import list_entries
from services.calendar import Quarter
from services.errors import DomainError
from services.members.compliance import quarter_compliance
from services.members.progress import member_progress
from services.members.rules import RuleBook
from services.proposals.review import refuse_proposal, register_proposal, split_review_note
from storage.db import Database
from storage.enums import ProposalState, ReportState, StaffRole
from storage.models import AssessmentLine, ConditionsReport
from tests.support.members import NOW, TZ
from tests.support.notices import message_of, notifier, outbox
from tests.support.proposal_staff import (
    department_id,
    member_ids,
    office,
    reload,
    submitted_proposal,
)

BOOK = RuleBook()


async def points(db: Database, member_id: int, item: str) -> int:
    async with db.session() as session:
        total = await session.scalar(
            select(func.coalesce(func.sum(AssessmentLine.points_c), 0)).where(
                AssessmentLine.subject_id == member_id,
                AssessmentLine.subject_kind == "member",
                AssessmentLine.item_code == item,
            )
        )
    return int(total or 0)


async def register(db: Database, proposal_id: int, **kwargs: object) -> None:
    actor, scope = kwargs.pop("desk", None) or await office(db)  # type: ignore[misc]
    async with db.session() as session:
        await register_proposal(
            session, proposal_id=proposal_id, actor=actor, scope=scope, now=NOW,
            rulebook=BOOK, tz=TZ, notifier=notifier(), **kwargs,  # type: ignore[arg-type]
        )  # fmt: skip


async def test_register_numbers_each_year_and_counts_for_lead_and_confirmed_cosigners(
    roster: Database,
) -> None:
    ids = await member_ids(roster)
    first = await submitted_proposal(roster, cosigners={"M002": "confirmed", "M003": "invited"})
    second = await submitted_proposal(roster, lead="M002")
    later = await submitted_proposal(roster, lead="M003", year=2027)
    desk = await office(roster)
    for proposal_id in (first, second, later):
        await register(roster, proposal_id, desk=desk)
    stored = await reload(roster, first)
    assert stored.number == "2026-T-0001" and stored.state == ProposalState.REGISTERED
    assert stored.reviewed_at == NOW and stored.reviewed_by_staff_id == desk[0].id
    assert (await reload(roster, second)).number == "2026-T-0002"
    assert (await reload(roster, later)).number == "2027-T-0001"
    assert await points(roster, ids["M001"], "M14") > 0
    assert await points(roster, ids["M002"], "M15") > 0
    assert await points(roster, ids["M003"], "M15") == 0  # invited, never confirmed
    told = await outbox(roster, "proposal-registered")
    # M001 (author, chat 1) and M002 (confirmed co-signer, chat 2) for the first; M002 for the
    # second; M003's 2027 proposal to chat 3.
    assert sorted(row.chat_id for row in told) == [1, 2, 2, 3]
    assert "2026-T-0001" in message_of(told[0]).text
    async with roster.session() as session:
        assert len(await list_entries(session, action="proposal.register")) == 3


async def test_a_second_decision_and_a_stale_card_are_refused(roster: Database) -> None:
    proposal_id = await submitted_proposal(roster)
    with pytest.raises(DomainError, match="proposal_stale"):
        await register(roster, proposal_id, expected_state=ProposalState.REGISTERED)
    await register(roster, proposal_id, expected_state=ProposalState.SUBMITTED)
    with pytest.raises(DomainError, match="proposal_not_submitted"):
        await register(roster, proposal_id)
    actor, scope = await office(roster, name="张伟")
    async with roster.session() as session:
        with pytest.raises(DomainError, match="proposal_not_submitted"):
            await refuse_proposal(
                session, proposal_id=proposal_id, reason="重复", actor=actor, scope=scope,
                now=NOW, notifier=notifier(),
            )  # fmt: skip
    assert (await reload(roster, proposal_id)).number == "2026-T-0001"


async def test_station_staff_and_drafts_are_refused(roster: Database) -> None:
    proposal_id = await submitted_proposal(roster)
    draft = await submitted_proposal(roster, state=ProposalState.DRAFT)
    station = await office(roster, role=StaffRole.STATION, name="站点")
    with pytest.raises(DomainError, match="out_of_scope"):
        await register(roster, proposal_id, desk=station)
    with pytest.raises(DomainError, match="proposal_not_found"):
        await register(roster, draft)
    with pytest.raises(DomainError, match="proposal_not_found"):
        await register(roster, 999_999)
    assert (await reload(roster, proposal_id)).state == ProposalState.SUBMITTED


async def test_not_registered_becomes_a_report_in_the_authors_name(roster: Database) -> None:
    ids = await member_ids(roster)
    proposal_id = await submitted_proposal(roster, items=2)
    actor, scope = await office(roster)
    async with roster.session() as session:
        with pytest.raises(DomainError, match="proposal_reason_length"):
            await refuse_proposal(
                session, proposal_id=proposal_id, reason=" ", actor=actor, scope=scope,
                now=NOW, notifier=notifier(),
            )  # fmt: skip
        await refuse_proposal(
            session, proposal_id=proposal_id, reason="属于社情民意 <b>范畴</b>",
            converted_to="report", actor=actor, scope=scope, now=NOW, notifier=notifier(),
        )  # fmt: skip
        [report] = (await session.execute(select(ConditionsReport))).scalars()
    assert report.member_id == ids["M001"] and report.state == ReportState.SUBMITTED
    assert "1. 建议1" in report.body and "2. 建议2" in report.body
    stored = await reload(roster, proposal_id)
    assert stored.state == ProposalState.NOT_REGISTERED and stored.number is None
    assert stored.converted_to == "report"
    reason = "属于社情民意 <b>范畴</b>"
    assert split_review_note(stored.review_note) == (reason, "report", report.id)
    [told] = await outbox(roster, "proposal-not-registered")
    text = message_of(told).text
    assert told.chat_id == 1 and "&lt;b&gt;范畴" in text and "social-conditions report" in text
    assert await points(roster, ids["M001"], "M14") == 0


async def test_not_registered_as_a_letter_names_the_department(roster: Database) -> None:
    proposal_id = await submitted_proposal(roster)
    housing = await department_id(roster, "housing")
    actor, scope = await office(roster)
    async with roster.session() as session:
        with pytest.raises(DomainError, match="department_unknown"):
            await refuse_proposal(
                session, proposal_id=proposal_id, reason="宜转部门", converted_to="letter",
                actor=actor, scope=scope, now=NOW, notifier=notifier(),
            )  # fmt: skip
        with pytest.raises(DomainError, match="proposal_conversion"):
            await refuse_proposal(
                session, proposal_id=proposal_id, reason="宜转部门", converted_to="fax",
                actor=actor, scope=scope, now=NOW, notifier=notifier(),
            )  # fmt: skip
        await refuse_proposal(
            session, proposal_id=proposal_id, reason="宜转部门", converted_to="letter",
            department_id=housing, actor=actor, scope=scope, now=NOW, notifier=notifier(),
        )  # fmt: skip
    stored = await reload(roster, proposal_id)
    assert split_review_note(stored.review_note) == ("宜转部门", "department", housing)
    [told] = await outbox(roster, "proposal-not-registered")
    assert "letter" in message_of(told).text


async def test_not_registered_without_conversion(roster: Database) -> None:
    proposal_id = await submitted_proposal(roster)
    actor, scope = await office(roster)
    async with roster.session() as session:
        await refuse_proposal(
            session, proposal_id=proposal_id, reason="内容不属于提案范围", actor=actor,
            scope=scope, now=NOW, notifier=notifier(),
        )  # fmt: skip
        assert len(await list_entries(session, action="proposal.refuse")) == 1
    stored = await reload(roster, proposal_id)
    assert stored.converted_to is None and stored.review_note == "内容不属于提案范围"


async def test_a_registered_proposal_fulfils_the_lead_members_six_one(roster: Database) -> None:
    ids = await member_ids(roster)
    rules = BOOK.for_year(2026)

    async def done(code: str) -> bool:
        async with roster.session() as session:
            progress = await member_progress(
                session, member_id=ids[code], rules=rules, today=NOW.date(), tz=TZ
            )
        return next(finished for item, finished in progress.six_ones if item.code == "proposal")

    async def in_report(code: str) -> int:
        async with roster.session() as session:
            rows = await quarter_compliance(session, quarter=Quarter(2026, 4), rules=rules, tz=TZ)
        return next(row.six_ones_done for row in rows if row.code == code)

    proposal_id = await submitted_proposal(roster, cosigners={"M002": "confirmed"})
    assert not await done("M001")
    before = await in_report("M001")
    await register(roster, proposal_id)
    assert await done("M001")
    assert not await done("M002")
    assert await in_report("M001") == before + 1
