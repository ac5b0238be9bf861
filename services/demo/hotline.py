"""Demo 12345 hotline records: the last full month with visible hotspots, and its run.

A few hundred records, the same on every seed (a fixed random seed, times relative to the
demo's "now"): each demo problem is reported a handful to a few dozen times in the last full
month, a third of them also the month before (so the trend shows), plus one-off reports that
group with nothing. Records near a station carry its coordinates, so station staff see their
hotspots. Both months are then run.
"""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.audit import Actor
from services.demo.hotline_texts import CLOSINGS, OPENINGS, PROBLEMS, compose
from services.hotspots.engine import run_month
from services.hotspots.months import month_bounds, month_of, previous_month
from storage.models import HotlineRecord, IssueCategory, Station

SEED = 12345
ONE_OFFS = 40
# The export's own category names, as the default column map reads them.
CATEGORY_TEXT = {
    "parking": "停车管理", "property": "物业管理", "facilities": "市政设施",
    "environment": "环境卫生", "childcare": "托育服务", "education": "教育",
    "health": "医疗卫生", "elderly": "养老服务", "food": "食品药品", "jobs": "劳动保障",
}  # fmt: skip
ONE_OFF_TEXTS = (
    "小区门口的快递柜坏了", "楼道里有人堆放杂物", "公园健身器材松动", "公交车站牌字迹看不清",
    "邻居家的狗晚上一直叫", "路边广告牌倾斜", "社区活动室周末不开门", "河边护栏缺了一段",
)  # fmt: skip


async def seed_demo_hotline(session: AsyncSession, *, now: dt.datetime, tz: dt.tzinfo) -> int:
    """Add the demo's hotline records and run their months, unless there are records already.

    Returns how many records were added.
    """
    if (await session.execute(select(col(HotlineRecord.id)).limit(1))).first() is not None:
        return 0
    rng = random.Random(SEED)  # noqa: S311 - reproducible demo data, no secret
    categories = dict(
        (await session.execute(select(col(IssueCategory.code), col(IssueCategory.id)))).all()
    )
    stations = {
        district: (lat, lon)
        for district, lat, lon in await session.execute(
            select(col(Station.district_code), col(Station.latitude), col(Station.longitude))
        )
    }
    month = previous_month(month_of(now, tz))
    before = previous_month(month)
    rows: list[dict[str, object]] = []

    def add(text: str, category: str, district: str, place: str, when: dt.datetime) -> None:
        located = rng.random() < 0.5 and district in stations
        lat, lon = stations.get(district, (None, None))
        rows.append({
            "ticket_id": f"DEMO-{when:%Y%m}-{len(rows) + 1:04d}", "received_at": when,
            "category_text": CATEGORY_TEXT.get(category, "其他"),
            "category_id": categories.get(category), "district": district, "address": place,
            "latitude": lat + rng.uniform(-0.004, 0.004) if located and lat else None,
            "longitude": lon + rng.uniform(-0.004, 0.004) if located and lon else None,
            "text": text, "batch": "demo", "imported_at": now,
        })  # fmt: skip

    def moment(of_month: str) -> dt.datetime:
        start, end = month_bounds(of_month, tz)
        return start + dt.timedelta(seconds=rng.randrange(int((end - start).total_seconds())))

    for number, problem in enumerate(PROBLEMS):
        size = rng.randint(4, 28)
        for _ in range(size):
            add(compose(problem, rng), problem.category, problem.area, problem.place, moment(month))
        if number % 3 == 0:
            for _ in range(max(3, size + rng.randint(-8, 4))):
                when = moment(before)
                add(compose(problem, rng), problem.category, problem.area, problem.place, when)
    for _ in range(ONE_OFFS):
        text = rng.choice(OPENINGS) + rng.choice(ONE_OFF_TEXTS) + rng.choice(CLOSINGS)
        add(text, "other", rng.choice(["XQ", "JF", "XX"]), "", moment(month))
    await session.execute(insert(HotlineRecord), rows)
    for each in (before, month):
        await run_month(session, month=each, tz=tz, now=now, actor=Actor("system"), replace=True)
    return len(rows)
