"""Activities and the minimums: dates, counting at quarter and year edges, edits, reports."""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from services.calendar import Quarter, local_today
from services.cases.residents import PhotoRef
from services.errors import DomainError, NotFoundError
from services.members.activities import (
    ActivityInput,
    check_date,
    delete_activity,
    edit_activity,
    log_activity,
)
from services.members.activity_pages import get_activity, list_activities
from services.members.compliance import quarter_compliance, totals_by
from services.members.progress import Pace, member_progress, pace_of
from services.members.rules import RuleBook
from storage.db import Database
from storage.models import ActivityTally, PairedPerson
from tests.support.members import import_sample, member_by_code

TZ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)
BOOK = RuleBook()


@pytest.fixture
async def member_id(db: Database) -> int:
    await import_sample(db)
    member = await member_by_code(db, "M001")
    assert member.id is not None
    return member.id


def entry(
    day: dt.date, people: int = 10, kind: str = "liaison-visit", **extra: object
) -> ActivityInput:
    values: dict[str, object] = {
        "kind": kind,
        "occurred_on": day,
        "sector_id": 16,
        "people_count": people,
        "summary": "Forum with teachers on after-school care.",
    }
    values.update(extra)
    return ActivityInput(**values)  # type: ignore[arg-type]


async def log(db: Database, member_id: int, data: ActivityInput, now: dt.datetime = NOW) -> int:
    async with db.session() as session:
        activity = await log_activity(
            session, member_id=member_id, data=data, rulebook=BOOK, now=now, tz=TZ
        )
    assert activity.id is not None
    return activity.id


async def progress(db: Database, member_id: int, now: dt.datetime = NOW):  # type: ignore[no-untyped-def]
    today = local_today(now, TZ)
    async with db.session() as session:
        return await member_progress(
            session, member_id=member_id, rules=BOOK.for_year(today.year), today=today
        )


def test_dates_not_in_the_future_nor_before_the_previous_quarter() -> None:
    today = dt.date(2026, 11, 20)
    assert check_date(dt.date(2026, 7, 1), today) == dt.date(2026, 7, 1)
    with pytest.raises(DomainError, match="date_future"):
        check_date(dt.date(2026, 11, 21), today)
    with pytest.raises(DomainError, match="date_too_old") as raised:
        check_date(dt.date(2026, 6, 30), today)
    assert raised.value.params["earliest"] == dt.date(2026, 7, 1)
    assert check_date(dt.date(2026, 10, 1), dt.date(2027, 1, 5)) == dt.date(2026, 10, 1)
    with pytest.raises(DomainError):
        check_date(dt.date(2026, 9, 30), dt.date(2027, 1, 5))


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"people_count": 0}, "people_range"),
        ({"people_count": 10_000}, "people_range"),
        ({"summary": "short"}, "summary_too_short"),
        ({"summary": "x" * 1001}, "summary_too_long"),
        ({"kind": "karaoke"}, "kind_unknown"),
        ({"photos": [PhotoRef(str(n)) for n in range(6)]}, "too_many_photos"),
        ({"place": "x" * 101}, "place_too_long"),
        ({"sector_id": 999}, "sector_unknown"),
        ({"occurred_on": dt.date(2026, 11, 21)}, "date_future"),
    ],
)
async def test_bad_entries_are_refused(
    db: Database, member_id: int, overrides: dict[str, object], code: str
) -> None:
    base = entry(dt.date(2026, 11, 18))
    with pytest.raises(DomainError) as raised:
        await log(db, member_id, ActivityInput(**{**base.__dict__, **overrides}))
    assert raised.value.code == code


async def test_paired_people_must_be_ones_own(db: Database, member_id: int) -> None:
    other = await member_by_code(db, "M002")
    async with db.session() as session:
        theirs = (
            (
                await session.execute(
                    select(PairedPerson.id).where(PairedPerson.member_id == other.id)
                )
            )
            .scalars()
            .first()
        )
        mine = (
            (
                await session.execute(
                    select(PairedPerson.id).where(PairedPerson.member_id == member_id)
                )
            )
            .scalars()
            .all()
        )
    with pytest.raises(DomainError, match="paired_unknown"):
        await log(db, member_id, entry(dt.date(2026, 11, 18), paired_person_ids=[theirs]))
    await log(db, member_id, entry(dt.date(2026, 11, 18), paired_person_ids=mine[:2]))
    result = await progress(db, member_id)
    contacts = [contact.last_contact for contact in result.paired]
    assert contacts == [dt.date(2026, 11, 18), dt.date(2026, 11, 18), None, None]


