"""The demo's hotline month: deterministic records, visible hotspots with a trend, seeded once."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from services.demo.hotline import seed_demo_hotline
from storage.db import Database
from storage.models import HotlineRecord, Hotspot, HotspotRun

TZ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 12, 6, 2, 0, tzinfo=dt.UTC)


async def test_demo_hotline_month_has_hotspots(db: Database) -> None:
    async with db.writing() as session:
        added = await seed_demo_hotline(session, now=NOW, tz=TZ)
    async with db.writing() as session:
        again = await seed_demo_hotline(session, now=NOW, tz=TZ)
    assert 200 <= added <= 800 and again == 0
    async with db.session() as session:
        stored = await session.scalar(select(func.count()).select_from(HotlineRecord))
        run = await session.scalar(select(HotspotRun).where(HotspotRun.month == "2026-11"))
        assert run is not None
        hotspots = list(await session.scalars(select(Hotspot).where(Hotspot.run_id == run.id)))
        months = list(await session.scalars(select(HotspotRun.month).order_by(HotspotRun.month)))
    assert stored == added and months == ["2026-10", "2026-11"]
    assert len(hotspots) >= 15
    assert any(h.size_last_month for h in hotspots) and any(not h.size_last_month for h in hotspots)
    assert any(h.station_id for h in hotspots) and any(h.latitude for h in hotspots)
