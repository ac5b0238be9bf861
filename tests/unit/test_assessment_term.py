"""The term review: five years side by side, eligible after three excellent years."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from services.assessment.term_review import term_review
from storage.db import Database, write_transaction
from storage.models import AssessmentResult, Member
from tests.support.members import import_sample
from tests.unit.test_cli_assessment import prepare, run

TERM = [2023, 2024, 2025, 2026, 2027]


async def seed_results(db: Database, excellent: dict[str, list[int]]) -> None:
    """Closed-year results for the roster; ``excellent`` names the years each member won."""
    async with db.session() as session, write_transaction(session):
        members = (await session.execute(select(Member).order_by(Member.code))).scalars().all()
        for year in (2023, 2024, 2025):
            for rank, member in enumerate(members, start=1):
                session.add(
                    AssessmentResult(
                        year=year,
                        subject_kind="member",
                        subject_id=member.id or 0,
                        group_code=member.assessment_group,
                        total_c=10_000 - rank * 100,
                        rank=rank,
                        group_size=len(members),
                        in_pool=rank <= 4,
                        excellent=year in excellent.get(member.code, []),
                    )
                )


async def test_three_excellent_years_make_a_member_eligible(db: Database) -> None:
    await import_sample(db)
    await seed_results(db, {"M001": [2023, 2024, 2025], "M002": [2023, 2025]})
    async with db.session() as session:
        rows = {row.member.code: row for row in await term_review(session, years=TERM, needed=3)}
    assert rows["M001"].eligible and rows["M001"].excellent_years == 3
    assert not rows["M002"].eligible and rows["M002"].excellent_years == 2
    # Years not closed yet have no result.
    assert rows["M001"].years[3] is None and rows["M001"].years[4] is None
    first = rows["M001"].years[0]
    assert first is not None and first.rank == 1 and first.total_c == 9_900


def test_the_command_lists_the_term(env: Path) -> None:
    prepare(env)
    code, output = run("term", "--term", "2023-2027")
    assert code == 0, output
    assert "2023" in output and "2027" in output
    assert "Excellent in at least 3 years of the term: 0 members" in output
    code, output = run("term", "--term", "soon")
    assert code == 1 and "first and last year" in output