async def test_today_follows_the_committee_time_zone(db: Database, member_id: int) -> None:
    # 2026-03-31 16:30 UTC is already 1 April in Shanghai: "today" is in Q2.
    late_march_utc = dt.datetime(2026, 3, 31, 16, 30, tzinfo=dt.UTC)
    assert local_today(late_march_utc, TZ) == dt.date(2026, 4, 1)
    await log(db, member_id, entry(dt.date(2026, 3, 31)), now=late_march_utc)
    q2 = await progress(db, member_id, now=late_march_utc)
    assert q2.quarter == Quarter(2026, 2) and q2.quarter_activities == 0
    q1 = await progress(db, member_id, now=dt.datetime(2026, 3, 31, 15, 59, tzinfo=dt.UTC))
    assert q1.quarter == Quarter(2026, 1) and q1.quarter_activities == 1 and q1.days_left == 1


async def test_quarter_and_year_edges(db: Database, member_id: int) -> None:
    new_year = dt.datetime(2027, 1, 2, 4, 0, tzinfo=dt.UTC)
    await log(db, member_id, entry(dt.date(2026, 12, 31), people=30), now=new_year)
    await log(db, member_id, entry(dt.date(2027, 1, 1), people=5), now=new_year)
    in_2027 = await progress(db, member_id, now=new_year)
    assert (in_2027.year_person_times, in_2027.quarter_activities) == (5, 1)
    async with db.session() as session:
        q4 = await quarter_compliance(session, quarter=Quarter(2026, 4), rules=BOOK.for_year(2026))
        q1 = await quarter_compliance(session, quarter=Quarter(2027, 1), rules=BOOK.for_year(2027))
    mine_q4 = next(row for row in q4 if row.member_id == member_id)
    mine_q1 = next(row for row in q1 if row.member_id == member_id)
    assert (mine_q4.qualifying, mine_q4.year_person_times, mine_q4.quarter_met) == (1, 30, True)
    assert (mine_q1.qualifying, mine_q1.year_person_times) == (1, 5)


async def test_what_counts_towards_what(db: Database, member_id: int) -> None:
    await log(db, member_id, entry(dt.date(2026, 11, 1), people=12, kind="liaison-forum"))
    await log(db, member_id, entry(dt.date(2026, 11, 2), people=30, kind="training"))
    await log(db, member_id, entry(dt.date(2026, 11, 3), people=200, kind="plenary"))
    result = await progress(db, member_id)
    assert result.quarter_activities == 1 and result.quarter_met
    assert result.year_person_times == 12
    done = {item.code for item, finished in result.six_ones if finished}
    # A liaison forum is a liaison activity, not the sector activity of the six ones.
    assert done == {"training", "plenary"}
    await log(db, member_id, entry(dt.date(2026, 11, 4), people=8, kind="sector-activity"))
    result = await progress(db, member_id)
    assert (result.quarter_activities, result.year_person_times) == (1, 12)
    done = {item.code for item, finished in result.six_ones if finished}
    assert done == {"training", "plenary", "sector_activity"}


def test_pace_marks() -> None:
    midyear = dt.date(2026, 7, 1)  # just over half the year gone: about 20 due
    assert pace_of(40, 40, midyear)[0] == Pace.MET
    assert pace_of(25, 40, midyear)[0] == Pace.AHEAD
    assert pace_of(19, 40, midyear)[0] == Pace.ON_TRACK
    assert pace_of(10, 40, midyear)[0] == Pace.BEHIND


