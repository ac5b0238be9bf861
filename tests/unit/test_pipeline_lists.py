"""The three lists of a period, adoption counts by department and source, topics across years."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from services.pipeline.list_counts import pipeline_lists, topic_names, topic_outcomes
from services.reports.cases import Period
from storage.db import Database
from tests.support.pipeline_list_rows import (
    add_handling,
    add_outcome,
    add_proposal,
    add_rating,
    at,
    department_ids,
)

TZ = ZoneInfo("Asia/Shanghai")
YEAR = Period.of_year(2026)


async def a_year(db: Database) -> dict[str, int]:
    """Two departments' answers to a proposal and an outcome, and what lies outside 2026."""
    deps = await department_ids(db)
    a, b = sorted(deps.values())[:2]
    _pid, (item1, item2) = await add_proposal(
        db,
        number="2026-T-0001",
        items=("More spaces", "Shared lots at night"),
        satisfaction="basic",
        rated_at=at(2026, 9, 1),
    )
    await add_handling(
        db,
        suggestion_id=item1,
        department_id=a,
        due_at=at(2026, 6, 1),
        answered_at=at(2026, 6, 1),
        answer="Built 200 spaces",
        adoption="adopted",
    )
    # A co-department's answer is not the item's answer.
    await add_handling(
        db,
        suggestion_id=item1,
        department_id=b,
        lead=False,
        due_at=at(2026, 6, 1),
        answered_at=at(2026, 5, 20),
        adoption="explained",
    )
    # Answered twice: the second round's answer is the one that stands.
    for round_, when, adoption in ((1, at(2026, 5, 1), "partly"), (2, at(2026, 8, 1), "adopted")):
        await add_handling(
            db,
            suggestion_id=item2,
            department_id=b,
            round=round_,
            due_at=when,
            answered_at=when,
            answer=f"round {round_}",
            adoption=adoption,
        )
    await add_proposal(db, number=None, state="not_registered", submitted_on=dt.date(2026, 4, 1))
    await add_proposal(db, number=None, state="draft", submitted_on=dt.date(2026, 4, 2))
    await add_proposal(db, number="2025-T-0099", submitted_on=dt.date(2025, 12, 31))
    _oid, (formed, handled, fed) = await add_outcome(
        db,
        number="2026-C-0001",
        created_at=at(2026, 2, 10),
        items=(("Open the lane", "formed"), ("Bus line", "handled"), ("Lights", "fed_back")),
    )
    await add_handling(
        db,
        suggestion_id=handled,
        department_id=a,
        due_at=at(2026, 7, 1),
        answered_at=at(2026, 7, 1),
        answer="Not this year",
        adoption="explained",
    )
    # 00:30 on 1 January 2027 in Shanghai: next year's.
    await add_outcome(
        db, number="2027-C-0001", created_at=dt.datetime(2026, 12, 31, 16, 30, tzinfo=dt.UTC)
    )
    # 01:00 on 1 January 2026 in Shanghai: this year's.
    await add_outcome(
        db,
        number="2026-C-0000",
        created_at=dt.datetime(2025, 12, 31, 17, 0, tzinfo=dt.UTC),
        consultation="research",
    )
    await add_rating(
        db,
        subject=f"suggestion:{handled}",
        purpose="resident",
        rater_kind="resident",
        value="satisfied",
        created_at=at(2026, 7, 10),
    )
    await add_rating(
        db,
        subject=f"suggestion:{fed}",
        purpose="lookback",
        value="basic",
        created_at=at(2026, 10, 1),
    )
    await add_rating(
        db,
        subject=f"suggestion:{fed}",
        purpose="lookback",
        value="unsatisfied",
        round=2,
        reason="Dark again",
        created_at=at(2026, 11, 1),
    )
    await add_rating(
        db,
        subject=f"suggestion:{fed}",
        purpose="quality",
        value="satisfied",
        created_at=at(2026, 11, 1),
    )
    await add_rating(
        db,
        subject=f"suggestion:{fed}",
        purpose="lookback",
        value="x",
        round=3,
        created_at=at(2027, 1, 5),
    )
    return {"a": a, "b": b, "formed": formed}


async def test_the_problem_list_holds_what_was_formed_in_the_period(db: Database) -> None:
    await a_year(db)
    async with db.session() as session:
        lists = await pipeline_lists(session, period=YEAR, tz=TZ)
    rows = [(r.number, r.position, r.source) for r in lists.problems]
    assert rows == [
        ("2026-T-0001", 1, "proposal"),
        ("2026-T-0001", 2, "proposal"),
        ("2026-C-0000", 1, "research"),
        ("2026-C-0001", 1, "thematic"),
        ("2026-C-0001", 2, "thematic"),
        ("2026-C-0001", 3, "thematic"),
    ]
    first = lists.problems[0]
    assert first.formed_on == dt.date(2026, 3, 1) and first.stage == "assigned"
    assert lists.problems[2].formed_on == dt.date(2026, 1, 1)
    assert lists.problems[-1].stage == "fed_back"
    async with db.session() as session:
        earlier = await pipeline_lists(session, period=Period.of_year(2025), tz=TZ)
    assert [r.number for r in earlier.problems] == ["2025-T-0099"]


