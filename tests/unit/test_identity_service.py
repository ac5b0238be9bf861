"""Identities, locales, processed updates, reference data."""

from __future__ import annotations

import datetime as dt

import pytest

from services.accounts import identities
from services.chats import updates
from services.demo.data import load_reference_data, read_demo_data
from services.reference import catalog as reference
from storage.db import Database

NOW = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("code", "locale"),
    [
        ("zh", "zh_CN"),
        ("zh-hans", "zh_CN"),
        ("zh-CN", "zh_CN"),
        ("zh-hant", "zh_CN"),
        ("en", "en"),
        ("en-GB", "en"),
        ("ru", None),
        (None, None),
        ("", None),
    ],
)
def test_language_codes(code: str | None, locale: str | None) -> None:
    assert identities.locale_from_language_code(code) == locale


async def test_identity_is_created_once_and_keeps_its_locale(db: Database) -> None:
    async with db.session() as session:
        first = await identities.touch_identity(
            session, channel="telegram", chat_id=5, chat_type="private", now=NOW
        )
        again = await identities.touch_identity(
            session, channel="telegram", chat_id=5, chat_type="private", now=NOW
        )
        web = await identities.touch_identity(
            session, channel="web", chat_id=5, chat_type="private", now=NOW
        )
        assert first.id == again.id != web.id
        assert first.id is not None
        await identities.set_locale(session, identity_id=first.id, locale="en")
    async with db.session() as session:
        stored = await identities.find_identity(session, channel="telegram", chat_id=5)
    assert stored is not None
    assert identities.effective_locale(stored, "zh", "zh_CN") == "en"
    assert identities.effective_locale(None, "zh-hans", "en") == "zh_CN"
    assert identities.effective_locale(None, "ru", "zh_CN") == "zh_CN"


async def test_group_notice_is_claimed_once(db: Database) -> None:
    async with db.session() as session:
        group = await identities.touch_identity(
            session, channel="telegram", chat_id=-100, chat_type="group", now=NOW
        )
        assert group.id is not None
        assert await identities.claim_group_notice(session, identity_id=group.id)
        assert not await identities.claim_group_notice(session, identity_id=group.id)


async def test_updates_are_claimed_once_per_bot_and_pruned(db: Database) -> None:
    async with db.session() as session:
        assert await updates.claim_update(session, bot_id=1, update_id=7, now=NOW)
        assert not await updates.claim_update(session, bot_id=1, update_id=7, now=NOW)
        assert await updates.claim_update(session, bot_id=2, update_id=7, now=NOW)
        later = NOW + updates.KEEP_PROCESSED_UPDATES + dt.timedelta(seconds=1)
        assert await updates.prune_processed_updates(session, now=later) == 2
        assert await updates.claim_update(session, bot_id=1, update_id=7, now=later)


async def test_reference_data_loads_idempotently(db: Database) -> None:
    async with db.writing() as session:
        counts = await load_reference_data(session, read_demo_data())
    async with db.writing() as session:
        again = await load_reference_data(session, read_demo_data())
    async with db.session() as session:
        stations = await reference.list_stations(session)
        categories = await reference.list_categories(session)
        sectors = await reference.list_sectors(session)
    assert counts == again
    assert counts == {
        "stations": 7,
        "sectors": 21,
        "issue_categories": 11,
        "special_committees": 7,
        "departments": 8,
        "canned_replies": 4,
    }
    assert (len(stations), len(categories), len(sectors)) == (7, 11, 21)
    assert stations[0].code == "xq-jingde" and stations[0].address_en


async def test_nearest_stations(db: Database) -> None:
    async with db.session() as session:
        nearest = await reference.nearest_stations(session, latitude=38.4929, longitude=106.1321)
    assert nearest[0][0].code == "xx-university"
    assert nearest[0][1] < 0.1
    assert [km for _, km in nearest] == sorted(km for _, km in nearest)


def test_distance_is_sane() -> None:
    # Beijing to Shanghai is about 1,070 km as the crow flies.
    assert 1050 < reference.distance_km(39.9042, 116.4074, 31.2304, 121.4737) < 1090
