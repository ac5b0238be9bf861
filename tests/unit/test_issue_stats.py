"""Issue statistics against a small fixture whose every figure was counted by hand.

Nine cases received in 2026 Q4 (Shanghai time) at two stations, plus one just before the
quarter and one just after it. ``T0`` is 2026-10-05 10:00 in Shanghai; times are offsets from
each case's own receipt. The category's due date is 10 days (parking) or 7 (property).

| # | station | category | status    | received     | answer | resolved | rating | solved |
|---|---------|----------|-----------|--------------|--------|----------|--------|--------|
| 1 | Jingde  | parking  | resolved  | T0           | 1 d    | 3 d      | 5      | yes    |
| 2 | Jingde  | parking  | resolved  | T0 + 1 d     | 2 d    | 6 d      | 5      | yes    |
| 3 | Jingde  | property | answered  | T0 + 2 d     | 9 d *  |          | 2      | no     |
| 4 | Jingde  | property | assigned  | T0 + 3 d     | (overdue at "now")                |
| 5 | Jingde  | parking  | new       | 2026-11-19   | (not yet due at "now")            |
| 6 | Bei'an  | parking  | resolved  | T0           | 4 d    | 5 d      | 3      |        |
| 7 | Bei'an  | property | duplicate | T0 + 1 d     | 12 h   |          | 1      | yes    |
| 8 | Bei'an  | property | rejected  | T0 + 2 d     | 1 d    |          |        |        |
| 9 | Bei'an  | parking  | reopened  | Oct 1, 00:00 | 12 d * |          | 1      | no     |

``*`` answered after the due date. "Now" is 2026-11-20 10:00 in Shanghai.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert, select

from services.accounts.scope import StaffScope
from services.errors import DomainError
from services.reports.cases import Period, Reach, case_counts, named_period
from services.reports.ratings import satisfaction
from services.reports.times import timings
from storage.db import Database
from storage.models import Issue, IssueCategory, Station
from storage.queries import table_of

TZ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 11, 20)
T0 = dt.datetime(2026, 10, 5, 2, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)
Q4 = Period(dt.date(2026, 10, 1), dt.date(2027, 1, 1))
ADMIN = StaffScope(staff_id=1, name="王芳", admin=True, station_ids=frozenset())
_numbers = itertools.count(1)


async def ids(db: Database) -> dict[str, int]:
    async with db.session() as session:
        stations = (await session.execute(select(Station.code, Station.id))).all()
        categories = (await session.execute(select(IssueCategory.code, IssueCategory.id))).all()
    return {**dict(stations), **dict(categories)}


A, B = "xq-jingde", "jf-beian"
NOV_19 = dt.datetime(2026, 11, 19, 2, 0, tzinfo=dt.UTC)
OCT_1 = dt.datetime(2026, 9, 30, 16, 0, tzinfo=dt.UTC)  # midnight in Shanghai
SEP_30 = dt.datetime(2026, 9, 30, 15, 59, 59, tzinfo=dt.UTC)  # 23:59:59, the third quarter
JAN_1 = dt.datetime(2026, 12, 31, 16, 0, tzinfo=dt.UTC)  # midnight, the next year
# station, category, status, received, first answer and resolution (days after), rating, solved
FIXTURE: list[tuple[Any, ...]] = [
    (A, "parking", "resolved", T0, 1, 3, 5, True),
    (A, "parking", "resolved", T0 + DAY, 2, 6, 5, True),
    (A, "property", "answered", T0 + 2 * DAY, 9, None, 2, False),
    (A, "property", "assigned", T0 + 3 * DAY, None, None, None, None),
    (A, "parking", "new", NOV_19, None, None, None, None),
    (B, "parking", "resolved", T0, 4, 5, 3, None),
    (B, "property", "duplicate", T0 + DAY, 0.5, None, 1, True),
    (B, "property", "rejected", T0 + 2 * DAY, 1, None, None, None),
    (B, "parking", "reopened", OCT_1, 12, None, 1, False),
    (A, "parking", "resolved", SEP_30, 1, 1, 5, True),
    (B, "parking", "new", JAN_1, None, None, None, None),
]


def case(ref: dict[str, int], spec: tuple[Any, ...]) -> dict[str, Any]:
    station, category, status, created, answer, resolved, rating, solved = spec
    due_days = 10 if category == "parking" else 7
    return {
        "number": f"2026-{next(_numbers):06d}",
        "station_id": ref[station],
        "category_id": ref[category],
        "description": "A case of the hand-counted fixture.",
        "status": status,
        "channel": "telegram",
        "created_at": created,
        "updated_at": created,
        "due_at": created + due_days * DAY,
        "answered_at": created + answer * DAY if answer is not None else None,
        "resolved_at": created + resolved * DAY if resolved is not None else None,
        "rating": rating,
        "solved": solved,
    }


async def load_fixture(db: Database) -> dict[str, int]:
    """The eleven cases of the module docstring; returns the reference ids used."""
    ref = await ids(db)
    async with db.writing() as session:
        await session.execute(insert(table_of(Issue)), [case(ref, spec) for spec in FIXTURE])
    return ref


def reach(**kwargs: Any) -> Reach:
    return Reach(period=kwargs.pop("period", Q4), tz=TZ, **kwargs)


def named(rows: list[tuple[Any, int]]) -> dict[str, int]:
    return {row.code: count for row, count in rows}


async def test_counts_by_station_category_and_status(db: Database) -> None:
    await load_fixture(db)
    async with db.session() as session:
        counts = await case_counts(session, reach=reach(scope=ADMIN))
    assert counts.total == 9
    assert counts.open == 3  # new, assigned, reopened
    assert named(counts.by_station) == {
        "xq-jingde": 5,
        "xq-fengming": 0,
        "xq-mancun": 0,
        "jf-beian": 4,
        "jf-yuehai": 0,
        "jf-tianxiachuan": 0,
        "xx-university": 0,
    }
    by_category = named(counts.by_category)
    assert by_category["parking"] == 5 and by_category["property"] == 4
    assert sum(by_category.values()) == 9 and len(by_category) == 11
    assert counts.by_status == [
        ("new", 1),
        ("accepted", 0),
        ("assigned", 1),
        ("answered", 1),
        ("resolved", 3),
        ("reopened", 1),
        ("rejected", 1),
        ("duplicate", 1),
    ]


async def test_timings(db: Database) -> None:
    await load_fixture(db)
    async with db.session() as session:
        result = await timings(session, reach=reach(), now=NOW)
    overall = result.overall
    # First answers 1, 1, 2, 4, 9, 12 days (the duplicate's 12 hours left out).
    assert overall.answered == 6 and overall.median_first_answer == 3 * DAY
    # Resolutions 3, 5, 6 days.
    assert overall.resolved == 3 and overall.median_resolution == 5 * DAY
    # On time: 1, 2, 6, 8; late: 3, 9; overdue without an answer: 4; case 5 is not due yet.
    assert (overall.on_time, overall.late, overall.overdue) == (4, 2, 1)
    assert overall.share_on_time == pytest.approx(4 / 7)
    stations = {station.code: figures for station, figures in result.by_station}
    jingde, beian = stations["xq-jingde"], stations["jf-beian"]
    assert (jingde.answered, jingde.median_first_answer) == (3, 2 * DAY)
    assert (jingde.resolved, jingde.median_resolution) == (2, 4 * DAY + 12 * dt.timedelta(hours=1))
    assert (jingde.on_time, jingde.late, jingde.overdue) == (2, 1, 1)
    assert (beian.answered, beian.median_first_answer) == (3, 4 * DAY)
    assert (beian.resolved, beian.median_resolution) == (1, 5 * DAY)
    assert beian.share_on_time == pytest.approx(2 / 3)
    empty = stations["xq-mancun"]
    assert empty.answered == 0 and empty.median_first_answer is None
    assert empty.share_on_time is None


async def test_satisfaction(db: Database) -> None:
    await load_fixture(db)
    async with db.session() as session:
        result = await satisfaction(session, reach=reach(scope=ADMIN))
    overall = result.overall
    assert overall.rated == 5
    assert overall.distribution == {1: 1, 2: 1, 3: 1, 4: 0, 5: 2}
    assert overall.average == pytest.approx(16 / 5)
    assert (overall.solved_yes, overall.solved_answers) == (2, 4)
    assert overall.share_solved == pytest.approx(0.5)
    stations = {station.code: figures for station, figures in result.by_station}
    assert stations["xq-jingde"].average == pytest.approx(4.0)
    assert stations["xq-jingde"].share_solved == pytest.approx(2 / 3)
    assert stations["jf-beian"].average == pytest.approx(2.0)
    assert stations["jf-beian"].share_solved == 0
    assert stations["xq-mancun"].average is None and stations["xq-mancun"].rated == 0


async def test_station_staff_see_their_stations_only(db: Database) -> None:
    ref = await load_fixture(db)
    beian_staff = StaffScope(2, "李梅", admin=False, station_ids=frozenset({ref["jf-beian"]}))
    async with db.session() as session:
        counts = await case_counts(session, reach=reach(scope=beian_staff))
        assert counts.total == 4 and named(counts.by_station) == {"jf-beian": 4}
        times = await timings(session, reach=reach(scope=beian_staff), now=NOW)
        assert times.overall.answered == 3 and times.overall.median_first_answer == 4 * DAY
        rated = await satisfaction(session, reach=reach(scope=beian_staff))
        assert rated.overall.rated == 2 and [s.code for s, _f in rated.by_station] == ["jf-beian"]
        with pytest.raises(DomainError) as refused:
            await case_counts(session, reach=reach(scope=beian_staff, station_id=ref["xq-jingde"]))
        assert refused.value.code == "out_of_scope"


async def test_one_station_and_unknown_stations(db: Database) -> None:
    ref = await load_fixture(db)
    async with db.session() as session:
        counts = await case_counts(session, reach=reach(scope=ADMIN, station_id=ref["xq-jingde"]))
        assert counts.total == 5 and named(counts.by_station) == {"xq-jingde": 5}
        everything = await case_counts(session, reach=reach(station_id=ref["jf-beian"]))
        assert everything.total == 4
        with pytest.raises(DomainError) as unknown:
            await timings(session, reach=reach(station_id=999_999), now=NOW)
        assert unknown.value.code == "station_unknown"


async def test_other_periods(db: Database) -> None:
    await load_fixture(db)
    async with db.session() as session:
        year = await case_counts(session, reach=reach(period=named_period("year", TODAY)))
        last = await case_counts(session, reach=reach(period=named_period("last-quarter", TODAY)))
        days = await case_counts(
            session,
            reach=reach(period=Period.of_days(dt.date(2026, 10, 1), dt.date(2026, 10, 5))),
        )
    assert year.total == 10  # the quarter's nine and the one of 30 September
    assert last.total == 1 and named(last.by_station)["xq-jingde"] == 1
    assert days.total == 3  # case 9 (1 October), cases 1 and 6 (5 October)


async def test_an_empty_period_has_no_figures(db: Database) -> None:
    async with db.session() as session:
        counts = await case_counts(session, reach=reach())
        times = await timings(session, reach=reach(), now=NOW)
        rated = await satisfaction(session, reach=reach())
    assert counts.total == 0 and counts.open == 0
    assert times.overall.median_first_answer is None and times.overall.share_on_time is None
    assert rated.overall.average is None and rated.overall.share_solved is None


def test_periods() -> None:
    assert named_period("quarter", TODAY) == Q4
    assert named_period("last-quarter", TODAY) == Period(dt.date(2026, 7, 1), dt.date(2026, 10, 1))
    assert named_period("year", dt.date(2026, 1, 1)) == Period.of_year(2026)
    assert Q4.quarter is not None and str(Q4.quarter) == "2026 Q4" and Q4.year is None
    assert Period.of_year(2026).year == 2026 and Period.of_year(2026).quarter is None
    assert Q4.last_day == dt.date(2026, 12, 31)
    assert Q4.bounds(TZ) == (
        dt.datetime(2026, 9, 30, 16, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 12, 31, 16, 0, tzinfo=dt.UTC),
    )
    with pytest.raises(DomainError):
        Period(dt.date(2026, 10, 1), dt.date(2026, 10, 1))
    with pytest.raises(DomainError):
        named_period("decade", TODAY)