async def test_the_outcome_list_takes_the_leads_standing_answer(db: Database) -> None:
    ids = await a_year(db)
    async with db.session() as session:
        lists = await pipeline_lists(session, period=YEAR, tz=TZ)
    rows = [(r.number, r.position, r.department_id, r.adoption, r.round) for r in lists.handled]
    assert rows == [
        ("2026-T-0001", 1, ids["a"], "adopted", 1),
        ("2026-T-0001", 2, ids["b"], "adopted", 2),
        ("2026-C-0001", 2, ids["a"], "explained", 1),
    ]
    assert lists.handled[1].answer == "round 2"
    # A quarter sees the round answered in it, as long as no later round replaced it by then.
    async with db.session() as session:
        q2 = await pipeline_lists(
            session, period=Period.of_days(dt.date(2026, 4, 1), dt.date(2026, 6, 30)), tz=TZ
        )
    assert [(r.position, r.adoption) for r in q2.handled] == [(1, "adopted"), (2, "partly")]


async def test_adoption_counts_by_department_and_source(db: Database) -> None:
    ids = await a_year(db)
    async with db.session() as session:
        lists = await pipeline_lists(session, period=YEAR, tz=TZ)
    by_department = {
        int(c.key): (c.adopted, c.partly, c.explained, c.total) for c in lists.by_department
    }
    assert by_department == {ids["a"]: (1, 0, 1, 2), ids["b"]: (1, 0, 0, 1)}
    assert lists.by_department[0].key == str(ids["a"]) and lists.by_department[0].name_zh
    by_source = {c.key: (c.adopted, c.partly, c.explained) for c in lists.by_source}
    assert by_source == {"proposal": (2, 0, 0), "thematic": (0, 0, 1)}


async def test_the_satisfaction_list_and_final_ratings(db: Database) -> None:
    await a_year(db)
    async with db.session() as session:
        lists = await pipeline_lists(session, period=YEAR, tz=TZ)
    rows = [(r.number, r.position, r.purpose, r.value, r.final) for r in lists.ratings]
    assert rows == [
        ("2026-C-0001", 2, "resident", "satisfied", "satisfied"),
        ("2026-T-0001", None, "handling", "basic", "basic"),
        ("2026-C-0001", 3, "lookback", "basic", "unsatisfied"),
        ("2026-C-0001", 3, "lookback", "unsatisfied", "unsatisfied"),
    ]
    assert lists.ratings[-1].reason == "Dark again"


async def test_a_member_rating_row_is_not_listed_twice(db: Database) -> None:
    pid, _items = await add_proposal(
        db, number="2026-T-0005", satisfaction="satisfied", rated_at=at(2026, 9, 2)
    )
    await add_rating(
        db,
        subject=f"proposal:{pid}",
        purpose="handling",
        value="unsatisfied",
        created_at=at(2026, 6, 1),
    )
    await add_rating(
        db,
        subject=f"proposal:{pid}",
        purpose="handling",
        value="satisfied",
        round=2,
        created_at=at(2026, 9, 2),
    )
    async with db.session() as session:
        lists = await pipeline_lists(session, period=YEAR, tz=TZ)
    assert [(r.value, r.final) for r in lists.ratings] == [
        ("unsatisfied", "satisfied"),
        ("satisfied", "satisfied"),
    ]


async def test_a_long_running_topic_across_years(db: Database) -> None:
    for number, when, stage in (
        ("2025-C-0003", at(2025, 5, 1), "fed_back"),
        ("2026-C-0004", at(2026, 4, 1), "assigned"),
    ):
        await add_outcome(
            db,
            number=number,
            created_at=when,
            topic="Old town renewal",
            items=(("One", stage), ("Two", "fed_back")),
        )
    await add_outcome(db, number="2026-C-0005", created_at=at(2026, 4, 2), topic="Rivers")
    await add_outcome(db, number="2026-C-0006", created_at=at(2026, 4, 3))
    async with db.session() as session:
        names = await topic_names(session)
        found = await topic_outcomes(session, topic="Old town renewal")
    assert names == [("Old town renewal", 2025, 2026), ("Rivers", 2026, 2026)]
    assert [(o.year, o.number, o.suggestions, o.fed_back) for o in found] == [
        (2025, "2025-C-0003", 2, 2),
        (2026, "2026-C-0004", 2, 1),
    ]
