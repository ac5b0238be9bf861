"""Assigning proposals, year-end marks, the public flag, paper entry, the desk's lists."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select, update

from services.audit import list_entries
from services.errors import DomainError
from services.members.rules import RuleBook
from services.proposals.assignment import assign_proposal
from services.proposals.marks import mark_proposal, set_public
from services.proposals.paper import enter_paper_proposal, split_suggestions
from services.proposals.review import register_proposal
from services.proposals.staff_views import proposal_card, shelf_counts, shelf_page
from storage.db import Database
from storage.enums import CosignerState, ProposalState, StaffRole
from storage.models import AssessmentLine, Handling, ProposalCosigner, Suggestion
from tests.support.members import NOW, TZ
from tests.support.notices import button_data, notifier, outbox
from tests.support.proposal_staff import (
    department_chat,
    department_id,
    member_ids,
    office,
    reload,
    submitted_proposal,
)

BOOK = RuleBook()


async def registered(db: Database, **kwargs: object) -> int:
    proposal_id = await submitted_proposal(db, **kwargs)  # type: ignore[arg-type]
    actor, scope = await office(db, name=f"办公室{proposal_id}")
    async with db.session() as session:
        await register_proposal(
            session, proposal_id=proposal_id, actor=actor, scope=scope, now=NOW,
            rulebook=BOOK, tz=TZ, notifier=notifier(),
        )  # fmt: skip
    return proposal_id


async def assign(db: Database, proposal_id: int, lead: int | None, *co: int, **kw: object) -> int:
    actor, scope = kw.pop("desk", None) or await office(db, name=f"交办{len(kw)}")  # type: ignore[misc]
    async with db.session() as session:
        rows = await assign_proposal(
            session, proposal_id=proposal_id, lead_department_id=lead, co_department_ids=co,
            actor=actor, scope=scope, now=kw.pop("now", NOW), rulebook=BOOK,  # type: ignore[arg-type]
            notifier=notifier(), **kw,  # type: ignore[arg-type]
        )  # fmt: skip
    return len(rows)


async def handlings(db: Database, proposal_id: int) -> list[Handling]:
    async with db.session() as session:
        rows = await session.execute(
            select(Handling)
            .join(Suggestion, Suggestion.id == Handling.suggestion_id)
            .where(Suggestion.proposal_id == proposal_id)
            .order_by(Handling.id)
        )
        return list(rows.scalars())


async def test_assign_writes_a_row_per_item_and_department_and_tells_them(roster: Database) -> None:
    proposal_id = await registered(roster, items=3)
    housing, transport = (
        await department_id(roster, "housing"),
        await department_id(roster, "education"),
    )
    await department_chat(roster, "housing", 501)
    await department_chat(roster, "education", 502)
    assert await assign(roster, proposal_id, housing, transport, housing) == 6
    rows = await handlings(roster, proposal_id)
    assert {(r.department_id, r.lead) for r in rows} == {(housing, True), (transport, False)}
    due = NOW + dt.timedelta(days=BOOK.for_year(2026).pipeline.proposal_due_days)
    assert all(r.due_at == due and r.round == 1 for r in rows)
    stored = await reload(roster, proposal_id)
    assert stored.state == ProposalState.ASSIGNED and stored.due_at == due
    told = await outbox(roster, "proposal-assigned")
    assert sorted(row.chat_id for row in told) == [501, 502]
    assert button_data(told[0], "Open") == f"hd:open:p:{proposal_id}:"


async def test_reassigning_before_an_answer_replaces_the_rows(roster: Database) -> None:
    proposal_id = await registered(roster, items=2)
    housing, transport = (
        await department_id(roster, "housing"),
        await department_id(roster, "education"),
    )
    await assign(roster, proposal_id, housing)
    later = NOW + dt.timedelta(hours=1)
    due = NOW + dt.timedelta(days=30)
    await assign(roster, proposal_id, transport, now=later, due_at=due)
    rows = await handlings(roster, proposal_id)
    assert [(r.department_id, r.lead, r.due_at) for r in rows] == [(transport, True, due)] * 2
    async with roster.session() as session:
        assert len(await list_entries(session, action="proposal.reassign")) == 1
        await session.execute(
            update(Handling).where(Handling.id == rows[0].id).values(answered_at=later)
        )
        await session.commit()
    with pytest.raises(DomainError, match="proposal_answered_already"):
        await assign(roster, proposal_id, housing, now=later)


async def test_assignment_refusals(roster: Database) -> None:
    submitted = await submitted_proposal(roster)
    proposal_id = await registered(roster)
    empty = await registered(roster, items=0)
    housing = await department_id(roster, "housing")
    with pytest.raises(DomainError, match="proposal_not_assignable"):
        await assign(roster, submitted, housing)
    with pytest.raises(DomainError, match="pipeline_lead_missing"):
        await assign(roster, proposal_id, None)
    with pytest.raises(DomainError, match="department_unknown"):
        await assign(roster, proposal_id, 999_999)
    with pytest.raises(DomainError, match="proposal_due_past"):
        await assign(roster, proposal_id, housing, due_at=NOW)
    with pytest.raises(DomainError, match="proposal_no_suggestions"):
        await assign(roster, empty, housing)
    with pytest.raises(DomainError, match="proposal_stale"):
        await assign(roster, proposal_id, housing, expected_state=ProposalState.SUBMITTED)
    station = await office(roster, role=StaffRole.STATION, name="站点")
    with pytest.raises(DomainError, match="out_of_scope"):
        await assign(roster, proposal_id, housing, desk=station)
    assert await handlings(roster, proposal_id) == []


async def rating_points(db: Database, member_id: int) -> int:
    async with db.session() as session:
        total = await session.scalar(
            select(func.coalesce(func.sum(AssessmentLine.points_c), 0)).where(
                AssessmentLine.subject_id == member_id, AssessmentLine.item_code == "M16"
            )
        )
    return int(total or 0)


async def test_marks_feed_the_ledger_and_public_chooses_items(roster: Database) -> None:
    ids = await member_ids(roster)
    proposal_id = await registered(roster, items=2)
    submitted = await submitted_proposal(roster)
    actor, scope = await office(roster)
    async with roster.session() as session:
        await mark_proposal(
            session, proposal_id=proposal_id, rating="excellent_key", actor=actor, scope=scope,
            now=NOW, rulebook=BOOK, tz=TZ,
        )  # fmt: skip
    assert await rating_points(roster, ids["M001"]) > 0
    async with roster.session() as session:
        with pytest.raises(DomainError, match="proposal_not_registered"):
            await mark_proposal(
                session, proposal_id=submitted, rating="key", actor=actor, scope=scope,
                now=NOW, rulebook=BOOK, tz=TZ,
            )  # fmt: skip
        await mark_proposal(
            session, proposal_id=proposal_id, rating="none", actor=actor, scope=scope,
            now=NOW, rulebook=BOOK, tz=TZ,
        )  # fmt: skip
    assert await rating_points(roster, ids["M001"]) == 0
    async with roster.session() as session:
        items = list(
            (
                await session.execute(
                    select(Suggestion.id).where(Suggestion.proposal_id == proposal_id)
                )
            ).scalars()
        )
        await set_public(
            session, proposal_id=proposal_id, public=True, public_items=[items[1]], actor=actor,
            scope=scope, now=NOW,
        )  # fmt: skip
        shown = (
            await session.execute(
                select(Suggestion.public)
                .where(Suggestion.proposal_id == proposal_id)
                .order_by(Suggestion.position)
            )
        ).scalars()
        assert list(shown) == [False, True]
        with pytest.raises(DomainError, match="suggestion_unknown"):
            await set_public(
                session, proposal_id=proposal_id, public=True, public_items=[999_999],
                actor=actor, scope=scope, now=NOW,
            )  # fmt: skip
        assert len(await list_entries(session, action="proposal.public")) == 1
    assert (await reload(roster, proposal_id)).public


async def test_a_paper_proposal_is_registered_at_once(roster: Database) -> None:
    ids = await member_ids(roster)
    actor, scope = await office(roster)
    await registered(roster)
    async with roster.session() as session:
        proposal = await enter_paper_proposal(
            session, year=2026, title="关于社区养老的提案", situation="老龄化加快。",
            suggestions=split_suggestions("1. 建设日间照料中心；2、培训护理员\n（3）设立补贴"),
            submitted_on=NOW.date(), member_id=ids["M002"], cosigner_ids=[ids["M003"]],
            actor=actor, scope=scope, now=NOW, rulebook=BOOK, tz=TZ,
        )  # fmt: skip
        states = (await session.execute(select(ProposalCosigner.state))).scalars()
        assert list(states) == [CosignerState.CONFIRMED]
        texts = (
            await session.execute(
                select(Suggestion.text)
                .where(Suggestion.proposal_id == proposal.id)
                .order_by(Suggestion.position)
            )
        ).scalars()
        assert list(texts) == ["建设日间照料中心", "培训护理员", "设立补贴"]
        with pytest.raises(DomainError, match="proposal_suggestions_missing"):
            await enter_paper_proposal(
                session, year=2026, title="空", situation="", suggestions=[" "],
                submitted_on=NOW.date(), member_id=ids["M002"], actor=actor, scope=scope,
                now=NOW, rulebook=BOOK, tz=TZ,
            )  # fmt: skip
    assert proposal.number == "2026-T-0002" and proposal.source == "paper"
    assert proposal.state == ProposalState.REGISTERED


async def test_the_desk_shelves_and_card(roster: Database) -> None:
    waiting = await submitted_proposal(roster)
    unassigned = await registered(roster)
    late = await registered(roster, items=1)
    await assign(
        roster, late, await department_id(roster, "housing"), due_at=NOW + dt.timedelta(days=1)
    )
    actor, scope = await office(roster)
    after = NOW + dt.timedelta(days=2)
    async with roster.session() as session:
        counts = await shelf_counts(session, actor=actor, scope=scope, now=after)
        assert counts["review"] == 1 and counts["unassigned"] == 1
        assert counts["assigned"] == 1 and counts["overdue"] == 1
        page = await shelf_page(
            session, shelf="review", page=0, actor=actor, scope=scope, now=after
        )
        assert [row.id for row in page.rows] == [waiting]
        page = await shelf_page(
            session, shelf="overdue", page=5, actor=actor, scope=scope, now=after
        )
        assert [(row.id, row.overdue) for row in page.rows] == [(late, True)] and page.page == 0
        card = await proposal_card(session, proposal_id=late, actor=actor, scope=scope)
        assert card.author is not None and card.author.code == "M001"
        assert len(card.items) == 1 and len(card.items[0].handlings) == 1
        assert [lead for _d, lead in card.departments] == [True]
        assert [line.kind for line in card.timeline] == ["state", "assign"]
        assert unassigned != late
    station = await office(roster, role=StaffRole.STATION, name="站点")
    async with roster.session() as session:
        with pytest.raises(DomainError, match="out_of_scope"):
            await shelf_counts(session, actor=station[0], scope=station[1], now=after)
        with pytest.raises(DomainError, match="out_of_scope"):
            await proposal_card(session, proposal_id=late, actor=station[0], scope=station[1])