async def test_edit_within_the_window_then_refused(db: Database, member_id: int) -> None:
    activity_id = await log(db, member_id, entry(dt.date(2026, 11, 18), people=10))
    day_six = NOW + dt.timedelta(days=6)
    async with db.session() as session:
        await edit_activity(
            session,
            member_id=member_id,
            activity_id=activity_id,
            data=entry(dt.date(2026, 11, 18), people=25),
            rulebook=BOOK,
            now=day_six,
            tz=TZ,
        )
        detail = await get_activity(session, member_id=member_id, activity_id=activity_id)
    assert detail is not None and detail.activity.people_count == 25
    assert [r.action for r in detail.revisions] == ["created", "edited"]
    assert (await progress(db, member_id, now=day_six)).year_person_times == 25
    day_eight = NOW + dt.timedelta(days=8)
    async with db.session() as session:
        with pytest.raises(DomainError, match="edit_window_closed"):
            await edit_activity(
                session,
                member_id=member_id,
                activity_id=activity_id,
                data=entry(dt.date(2026, 11, 18), people=99),
                rulebook=BOOK,
                now=day_eight,
                tz=TZ,
            )
        with pytest.raises(DomainError, match="edit_window_closed"):
            await delete_activity(
                session, member_id=member_id, activity_id=activity_id, rulebook=BOOK, now=day_eight
            )


async def test_delete_keeps_history_and_stops_counting(db: Database, member_id: int) -> None:
    activity_id = await log(db, member_id, entry(dt.date(2026, 11, 18), people=10))
    async with db.session() as session:
        await delete_activity(
            session, member_id=member_id, activity_id=activity_id, rulebook=BOOK, now=NOW
        )
        page = await list_activities(session, member_id=member_id)
        gone = await get_activity(session, member_id=member_id, activity_id=activity_id)
    assert page.total == 0 and gone is None
    assert (await progress(db, member_id)).year_person_times == 0


async def test_nobody_edits_another_members_entry(db: Database, member_id: int) -> None:
    activity_id = await log(db, member_id, entry(dt.date(2026, 11, 18)))
    other = await member_by_code(db, "M002")
    async with db.session() as session:
        with pytest.raises(NotFoundError):
            await delete_activity(
                session, member_id=other.id or 0, activity_id=activity_id, rulebook=BOOK, now=NOW
            )
        assert await get_activity(session, member_id=other.id or 0, activity_id=activity_id) is None


async def test_report_agrees_with_progress_and_survives_a_rules_change(
    db: Database, member_id: int
) -> None:
    rng = random.Random(7)
    members = [member_id, (await member_by_code(db, "M002")).id or 0]
    kinds = [kind.code for kind in BOOK.for_year(2026).activity_kinds]
    for _ in range(40):
        day = dt.date(2026, 10, 1) + dt.timedelta(days=rng.randrange(50))
        await log(
            db, rng.choice(members), entry(day, people=rng.randint(1, 40), kind=rng.choice(kinds))
        )
    rules = BOOK.for_year(2026)
    async with db.session() as session:
        rows = {
            row.member_id: row
            for row in await quarter_compliance(session, quarter=Quarter(2026, 4), rules=rules)
        }
    for mid in members:
        expected = await progress(db, mid)
        assert rows[mid].qualifying == expected.quarter_activities
        assert rows[mid].year_person_times == expected.year_person_times
        assert rows[mid].six_ones_done == sum(done for _item, done in expected.six_ones)
    # The committee changes which kinds count: the tallies are recounted on the next report.
    changed = rules.model_copy(
        update={"counts": rules.counts.model_copy(update={"quarter": ("training",)})}
    )
    assert changed.fingerprint != rules.fingerprint
    async with db.session() as session:
        recounted = await quarter_compliance(session, quarter=Quarter(2026, 4), rules=changed)
        fingerprints = set((await session.execute(select(ActivityTally.fingerprint))).scalars())
    assert fingerprints == {changed.fingerprint}
    trainings = {mid: 0 for mid in members}
    async with db.session() as session:
        for mid in members:
            page = await list_activities(session, member_id=mid, page_size=100)
            trainings[mid] = sum(1 for a in page.items if a.kind == "training")
    for row in recounted:
        if row.member_id in members:
            assert row.qualifying == trainings[row.member_id]
    totals = totals_by(recounted, "group")
    assert sum(t.members for t in totals.values()) == 8
