"""The quarterly review report, and both workbooks' sheets and headers in two languages."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from services.calendar import Quarter
from services.pipeline.config import PipelineRules
from services.pipeline.list_counts import pipeline_lists
from services.pipeline.review_report import months_before, review_report
from services.reports.cases import Period
from services.reports.pipeline_workbook import lists_workbook, review_workbook
from services.translation import translated
from storage.db import Database
from tests.support.pipeline_list_rows import (
    add_handling,
    add_outcome,
    add_proposal,
    at,
    department_ids,
)
from tests.unit.test_pipeline_lists import a_year
from tests.unit.test_report_language import catalogue

TZ = ZoneInfo("Asia/Shanghai")
NOW = at(2026, 11, 20)
RULES = PipelineRules()


async def a_quarter(db: Database) -> tuple[int, int]:
    deps = await department_ids(db)
    a, b = sorted(deps.values())[:2]
    await add_outcome(
        db,
        number="2026-C-0001",
        created_at=at(2026, 3, 1),
        items=(("Stuck formed", "formed"), ("Old but done", "fed_back")),
        stage_at=at(2026, 6, 1),
    )
    await add_outcome(
        db,
        number="2026-C-0002",
        created_at=at(2026, 3, 1),
        items=(("Stuck reviewed", "reviewed"),),
        stage_at=at(2026, 3, 1),
    )
    await add_outcome(
        db,
        number="2026-C-0003",
        created_at=at(2026, 9, 1),
        items=(("Moving", "submitted"),),
        stage_at=at(2026, 10, 1),
    )
    _pid, items = await add_proposal(
        db, number="2026-T-0001", items=("A", "B", "C", "D"), submitted_on=dt.date(2026, 1, 5)
    )
    await add_handling(db, suggestion_id=items[0], department_id=a, due_at=at(2026, 10, 1))
    await add_handling(
        db, suggestion_id=items[0], department_id=b, lead=False, due_at=at(2026, 9, 1)
    )
    await add_handling(
        db,
        suggestion_id=items[1],
        department_id=a,
        due_at=at(2026, 11, 1),
        answered_at=at(2026, 11, 5),
    )
    await add_handling(db, suggestion_id=items[2], department_id=a, due_at=at(2026, 12, 1))
    await add_handling(
        db,
        suggestion_id=items[3],
        department_id=b,
        due_at=at(2026, 9, 15),
        answered_at=at(2026, 10, 10),
    )
    return a, b


def test_months_before() -> None:
    assert months_before(dt.date(2026, 5, 31), 3) == dt.date(2026, 2, 28)
    assert months_before(dt.date(2026, 2, 15), 3) == dt.date(2025, 11, 15)
    assert months_before(dt.date(2024, 5, 29), 3) == dt.date(2024, 2, 29)


async def test_stuck_suggestions_and_overdue_departments(db: Database) -> None:
    a, b = await a_quarter(db)
    async with db.session() as session:
        report = await review_report(session, quarter=Quarter(2026, 4), now=NOW, tz=TZ, rules=RULES)
    assert report.as_of == NOW
    assert [(r.stage, r.number, r.text) for r in report.stuck] == [
        ("formed", "2026-C-0001", "Stuck formed"),
        ("reviewed", "2026-C-0002", "Stuck reviewed"),
    ]
    assert [r.text for r in report.stuck_at("reviewed")] == ["Stuck reviewed"]
    overdue = [(r.department_id, r.position, r.lead, r.days_over) for r in report.overdue]
    assert sorted(overdue) == sorted([(a, 1, True, 50), (b, 1, False, 80)])
    assert {(d.department_id, d.items) for d in report.departments} == {(a, 1), (b, 1)}
    async with db.session() as session:
        q3 = await review_report(session, quarter=Quarter(2026, 3), now=NOW, tz=TZ, rules=RULES)
    assert q3.as_of == dt.datetime(2026, 9, 30, 16, 0, tzinfo=dt.UTC)
    assert sorted((r.department_id, r.position) for r in q3.overdue) == sorted([(b, 1), (b, 4)])
    assert [d.items for d in q3.departments] == [2]
    # With chasing every month, the suggestion submitted on 1 October is stuck too.
    async with db.session() as session:
        monthly = await review_report(
            session,
            quarter=Quarter(2026, 4),
            now=NOW,
            tz=TZ,
            rules=PipelineRules(chase_every_months=1),
        )
    assert "Moving" in [r.text for r in monthly.stuck]


def sheets(data: bytes) -> dict[str, list[str]]:
    book = load_workbook(io.BytesIO(data))
    return {sheet.title: [str(c.value) for c in sheet[1]] for sheet in book.worksheets}


async def test_the_lists_workbook_in_both_languages(db: Database) -> None:
    await a_year(db)
    async with db.session() as session:
        lists = await pipeline_lists(session, period=Period.of_year(2026), tz=TZ)
    english = sheets(lists_workbook(lists, locale="en", tz=TZ))
    assert list(english) == [
        "Problem list",
        "Outcome list",
        "Satisfaction list",
        "By department",
        "By source",
    ]
    assert english["Outcome list"][5:8] == ["Lead department", "Answer", "Adoption"]
    book = load_workbook(io.BytesIO(lists_workbook(lists, locale="en", tz=TZ)))
    rows = list(book["Outcome list"].iter_rows(min_row=2, values_only=True))
    assert rows[0][0] == "2026-T-0001" and rows[0][7] == "adopted"
    assert [r[0] for r in book["By source"].iter_rows(min_row=2, values_only=True)] == [
        "Proposal",
        "Thematic consultation",
    ]
    with translated(catalogue("zh_CN")):
        chinese = sheets(lists_workbook(lists, locale="zh_CN", tz=TZ))
    assert list(chinese) == ["问题清单", "成果清单", "满意清单", "按部门", "按来源"]
    assert "牵头单位" in chinese["成果清单"]


async def test_the_review_workbook_in_both_languages(db: Database) -> None:
    await a_quarter(db)
    async with db.session() as session:
        report = await review_report(session, quarter=Quarter(2026, 4), now=NOW, tz=TZ, rules=RULES)
    english = sheets(review_workbook(report, locale="en", tz=TZ))
    assert list(english) == ["Stuck suggestions", "Overdue departments", "Overdue items"]
    assert english["Overdue items"][-1] == "Days overdue"
    with translated(catalogue("zh_CN")):
        chinese = sheets(review_workbook(report, locale="zh_CN", tz=TZ))
    assert list(chinese) == ["滞留建议", "逾期单位", "逾期事项"]
