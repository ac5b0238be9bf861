"""The monthly hotspot job runs the month just ended once, whatever how often it wakes."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import insert, select

from bot.app import AppContext
from bot.hotspot_job import monthly_hotspots_job
from services.clock import ManualClock
from storage.models import AuditEntry, HotlineRecord, HotspotRun


async def test_month_just_ended_runs_once(app: AppContext, clock: ManualClock) -> None:
    # The app's clock starts on 2026-11-20: the month just ended is October.
    rows = [
        {"ticket_id": f"T{n}", "received_at": dt.datetime(2026, 10, 5, 2, n, tzinfo=dt.UTC),
         "text": "敬德街社区消防通道被私家车占用", "district": "XQ", "category_text": "",
         "address": "", "batch": "t", "imported_at": clock.now()}
        for n in range(4)
    ]  # fmt: skip
    async with app.db.writing() as session:
        await session.execute(insert(HotlineRecord), rows)
    await monthly_hotspots_job(app)
    await monthly_hotspots_job(app)
    async with app.db.session() as session:
        runs = list(await session.scalars(select(HotspotRun)))
        audits = list(
            await session.scalars(select(AuditEntry).where(AuditEntry.action == "hotspots.run"))
        )
    assert [(r.month, r.hotline_records, r.hotspots) for r in runs] == [("2026-10", 4, 1)]
    assert len(audits) == 1
    clock.set(dt.datetime(2026, 12, 1, 1, 0, tzinfo=dt.UTC))  # 09:00 on 1 December locally
    await monthly_hotspots_job(app)
    async with app.db.session() as session:
        months = list(await session.scalars(select(HotspotRun.month).order_by(HotspotRun.month)))
    assert months == ["2026-10", "2026-11"]
