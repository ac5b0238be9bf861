"""The year's life: close (frozen results), recommend, decide, publish to members, term award."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from services.accounts.scope import StaffScope
from services.assessment.decisions import record_decision, record_recommendation
from services.assessment.publication import (
    close_year,
    publish_year,
    queue_publication,
    reopen_year,
    term_award_candidates,
)
from services.assessment.standings import closed_standings, year_standings
from services.audit import Actor, list_entries
from services.errors import DomainError
from services.members.rules import RuleBook, Rules
from storage.db import Database, write_transaction
from storage.models import (
    AssessmentLine,
    AssessmentResult,
    AssessmentTotal,
    Member,
    Sector,
    SpecialCommittee,
)
from tests.support.members import NOW, TZ
from tests.support.notices import message_of, notifier, outbox

YEAR = 2026
CLI = Actor.cli()
# local group: M002 M003 M004 M007; standing: M001 M005; nonlocal M006; hkmo M008.
SCORES = {
    "M001": 5000,
    "M002": 4000,
    "M003": 3000,
    "M004": 3000,
    "M005": 1000,
    "M006": 800,
    "M007": 100,
    "M008": 700,
}


def rules() -> Rules:
    return RuleBook().for_year(YEAR)


async def seed_totals(db: Database, scores: dict[str, int] = SCORES) -> dict[str, int]:
    """Totals as the ledger would leave them, plus two ledger lines; returns code → member id."""
    async with db.session() as session:
        members = {m.code: m for m in (await session.execute(select(Member))).scalars()}
        sectors = {s.code: s for s in (await session.execute(select(Sector))).scalars()}
        async with write_transaction(session):
            for code, total in scores.items():
                member = members[code]
                assert member.id is not None
                session.add(
                    AssessmentTotal(
                        year=YEAR,
                        subject_kind="member",
                        subject_id=member.id,
                        group_code=member.assessment_group,
                        total_c=total,
                        fingerprint=rules().assessment.fingerprint,  # type: ignore[union-attr]
                        updated_at=NOW,
                    )
                )
            for code, total in (("cndca", 900), ("acfic", 500), ("economy", 400)):
                sector = sectors[code]
                session.add(
                    AssessmentTotal(
                        year=YEAR,
                        subject_kind="sector",
                        subject_id=sector.id or 0,
                        group_code=f"sector-{sector.group_no}",
                        total_c=total,
                        fingerprint=rules().assessment.fingerprint,  # type: ignore[union-attr]
                        updated_at=NOW,
                    )
                )
            first = members["M001"].id or 0
            for source_id in (1, 2, 3, 4, 5, 6, 7):
                # M03 is capped at 20 points: seven meetings of 2 + one big line.
                session.add(
                    AssessmentLine(
                        year=YEAR,
                        subject_kind="member",
                        subject_id=first,
                        item_code="M03",
                        source_kind="invitation",
                        source_id=source_id,
                        occurred_on=dt.date(2026, 3, source_id),
                        units_c=100,
                        points_c=400,
                        fingerprint=rules().assessment.fingerprint,  # type: ignore[union-attr]
                    )
                )
        return {code: m.id or 0 for code, m in members.items()}


async def test_close_freezes_results_and_rules(roster: Database) -> None:
    ids = await seed_totals(roster)
    async with roster.session() as session:
        year = await close_year(session, year=YEAR, rules=rules(), actor=CLI, now=NOW, tz=TZ)
        assert year.state == "closed" and year.rules_version == rules().version
        assert json.loads(year.rules_snapshot)["pool_fraction"] == "1/2"
        result = await session.get(AssessmentResult, (YEAR, "member", ids["M003"]))
        assert result is not None
        assert (result.rank, result.group_size, result.in_pool) == (2, 4, True)
        # 3000 = 3000 tie between M003 and M004 inside the cut of 2? No: local has 4000, 3000,
        # 3000, 100 → cut 2, the tie spans it, include_all lets both in with a note.
        assert result.tie_note.startswith("include_all|in|3000|2")
        first = await session.get(AssessmentResult, (YEAR, "member", ids["M001"]))
        assert first is not None and json.loads(first.items) == {"M03": 2000}
        standings = await closed_standings(session, year=YEAR)
        local = standings.group("local")
        assert local is not None and local.cut == 2
        assert [r.in_pool for r in local.rows] == [True, True, True, False]
        with pytest.raises(DomainError, match="year_closed"):
            await close_year(session, year=YEAR, rules=rules(), actor=CLI, now=NOW, tz=TZ)
        entries = await list_entries(session, action="assessment.close")
        assert len(entries) == 1


async def test_live_rank_agrees_with_the_frozen_one(roster: Database) -> None:
    ids = await seed_totals(roster)
    async with roster.session() as session:
        live = await year_standings(session, year=YEAR, rules=rules(), tz=TZ)
        await close_year(session, year=YEAR, rules=rules(), actor=CLI, now=NOW, tz=TZ)
        frozen = await closed_standings(session, year=YEAR)
    for member_id in ids.values():
        assert live.place("member", member_id) == frozen.place("member", member_id)


async def test_station_staff_may_not_close(roster: Database) -> None:
    await seed_totals(roster)
    station = StaffScope(staff_id=1, name="x", admin=False, station_ids=frozenset({1}))
    async with roster.session() as session:
        with pytest.raises(DomainError, match="out_of_scope"):
            await close_year(
                session,
                year=YEAR,
                rules=rules(),
                actor=Actor("staff", 1, "x"),
                now=NOW,
                tz=TZ,
                scope=station,
            )


async def test_recommend_decide_publish_and_replay(roster: Database) -> None:
    ids = await seed_totals(roster)
    async with roster.session() as session:
        with pytest.raises(DomainError, match="year_not_closed"):
            await record_decision(
                session, year=YEAR, member_ids=[], sector_ids=[], actor=CLI, now=NOW
            )
        await close_year(session, year=YEAR, rules=rules(), actor=CLI, now=NOW, tz=TZ)
        committee = (await session.execute(select(SpecialCommittee))).scalars().first()
        assert committee is not None and committee.id is not None
        committee_id = committee.id  # a refusal rolls back and expires the loaded rows
        with pytest.raises(DomainError, match="not_in_pool"):
            await record_recommendation(
                session,
                year=YEAR,
                committee_id=committee_id,
                member_ids=[ids["M007"]],
                actor=CLI,
                now=NOW,
            )
        await record_recommendation(
            session,
            year=YEAR,
            committee_id=committee_id,
            member_ids=[ids["M002"], ids["M003"]],
            actor=CLI,
            now=NOW,
        )
        with pytest.raises(DomainError, match="not_decided"):
            await publish_year(session, year=YEAR, actor=CLI, now=NOW, notifier=notifier())
        sectors = (await session.execute(select(Sector).where(Sector.code == "cndca"))).scalars()
        cndca = next(iter(sectors))
        await record_decision(
            session,
            year=YEAR,
            member_ids=[ids["M001"], ids["M002"]],
            sector_ids=[cndca.id or 0],
            actor=CLI,
            now=NOW,
        )
        decided = await session.get(AssessmentResult, (YEAR, "member", ids["M003"]))
        assert decided is not None and decided.excellent is False
        assert decided.recommended_by_committee_id == committee_id
        queued = await publish_year(session, year=YEAR, actor=CLI, now=NOW, notifier=notifier())
    # Three bound members (M001..M003): the lists and their own line each.
    assert queued == 6
    rows = await outbox(roster)
    assert len(rows) == 6
    published = [message_of(r).text for r in rows if r.kind == "assessment-published"]
    assert "张建华" in published[0] and "李文静" in published[0]
    own = {r.identity_id: message_of(r).text for r in rows if r.kind == "assessment-own-line"}
    assert any("rank 2 of 4" in text and "not among" in text for text in own.values())
    assert any(
        "rank 1 of 2" in text and "decided an excellent member" in text for text in own.values()
    )
    async with roster.session() as session:
        async with write_transaction(session):
            again = await queue_publication(session, year=YEAR, now=NOW, notifier=notifier())
        assert again == 0
        with pytest.raises(DomainError, match="year_published"):
            await reopen_year(session, year=YEAR, actor=CLI, now=NOW)
        with pytest.raises(DomainError, match="year_published"):
            await record_decision(
                session, year=YEAR, member_ids=[], sector_ids=[], actor=CLI, now=NOW
            )
    assert len(await outbox(roster)) == 6


async def test_reopen_makes_the_year_live_again(roster: Database) -> None:
    await seed_totals(roster)
    async with roster.session() as session:
        await close_year(session, year=YEAR, rules=rules(), actor=CLI, now=NOW, tz=TZ)
        year = await reopen_year(session, year=YEAR, actor=CLI, now=NOW)
        assert year.state == "open"
        assert (await session.execute(select(AssessmentResult))).first() is None
        with pytest.raises(DomainError, match="year_not_closed"):
            await reopen_year(session, year=YEAR, actor=CLI, now=NOW)
        again = await close_year(session, year=YEAR, rules=rules(), actor=CLI, now=NOW, tz=TZ)
        assert again.state == "closed"


async def test_term_award_needs_excellent_years(roster: Database) -> None:
    ids = await seed_totals(roster)
    async with roster.session() as session:
        async with write_transaction(session):
            for year, chosen in (
                (2023, ["M001", "M002"]),
                (2024, ["M001"]),
                (2025, ["M001", "M002"]),
            ):
                for code in chosen:
                    session.add(
                        AssessmentResult(
                            year=year,
                            subject_kind="member",
                            subject_id=ids[code],
                            group_code="x",
                            excellent=True,
                        )
                    )
        found = await term_award_candidates(
            session,
            years=[2023, 2024, 2025, 2026, 2027],
            needed=rules().assessment.term_award_years,
        )  # type: ignore[union-attr]
    assert [(m.code, years) for m, years in found] == [("M001", [2023, 2024, 2025])]
