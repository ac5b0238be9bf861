"""The monthly hotspot run: the month's cases and hotline records, grouped and stored.

A run reads every case created and every hotline record received in the month (local time),
cuts the texts into words once, and groups them (:mod:`services.hotspots.grouping`) inside
buckets of one category in one area: a case's area is its station's district, a hotline
record's the district its import mapped. Each group of at least three becomes a hotspot with
its size, the size of the matching hotspot of last month's run (same category and area, the
most top words in common), where it is and three example texts, phone numbers cut out.

A month has one run. The monthly job runs a month once (:func:`run_month` with
``replace=False`` returns the stored run); staff may run it again on demand, which replaces it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.audit import Actor, audit
from services.hotspots.grouping import GroupingParameters, group, vectorize
from services.hotspots.months import month_bounds, parse_month, previous_month
from services.hotspots.relink import LinkedHotspot, relink_topics, topics_of_run
from services.hotspots.words import words_of
from services.privacy.redact import mobiles_in, redact
from storage.models import HotlineRecord, Hotspot, HotspotMember, HotspotRun, Issue, Station

EXAMPLES = 3
TOP_WORDS = 5
EXAMPLE_MAX = 300
# Last month's hotspot (same category and area) is the same one when it shares this many of
# its top words; place words and single characters are never top words, so one is telling.
SAME_WORDS = 1


@dataclass
class Report:
    """One case or hotline record as the run reads it."""

    kind: str  # "issue" or "hotline"
    ref_id: int
    text: str
    category: str
    category_id: int | None
    area: str
    station_id: int | None
    place: str
    latitude: float | None
    longitude: float | None
    # The resident's contact number, cut out of an example even where not written as a mobile.
    phone: str | None = None


async def _reports(session: AsyncSession, start: dt.datetime, end: dt.datetime) -> list[Report]:
    """The month's cases and hotline records."""
    cases = await session.execute(
        select(
            col(Issue.id),
            col(Issue.description),
            col(Issue.category_id),
            col(Issue.station_id),
            col(Issue.latitude),
            col(Issue.longitude),
            col(Station.district_code),
            col(Station.name_zh),
            col(Issue.contact_phone),
        )
        .join(Station, col(Station.id) == col(Issue.station_id))
        .where(col(Issue.created_at) >= start, col(Issue.created_at) < end)
        .order_by(col(Issue.id))
    )
    reports = [
        Report("issue", i or 0, text, f"c{cat}", cat, district or f"s{station}", station, name,
               lat, lon, phone)
        for i, text, cat, station, lat, lon, district, name, phone in cases
    ]  # fmt: skip
    records = await session.execute(
        select(
            col(HotlineRecord.id),
            col(HotlineRecord.text),
            col(HotlineRecord.category_id),
            col(HotlineRecord.category_text),
            col(HotlineRecord.district),
            col(HotlineRecord.address),
            col(HotlineRecord.latitude),
            col(HotlineRecord.longitude),
        )
        .where(col(HotlineRecord.received_at) >= start, col(HotlineRecord.received_at) < end)
        .order_by(col(HotlineRecord.id))
    )
    reports += [
        Report("hotline", i or 0, text, f"c{cat}" if cat else f"t{category}", cat, district, None,
               address or district, lat, lon)
        for i, text, cat, category, district, address, lat, lon in records
    ]  # fmt: skip
    return reports


def _examples(matrix: object, rows: Sequence[int], reports: Sequence[Report]) -> list[str]:
    """The texts nearest the group's mean: the most typical, phone numbers cut out."""
    block = matrix[list(rows)]  # type: ignore[index]
    centre = np.asarray(block.mean(axis=0)).ravel()
    scores = block @ centre
    order = [rows[i] for i in np.argsort(-np.asarray(scores).ravel(), kind="stable")]
    texts: list[str] = []
    for row in order:
        report = reports[row]
        phones = mobiles_in(report.text) | ({report.phone} if report.phone else set())
        text = redact(report.text, phones).strip()
        if text not in texts:
            texts.append(text[:EXAMPLE_MAX])
        if len(texts) == EXAMPLES:
            break
    return texts


def _where(members: Sequence[Report]) -> tuple[int | None, str, float | None, float | None]:
    """The station most of its cases came to, a place label, and the centroid if located."""
    stations = Counter(r.station_id for r in members if r.station_id is not None)
    station_id = stations.most_common(1)[0][0] if stations else None
    places = Counter(r.place for r in members if r.place)
    place = places.most_common(1)[0][0] if places else members[0].area
    located = [(r.latitude, r.longitude) for r in members if r.latitude and r.longitude]
    if not located:
        return station_id, place[:200], None, None
    lat = sum(p[0] for p in located if p[0] is not None) / len(located)
    lon = sum(p[1] for p in located if p[1] is not None) / len(located)
    return station_id, place[:200], round(lat, 6), round(lon, 6)


def _top_words(word_lists: Sequence[Sequence[str]], members: Sequence[Report]) -> list[str]:
    """The words most of the group's reports use, leaving out its places' own words.

    The place is shown beside them, and last month's hotspot is matched by what, not where.
    """
    places = {r.place for r in members} | {r.area for r in members}
    counts = Counter(w for words in word_lists for w in dict.fromkeys(words))
    chosen = [
        w for w, _ in counts.most_common() if len(w) > 1 and not any(w in place for place in places)
    ]
    return chosen[:TOP_WORDS]


# A hotline-only hotspot belongs to the nearest station of its district within this distance.
STATION_RADIUS_KM = 3.0


