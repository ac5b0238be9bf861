"""The case search on SQLite and PostgreSQL: Chinese words, phones, numbers, scope, order."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from services.accounts import identities
from services.accounts.scope import StaffScope
from services.cases.residents import IssueDraft, create_issue
from services.cases.search import (
    CaseQuery,
    FoundPage,
    find_cases,
    read_query,
    status_query,
)
from services.errors import DomainError
from services.reference.catalog import get_station_by_code, list_categories
from storage.db import Database
from storage.models import IssueSearch
from storage.search_terms import index_terms, query_terms
from tests.support.notices import TZ

NOW = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)
ADMIN = StaffScope(staff_id=1, name="办公室", admin=True, station_ids=frozenset())


async def case(
    db: Database,
    description: str,
    *,
    station: str = "jf-beian",
    phone: str | None = None,
    days: int = 0,
    chat_id: int = 5001,
) -> tuple[int, str]:
    """A stored case ``days`` after NOW: its id and number."""
    async with db.session() as session:
        identity = await identities.touch_identity(
            session, channel="telegram", chat_id=chat_id, chat_type="private", now=NOW
        )
        resident = await identities.get_or_create_resident(
            session, identity_id=identity.id or 0, now=NOW
        )
        found = await get_station_by_code(session, station)
        category = (await list_categories(session))[0]
        assert found is not None and found.id is not None and resident.id is not None
        issue = await create_issue(
            session,
            resident_id=resident.id,
            draft=IssueDraft(
                station_id=found.id,
                category_id=category.id or 0,
                description=description,
                contact_phone=phone,
            ),
            now=NOW + dt.timedelta(days=days),
            tz=TZ,
        )
    assert issue.id is not None
    return issue.id, issue.number


async def search(db: Database, text: str, scope: StaffScope = ADMIN) -> FoundPage:
    async with db.session() as session:
        return await find_cases(session, scope=scope, query=read_query(text))


def numbers(page: FoundPage) -> list[str]:
    return [item.issue.number for item in page.items]


def test_terms_are_words_without_punctuation() -> None:
    assert index_terms("小区路灯坏了三天！Street LIGHT") == "小区 路灯 坏 了 三天 street light"
    assert query_terms("路灯，坏了") == ["路灯", "坏", "了"]
    assert query_terms("！！…") == []


async def test_chinese_words_are_found_in_any_order(db: Database) -> None:
    _lights, lights = await case(db, "小区路灯坏了三天，晚上很黑。")
    await case(db, "电梯停运两天了，老人上下楼不方便。", chat_id=5002)
    assert numbers(await search(db, "路灯")) == [lights]
    assert numbers(await search(db, "坏了 路灯")) == [lights]
    assert numbers(await search(db, "路灯 电梯")) == []
    async with db.session() as session:
        stored = (await session.execute(select(IssueSearch.terms))).scalars().all()
    assert any("路灯" in terms.split() for terms in stored)


async def test_latin_words_ignore_case_and_wildcards(db: Database) -> None:
    _id, number = await case(db, "The Street light at gate 3 is dark.")
    assert numbers(await search(db, "street LIGHT")) == [number]
    # "_" is a word character, not LIKE's wildcard: "st_eet" does not find "street".
    async with db.session() as session:
        wild = CaseQuery(kind="words", terms=("st_eet",))
        assert (await find_cases(session, scope=ADMIN, query=wild)).total == 0


async def test_phone_numbers_match_however_typed(db: Database) -> None:
    _id, number = await case(db, "小区路灯坏了三天，晚上很黑。", phone="13912345678")
    await case(db, "小区路灯坏了三天，晚上很黑。", chat_id=5002)
    assert numbers(await search(db, "139 1234 5678")) == [number]
    assert numbers(await search(db, "+86 139-1234-5678")) == [number]


async def test_case_numbers_full_or_short(db: Database) -> None:
    _id, number = await case(db, "小区路灯坏了三天，晚上很黑。")
    await case(db, "电梯停运两天了，老人上下楼不方便。", chat_id=5002)
    assert numbers(await search(db, number)) == [number]
    short = str(int(number.split("-")[1]))
    found = await search(db, short)
    assert numbers(found) == [number] and read_query(short).by_number


async def test_newest_first_and_paged(db: Database) -> None:
    made = [
        (await case(db, f"小区路灯坏了第{n}天，晚上很黑。", days=n, chat_id=5100 + n))[1]
        for n in range(10)
    ]
    async with db.session() as session:
        first = await find_cases(session, scope=ADMIN, query=read_query("路灯"), page_size=4)
        last = await find_cases(session, scope=ADMIN, query=read_query("路灯"), page=9, page_size=4)
    assert first.total == 10 and first.pages == 3
    assert numbers(first) == list(reversed(made))[:4]
    assert last.page == 2 and numbers(last) == list(reversed(made))[8:]


async def test_scope_leaves_other_stations_out(db: Database) -> None:
    await case(db, "小区路灯坏了三天，晚上很黑。", station="jf-beian")
    _id, own = await case(db, "小区路灯坏了三天，晚上很黑。", station="xq-jingde", chat_id=5002)
    async with db.session() as session:
        station = await get_station_by_code(session, "xq-jingde")
    assert station is not None and station.id is not None
    local = StaffScope(staff_id=2, name="敬德站", admin=False, station_ids=frozenset({station.id}))
    assert numbers(await search(db, "路灯", local)) == [own]
    assert len(numbers(await search(db, "路灯"))) == 2


async def test_listed_statuses(db: Database) -> None:
    await case(db, "小区路灯坏了三天，晚上很黑。")
    async with db.session() as session:
        found = await find_cases(session, scope=ADMIN, query=status_query("answered"))
    assert found.total == 0
    with pytest.raises(DomainError):
        status_query("new")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "search_empty"),
        ("   ", "search_empty"),
        ("灯" * 101, "search_too_long"),
        ("？！，。", "search_no_words"),
        ("__", "search_no_words"),
    ],
)
def test_bad_queries_are_refused(text: str, code: str) -> None:
    with pytest.raises(DomainError) as refused:
        read_query(text)
    assert refused.value.code == code


async def test_the_migration_indexes_the_cases_already_stored(db: Database) -> None:
    from storage.migrate import downgrade, upgrade

    _id, number = await case(db, "小区路灯坏了三天，晚上很黑。")
    await downgrade(db, "0009")
    await upgrade(db)
    assert numbers(await search(db, "路灯")) == [number]


async def test_a_changed_description_rewrites_the_terms(db: Database) -> None:
    from sqlalchemy import update

    from storage.models import Issue

    issue_id, number = await case(db, "小区路灯坏了三天，晚上很黑。")
    assert numbers(await search(db, "路灯")) == [number]
    async with db.session() as session, session.begin():
        await session.execute(
            update(Issue).where(Issue.id == issue_id).values(description="电梯停运两天了。")
        )
        from services.cases.search_index import index_issue

        await index_issue(session, issue_id=issue_id, description="电梯停运两天了。")
    assert numbers(await search(db, "路灯")) == []
    assert numbers(await search(db, "电梯")) == [number]


def test_importing_the_terms_does_not_load_jieba() -> None:
    import subprocess
    import sys

    code = "import sys, storage.search_terms, services.cases.search; print('jieba' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


async def test_a_report_does_not_wait_for_its_words_and_the_next_search_finds_it(
    db: Database,
) -> None:
    _id, number = await case(db, "垃圾站每天早上五点就开始清运，噪音很大。")
    async with db.session() as session:
        assert (await session.execute(select(IssueSearch.terms))).scalars().all() == []
    assert numbers(await search(db, "噪音")) == [number]
    _second, later = await case(db, "垃圾站旁边的路灯也不亮。", chat_id=5003)
    assert numbers(await search(db, "垃圾站")) == [later, number]
