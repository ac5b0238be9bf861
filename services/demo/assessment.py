"""The demo's duty assessment: last year closed, decided and published; this year live.

``seed_demo_assessment`` adds ~20 fictional members across the groups (two working in the
office) so every ranking means something, writes two years of their work (meetings with
attendance, activities, reports, proposals with co-signers and ratings, staff entries),
rebuilds both ledgers, then walks the past year through close, decision and publication
with the real services. Idempotent: the records are written once (a known proposal number
marks them), and each step of the year's life is taken only if not taken yet.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.assessment.decisions import record_decision
from services.assessment.ledger import ensure_ledger, rebuild_year
from services.assessment.publication import close_year, publish_year
from services.assessment.standings import CLOSED, OPEN, PUBLISHED, year_row
from services.demo.assessment_records import ACTOR, Roster, extra_roster, seed_year
from services.members.roster import import_roster
from services.members.rules import RuleBook
from services.outbox.notices import Notifier
from services.proposals.records import find_proposal
from storage.db import write_transaction
from storage.models import AssessmentResult, Member

PAST, LIVE = 2025, 2026
EXTRA_CODES = frozenset(row["code"] for row in extra_roster())
TERM_BEGAN = dt.datetime(2023, 1, 1, tzinfo=dt.UTC)


async def _roster(session: AsyncSession) -> Roster:
    members = (await session.execute(select(Member))).scalars().all()
    return Roster(
        members={m.id or 0: (m.sector_id, m.assessment_group) for m in members},
        sector_ids=sorted({m.sector_id for m in members}),
        personas=frozenset(m.id or 0 for m in members if m.code not in EXTRA_CODES),
    )


async def _decide(session: AsyncSession, *, now: dt.datetime) -> None:
    """The chairs' meeting: the top of each group's pool (rank 1 and 2) is excellent."""
    pool = (
        await session.execute(
            select(AssessmentResult).where(
                col(AssessmentResult.year) == PAST, col(AssessmentResult.in_pool).is_(True)
            )
        )
    ).scalars()
    chosen = [r for r in pool if r.rank is not None and r.rank <= 2]
    await record_decision(
        session,
        year=PAST,
        member_ids=[r.subject_id for r in chosen if r.subject_kind == "member"],
        sector_ids=[r.subject_id for r in chosen if r.subject_kind == "sector" and r.rank == 1],
        actor=ACTOR,
        now=now,
    )


async def seed_demo_assessment(
    session: AsyncSession,
    *,
    now: dt.datetime,
    tz: dt.tzinfo,
    rulebook: RuleBook,
    notifier: Notifier,
) -> dict[str, int]:
    """Seed the demo's two assessment years (see the module's docstring); returns counts."""
    report = await import_roster(
        session, extra_roster(), now=now, rules=rulebook.for_year(now.astimezone(tz).year)
    )
    counts = {"assessment_members": report.created + report.updated + report.unchanged}
    counts["assessment_records"] = 0
    if await find_proposal(session, year=PAST, number=f"{PAST}-T-0001") is None:
        async with write_transaction(session):
            # The roster is loaded today, but the demo members serve since the term began:
            # dated so, both years rank them (a member of a few months is not ranked).
            await session.execute(
                update(Member)
                .where(col(Member.created_at) > TERM_BEGAN)
                .values(created_at=TERM_BEGAN)
            )
            roster = await _roster(session)
            for year in (PAST, LIVE):
                counts["assessment_records"] += await seed_year(
                    session, year=year, roster=roster, now=now, tz=tz
                )
            for year in (PAST, LIVE):
                await rebuild_year(
                    session, year=year, rules=rulebook.for_year(year), tz=tz, now=now
                )
    past = await year_row(session, PAST)
    if past is None or past.state == OPEN:
        await close_year(
            session, year=PAST, rules=rulebook.for_year(PAST), actor=ACTOR, now=now, tz=tz
        )
        past = await year_row(session, PAST)
    if past is not None and past.state == CLOSED:
        decided = await session.scalar(
            select(col(AssessmentResult.subject_id))
            .where(col(AssessmentResult.year) == PAST, col(AssessmentResult.excellent).is_(True))
            .limit(1)
        )
        if decided is None:
            await _decide(session, now=now)
        await publish_year(session, year=PAST, actor=ACTOR, now=now, notifier=notifier)
    async with write_transaction(session):
        # Members added since (a reseed with a longer roster) get their live total.
        await ensure_ledger(session, year=LIVE, rules=rulebook.for_year(LIVE), tz=tz, now=now)
    past = await year_row(session, PAST)
    counts["assessment_published"] = int(past is not None and past.state == PUBLISHED)
    return counts