def _nearest_station(
    stations: Sequence[tuple[int, str, float | None, float | None]],
    area: str,
    lat: float | None,
    lon: float | None,
) -> int | None:
    """The station of ``area`` nearest the point, if one is within the radius."""
    if lat is None or lon is None:
        return None
    best: tuple[float, int] | None = None
    for station_id, district, s_lat, s_lon in stations:
        if district != area or s_lat is None or s_lon is None:
            continue
        # An equirectangular distance is exact enough across a city.
        km = 111.2 * math.hypot(lat - s_lat, (lon - s_lon) * math.cos(math.radians(lat)))
        if km <= STATION_RADIUS_KM and (best is None or km < best[0]):
            best = (km, station_id)
    return best[1] if best else None


def _grouped(
    reports: Sequence[Report], parameters: GroupingParameters
) -> tuple[list[list[str]], Any, list[list[int]]]:
    """Each report's words, the feature matrix, and the groups (row numbers)."""
    word_lists = [words_of(r.text) for r in reports]
    if not reports:
        return word_lists, None, []
    matrix = vectorize(word_lists, [r.text for r in reports], parameters.features)
    return word_lists, matrix, group(matrix, [(r.category, r.area) for r in reports], parameters)


async def _last_month(session: AsyncSession, month: str) -> list[Hotspot]:
    run_id = await session.scalar(
        select(col(HotspotRun.id)).where(col(HotspotRun.month) == previous_month(month))
    )
    if run_id is None:
        return []
    return list(await session.scalars(select(Hotspot).where(col(Hotspot.run_id) == run_id)))


def _size_last_month(previous: Sequence[Hotspot], category_id: int | None, area: str,
                     words: set[str]) -> int:  # fmt: skip
    """The size of last month's hotspot of the same problem, 0 when there was none."""
    best, best_shared = 0, SAME_WORDS - 1
    for old in previous:
        if old.category_id != category_id or old.area != area:
            continue
        shared = len(words & set(old.top_words.split()))
        if shared > best_shared:
            best, best_shared = old.size, shared
    return best


async def run_month(
    session: AsyncSession,
    *,
    month: str,
    tz: dt.tzinfo,
    now: dt.datetime,
    actor: Actor,
    replace: bool = False,
    parameters: GroupingParameters | None = None,
) -> HotspotRun:
    """Find and store the hotspots of ``month`` (``YYYY-MM``) in the caller's transaction.

    With ``replace`` false an existing run of the month is returned untouched (the monthly
    job runs each month once); with it true the month's run is found afresh and replaces it.
    """
    month = parse_month(month)
    parameters = parameters or GroupingParameters()
    existing = await session.scalar(select(HotspotRun).where(col(HotspotRun.month) == month))
    if existing is not None and not replace:
        return existing
    linked: list[LinkedHotspot] = []
    if existing is not None:
        assert existing.id is not None
        linked = await topics_of_run(session, run_id=existing.id)
        await session.execute(delete(HotspotRun).where(col(HotspotRun.id) == existing.id))
    start, end = month_bounds(month, tz)
    reports = await _reports(session, start, end)
    # Seconds of CPU for a big month: in a thread, so the bot's event loop keeps answering.
    word_lists, matrix, groups = await asyncio.to_thread(_grouped, reports, parameters)
    previous = await _last_month(session, month)
    stations = [
        (i or 0, d, lat, lon)
        for i, d, lat, lon in await session.execute(
            select(
                col(Station.id),
                col(Station.district_code),
                col(Station.latitude),
                col(Station.longitude),
            )
        )
    ]
    run = HotspotRun(
        month=month,
        ran_at=now,
        cases=sum(r.kind == "issue" for r in reports),
        hotline_records=sum(r.kind == "hotline" for r in reports),
        hotspots=len(groups),
        parameters=json.dumps(asdict(parameters), sort_keys=True),
    )
    session.add(run)
    await session.flush()
    assert run.id is not None
    hotspots: list[dict[str, object]] = []
    for rank, rows in enumerate(groups, start=1):
        group_reports = [reports[row] for row in rows]
        station_id, place, lat, lon = _where(group_reports)
        first = group_reports[0]
        station_id = station_id or _nearest_station(stations, first.area, lat, lon)
        top = _top_words([word_lists[row] for row in rows], group_reports)
        hotspots.append({
            "run_id": run.id, "rank": rank, "size": len(rows),
            "cases": sum(r.kind == "issue" for r in group_reports),
            "size_last_month": _size_last_month(previous, first.category_id, first.area, set(top)),
            "category_id": first.category_id, "area": first.area[:80], "station_id": station_id,
            "place": place, "latitude": lat, "longitude": lon, "top_words": " ".join(top)[:200],
            "examples": json.dumps(_examples(matrix, rows, reports), ensure_ascii=False),
        })  # fmt: skip
    if hotspots:
        # One statement for all, ids back in order: a flush per hotspot costs seconds a month.
        inserted = await session.execute(
            insert(Hotspot).returning(col(Hotspot.id), sort_by_parameter_order=True), hotspots
        )
        members = [
            {"hotspot_id": hotspot_id, "kind": reports[row].kind, "ref_id": reports[row].ref_id}
            for hotspot_id, rows in zip(inserted.scalars().all(), groups, strict=True)
            for row in rows
        ]
        await session.execute(insert(HotspotMember), members)
    if linked:
        await relink_topics(session, linked=linked, run_id=run.id)
    audit(
        session,
        actor=actor,
        action="hotspots.run",
        object_kind="hotspot_run",
        object_id=run.id,
        after={"month": month, "hotspots": run.hotspots, "replaced": existing is not None},
        now=now,
    )
    return run
