"""Hotline import (formats, idempotency, bad rows) and the monthly hotspot run."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlmodel import col

from services.accounts.scope import StaffScope
from services.audit import Actor
from services.demo.hotline_texts import PROBLEMS, compose
from services.hotspots.engine import run_month
from services.hotspots.hotline_files import read_map
from services.hotspots.hotline_import import import_hotline
from services.hotspots.staff_view import hotspot_to_topic
from storage.db import Database
from storage.enums import TopicLinkKind
from storage.models import (
    AuditEntry,
    HotlineRecord,
    Hotspot,
    HotspotMember,
    HotspotRun,
    TopicLink,
)

TZ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 12, 2, 2, 0, tzinfo=dt.UTC)
HEADER = ["工单编号", "受理时间", "诉求类别", "所属区县", "事发地址", "诉求内容", "纬度", "经度"]
CATEGORY_NAMES = {"parking": "停车管理", "property": "物业管理", "environment": "环境卫生"}
DISTRICT_NAMES = {"XQ": "兴庆区", "JF": "金凤区", "XX": "西夏区"}


def export_rows(
    month: int = 11, per_problem: int = 6, keys: tuple[str, ...] = ()
) -> list[list[str]]:
    """Hotline rows of the chosen problems in a month, five minutes apart."""
    import random

    rng = random.Random(month)
    rows = []
    chosen = [p for p in PROBLEMS if p.key in (keys or ("fire-lane", "spaces", "elevator"))]
    for problem in chosen:
        for n in range(per_problem):
            rows.append([
                f"{problem.key}-{month}-{n}", f"2026-{month:02d}-{3 + n:02d} 09:{n:02d}:00",
                CATEGORY_NAMES.get(problem.category, "其他"), DISTRICT_NAMES[problem.area],
                problem.place + "1号楼", compose(problem, rng), "", "",
            ])  # fmt: skip
    return rows


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8-sig") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


async def do_import(db: Database, path: Path):
    async with db.writing() as session:
        return await import_hotline(
            session, path=path, hotline_map=read_map(), tz=TZ, now=NOW, actor=Actor.cli()
        )


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
async def test_csv_import_is_idempotent(db: Database, tmp_path: Path, encoding: str) -> None:
    path = write_csv(tmp_path / "export.csv", export_rows(), encoding)
    first = await do_import(db, path)
    again = await do_import(db, path)
    assert (first.created, first.existing, first.errors) == (18, 0, [])
    assert (again.created, again.existing, again.errors) == (0, 18, [])
    async with db.session() as session:
        record = await session.scalar(
            select(HotlineRecord).where(HotlineRecord.ticket_id == "fire-lane-11-0")
        )
        audits = await session.scalar(
            select(func.count()).where(AuditEntry.action == "hotline.import")
        )
    assert record is not None and record.district == "XQ" and record.category_id is not None
    # 09:00 in Shanghai is 01:00 UTC.
    assert record.received_at == dt.datetime(2026, 11, 3, 1, 0, tzinfo=dt.UTC)
    assert audits == 2


async def test_xlsx_import_and_bad_rows_are_named(db: Database, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    sheet.append(
        [
            "T1",
            dt.datetime(2026, 11, 5, 8, 0),
            "停车管理",
            "金凤区",
            "北安",
            "车位不够",
            38.5,
            106.2,
        ]
    )
    sheet.append(["", "2026-11-05 08:00:00", "停车管理", "金凤区", "北安", "没有编号", None, None])
    sheet.append(["T3", "yesterday", "停车管理", "金凤区", "北安", "时间不对", None, None])
    sheet.append(["T4", "2026-11-05 08:00:00", "停车管理", "金凤区", "北安", "", None, None])
    sheet.append(
        ["T5", "2026-11-05 08:00:00", "停车管理", "金凤区", "北安", "长" * 4001, None, None]
    )
    sheet.append(["T1", "2026-11-05 08:00:00", "停车管理", "金凤区", "北安", "重复", None, None])
    sheet.append(["T7", "2026-11-05 08:00:00", "外星人", "别的区", "某地", "类别未知", None, None])
    book.save(tmp_path / "export.xlsx")
    report = await do_import(db, tmp_path / "export.xlsx")
    assert report.created == 2
    assert [number for number, _ in report.errors] == [3, 4, 5, 6, 7]
    assert "no ticket id" in report.errors[0][1]
    assert "does not read" in report.errors[1][1]
    assert "no text" in report.errors[2][1]
    assert "longer than 4000" in report.errors[3][1]
    assert "appears twice" in report.errors[4][1]
    async with db.session() as session:
        located = await session.scalar(select(HotlineRecord).where(HotlineRecord.ticket_id == "T1"))
        unknown = await session.scalar(select(HotlineRecord).where(HotlineRecord.ticket_id == "T7"))
    assert located is not None and located.latitude == 38.5
    assert unknown is not None and unknown.category_id is None
    assert (unknown.category_text, unknown.district) == ("外星人", "别的区")


async def test_month_run_groups_problems_and_keeps_a_trend(db: Database, tmp_path: Path) -> None:
    await do_import(db, write_csv(tmp_path / "oct.csv", export_rows(10, 4, ("fire-lane",))))
    rows = export_rows(11, 8)
    rows[0][5] += " 联系电话13912345678"
    await do_import(db, write_csv(tmp_path / "nov.csv", rows))
    async with db.writing() as session:
        october = await run_month(session, month="2026-10", tz=TZ, now=NOW, actor=Actor.cli())
        november = await run_month(session, month="2026-11", tz=TZ, now=NOW, actor=Actor.cli())
        again = await run_month(session, month="2026-11", tz=TZ, now=NOW, actor=Actor.cli())
    assert (october.hotspots, october.hotline_records) == (1, 4)
    assert again.id == november.id
    async with db.session() as session:
        hotspots = list(await session.scalars(
            select(Hotspot).where(Hotspot.run_id == november.id).order_by(Hotspot.rank)
        ))  # fmt: skip
        members = await session.scalar(select(func.count()).select_from(HotspotMember))
    keys = {h.top_words for h in hotspots}
    assert 3 <= len(hotspots) <= 4, keys
    assert sum(h.size for h in hotspots) >= 20
    fire = next(h for h in hotspots if "消防通道" in h.top_words)
    assert fire.size_last_month == 4 and fire.area == "XQ"
    assert all(h.size_last_month == 0 for h in hotspots if h is not fire)
    examples = [text for h in hotspots for text in json.loads(h.examples)]
    assert all(len(json.loads(h.examples)) == 3 for h in hotspots)
    assert not any("13912345678" in text for text in examples)
    assert members == sum(h.size for h in hotspots) + 4
    async with db.writing() as session:
        redo = await run_month(
            session, month="2026-11", tz=TZ, now=NOW, actor=Actor.cli(), replace=True
        )
    async with db.session() as session:
        runs = await session.scalar(select(func.count()).select_from(HotspotRun))
    assert redo.hotspots == len(hotspots) and runs == 2


def test_a_large_bucket_is_cut_in_parts_of_like_texts() -> None:
    from services.demo.hotline_texts import sample
    from services.hotspots.grouping import GroupingParameters, group, pair_scores, vectorize
    from services.hotspots.words import words_of

    rows = [row for row in sample(12) if row[1] == "parking"]
    texts = [row[3] for row in rows]
    matrix = vectorize([words_of(t) for t in texts], texts, "both")
    whole = group(matrix, ["one"] * len(rows), GroupingParameters())
    cut = group(matrix, ["one"] * len(rows), GroupingParameters(largest_bucket=20))
    truth = [row[0] for row in rows]
    assert len(rows) == 48  # four parking problems, twelve texts each
    assert pair_scores(cut, truth)["precision"] >= pair_scores(whole, truth)["precision"] - 0.1
    assert sum(len(g) for g in cut) >= 24


async def test_cases_group_with_hotline_records_and_lose_their_phone(
    db: Database, tmp_path: Path
) -> None:
    from tests.support.cases import resident_case

    texts = [
        "北安社区院里的僵尸车停了一年多没人开，占着车位，电话0951-5012345",
        "北安社区有几辆僵尸车长期停放没人挪，占用公共车位，电话0951-5012345",
        "请清理北安社区长期停放的僵尸车，占着车位，电话0951-5012345",
    ]
    for n, text in enumerate(texts):
        # A landline is not found by the mobile-number matcher: the case's contact goes too.
        await resident_case(db, 600 + n, description=text, phone="0951-5012345")
    await do_import(db, write_csv(tmp_path / "nov.csv", export_rows(11, 1, ("zombie-cars",))))
    async with db.writing() as session:
        run = await run_month(session, month="2026-11", tz=TZ, now=NOW, actor=Actor.cli())
    async with db.session() as session:
        hotspots = list(await session.scalars(select(Hotspot).where(Hotspot.run_id == run.id)))
        kinds = list(await session.scalars(select(HotspotMember.kind)))
    assert run.cases == 3 and run.hotline_records == 1
    assert len(hotspots) == 1 and hotspots[0].size == 4 and hotspots[0].cases == 3
    assert sorted(kinds) == ["hotline"] + ["issue"] * 3
    assert hotspots[0].station_id is not None and hotspots[0].area == "JF"
    assert "5012345" not in hotspots[0].examples and "[removed]" in hotspots[0].examples


async def test_a_topic_follows_its_hotspot_when_the_month_is_run_again(
    db: Database, tmp_path: Path
) -> None:
    await do_import(db, write_csv(tmp_path / "nov.csv", export_rows(11, 8)))
    admin = StaffScope(staff_id=0, name="office", admin=True, station_ids=frozenset())
    async with db.writing() as session:
        first = await run_month(session, month="2026-11", tz=TZ, now=NOW, actor=Actor.cli())
        fire = await session.scalar(
            select(Hotspot).where(
                Hotspot.run_id == first.id, Hotspot.top_words.contains("消防通道")
            )
        )
        assert fire is not None and fire.id is not None
        topic, made = await hotspot_to_topic(
            session, hotspot_id=fire.id, scope=admin, actor=Actor.cli(), now=NOW, tz=TZ
        )
        assert made
        await run_month(session, month="2026-11", tz=TZ, now=NOW, actor=Actor.cli(), replace=True)
    async with db.writing() as session:
        [link] = await session.scalars(
            select(col(TopicLink.ref_id)).where(
                col(TopicLink.topic_id) == topic.id, col(TopicLink.kind) == TopicLinkKind.HOTSPOT
            )
        )
        moved = await session.get(Hotspot, link)
        assert moved is not None and "消防通道" in moved.top_words
        again, made_again = await hotspot_to_topic(
            session, hotspot_id=link, scope=admin, actor=Actor.cli(), now=NOW, tz=TZ
        )
    assert again.id == topic.id and not made_again
