"""Matching a draft to open cases ("me too"), and following one, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from services.cases.audience import tell_residents
from services.cases.lookalike import (
    RADIUS_M,
    Lookalike,
    draft_words,
    find_lookalikes,
    similarity,
)
from services.cases.residents import get_followed_issue, get_issue, list_resident_issues
from services.cases.support import support_case, support_count
from services.errors import DomainError
from services.privacy.forget import forget_resident
from storage.db import Database
from tests.support.cases import resident_of
from tests.support.lookalike import (
    FUMES,
    HERE,
    LIGHT,
    LIGHT_AGAIN,
    NOW,
    category_id,
    open_case,
    station_id,
)
from tests.support.notices import message_of, notifier, outbox

SUPPORTER = 901


async def looks_like(
    db: Database,
    description: str = LIGHT_AGAIN,
    *,
    station: str = "jf-beian",
    category: str = "facilities",
    place: tuple[float, float] | None = None,
    chat_id: int = SUPPORTER,
) -> list[Lookalike]:
    _, resident_id = await resident_of(db, chat_id)
    async with db.session() as session:
        return await find_lookalikes(
            session,
            station_id=await station_id(db, station),
            category_id=await category_id(db, category),
            description=description,
            latitude=place[0] if place else None,
            longitude=place[1] if place else None,
            resident_id=resident_id,
        )


def test_alike_words_score_above_unlike_ones() -> None:
    light = draft_words(LIGHT)
    assert similarity(light, draft_words(LIGHT_AGAIN)) > similarity(light, draft_words(FUMES))
    assert similarity(light, light) == 1.0
    assert similarity(light, frozenset()) == 0.0


async def test_same_station_category_and_words_match(db: Database) -> None:
    case = await open_case(db)
    found = await looks_like(db)
    assert [item.number for item in found] == [case.number]
    assert found[0].status == "new" and found[0].distance_m is None


async def test_other_category_station_or_words_do_not_match(db: Database) -> None:
    await open_case(db, category="parking")
    await open_case(db, station="xq-jingde", chat_id=701)
    await open_case(db, FUMES, chat_id=702)
    assert await looks_like(db) == []


async def test_distance_counts_only_when_both_have_a_place(db: Database) -> None:
    near = await open_case(db, place=HERE)
    far = await open_case(db, place=(HERE[0] + 0.004, HERE[1]), chat_id=701)  # about 445 m
    nowhere = await open_case(db, chat_id=702)
    found = {item.number: item for item in await looks_like(db, place=HERE)}
    assert set(found) == {near.number, nowhere.number}
    assert found[near.number].distance_m == pytest.approx(0, abs=1)
    assert found[nowhere.number].distance_m is None
    assert far.number in {item.number for item in await looks_like(db)}
    assert RADIUS_M == 250


async def test_own_closed_and_followed_cases_are_left_out(db: Database) -> None:
    await open_case(db, chat_id=SUPPORTER)
    await open_case(db, chat_id=701, status="resolved")
    await open_case(db, chat_id=702, status="rejected")
    followed = await open_case(db, chat_id=703)
    identity_id, _ = await resident_of(db, SUPPORTER)
    async with db.session() as session:
        await support_case(
            session,
            identity_id=identity_id,
            issue_id=followed.id or 0,
            station_id=followed.station_id,
            channel="telegram",
            now=NOW,
        )
    assert await looks_like(db) == []


async def test_at_most_three_most_alike_first(db: Database) -> None:
    exact = await open_case(db, LIGHT_AGAIN, chat_id=700)
    for chat in range(701, 705):
        await open_case(db, chat_id=chat)
    found = await looks_like(db)
    assert len(found) == 3
    assert found[0].number == exact.number and found[0].score == 1.0


async def test_phone_numbers_are_cut_from_what_is_shown(db: Database) -> None:
    await open_case(db, LIGHT + "，电话13912345678")
    (found,) = await looks_like(db)
    assert "13912345678" not in found.description


async def test_me_too_counts_and_lists_the_case_as_followed(db: Database) -> None:
    case = await open_case(db)
    identity_id, resident_id = await resident_of(db, SUPPORTER)
    async with db.session() as session:
        await support_case(
            session,
            identity_id=identity_id,
            issue_id=case.id or 0,
            station_id=case.station_id,
            channel="telegram",
            now=NOW,
        )
        assert await support_count(session, issue_id=case.id or 0) == 1
        page = await list_resident_issues(session, resident_id=resident_id)
        assert [(item.number, item.followed) for item in page.items] == [(case.number, True)]
        assert await get_followed_issue(session, resident_id=resident_id, issue_id=case.id or 0)
        detail = await get_issue(session, issue_id=case.id or 0)
        assert detail is not None and detail.supporters == 1


@pytest.mark.parametrize(
    ("status", "station", "own", "code"),
    [
        ("resolved", None, False, "support_closed"),
        ("new", "xq-jingde", False, "issue_unknown"),
        ("new", None, True, "support_own"),
    ],
)
async def test_me_too_refusals(
    db: Database, status: str, station: str | None, own: bool, code: str
) -> None:
    case = await open_case(db, chat_id=SUPPORTER if own else 700, status=status)
    identity_id, _ = await resident_of(db, SUPPORTER)
    async with db.session() as session:
        with pytest.raises(DomainError) as refused:
            await support_case(
                session,
                identity_id=identity_id,
                issue_id=case.id or 0,
                station_id=await station_id(db, station) if station else case.station_id,
                channel="telegram",
                now=NOW,
            )
        assert refused.value.code == code
        assert await support_count(session, issue_id=case.id or 0) == 0


async def test_me_too_twice_is_refused_and_counted_once(db: Database) -> None:
    case = await open_case(db)
    identity_id, _ = await resident_of(db, SUPPORTER)
    async with db.session() as session:

        async def me_too() -> None:
            await support_case(
                session,
                identity_id=identity_id,
                issue_id=case.id or 0,
                station_id=case.station_id,
                channel="telegram",
                now=NOW,
            )

        await me_too()
        with pytest.raises(DomainError) as refused:
            await me_too()
        assert refused.value.code == "support_twice"
        assert await support_count(session, issue_id=case.id or 0) == 1


async def test_supporters_are_told_of_changes(db: Database) -> None:
    case = await open_case(db)
    identity_id, _ = await resident_of(db, SUPPORTER)
    async with db.session() as session:
        await support_case(
            session,
            identity_id=identity_id,
            issue_id=case.id or 0,
            station_id=case.station_id,
            channel="telegram",
            now=NOW,
        )
    async with db.writing() as writing:
        stored = await get_issue(writing, issue_id=case.id or 0)
        assert stored is not None
        queued = await tell_residents(
            writing, stored.issue, kind="case-status", key="accepted", notifier=notifier(), now=NOW
        )
    assert queued == 2
    rows = await outbox(db, "case-status")
    assert sorted(row.chat_id for row in rows) == [700, SUPPORTER]
    texts = {row.chat_id: message_of(row).text for row in rows}
    assert "which you follow" in texts[SUPPORTER] and "your case" not in texts[SUPPORTER]
    assert "your case" in texts[700]
    async with db.writing() as writing:
        stored = await get_issue(writing, issue_id=case.id or 0)
        assert stored is not None
        await tell_residents(
            writing,
            stored.issue,
            kind="case-resolved",
            key="resolved",
            notifier=notifier(),
            now=NOW,
        )
    resolved = {row.chat_id: message_of(row) for row in await outbox(db, "case-resolved")}
    buttons = [b["text"] for line in resolved[SUPPORTER].buttons for b in line]
    assert buttons and not any("Rate" in text for text in buttons)
    assert any("Rate" in b["text"] for line in resolved[700].buttons for b in line)


async def test_an_erased_resident_no_longer_supports(db: Database) -> None:
    case = await open_case(db)
    identity_id, _ = await resident_of(db, SUPPORTER)
    async with db.session() as session:
        await support_case(
            session,
            identity_id=identity_id,
            issue_id=case.id or 0,
            station_id=case.station_id,
            channel="telegram",
            now=NOW,
        )
        await forget_resident(session, identity_id=identity_id, now=NOW)
        assert await support_count(session, issue_id=case.id or 0) == 0
