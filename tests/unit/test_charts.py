"""Charts: PNG files in both languages, and no boxes or glyph warnings without a CJK font."""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from bot.i18n import build_i18n
from services.reports import charts
from services.reports.case_charts import (
    cases_chart,
    issues_chart,
    satisfaction_chart,
    timings_chart,
)
from services.reports.case_workbook import cases_workbook, satisfaction_workbook, timings_workbook
from services.reports.cases import Reach, case_counts, named_period
from services.reports.ratings import satisfaction
from services.reports.times import timings
from services.reports.wording import chart_language
from services.translation import gettext
from storage.db import Database
from tests.unit.test_issue_stats import NOW, load_fixture

PNG = b"\x89PNG\r\n\x1a\n"
TZ = ZoneInfo("Asia/Shanghai")
PERIOD = named_period("quarter", dt.date(2026, 11, 20))


@pytest.fixture
def no_cjk_font(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A machine whose font manager knows no font that draws Chinese."""
    charts.cjk_font.cache_clear()
    charts._drawable.cache_clear()
    monkeypatch.setattr(charts, "CJK_FAMILIES", ("No Such CJK Font",))
    monkeypatch.setattr(charts, "CJK_FILE_STEMS", ("no-such-cjk-font",))
    yield
    charts.cjk_font.cache_clear()
    charts._drawable.cache_clear()


async def figures(db: Database):  # type: ignore[no-untyped-def]
    await load_fixture(db)
    reach = Reach(PERIOD, TZ)
    async with db.session() as session:
        return (
            await case_counts(session, reach=reach),
            await timings(session, reach=reach, now=NOW),
            await satisfaction(session, reach=reach),
        )


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
async def test_every_chart_is_a_png(sqlite_db: Database, locale: str) -> None:
    counts, times, rated = await figures(sqlite_db)
    i18n = build_i18n("zh_CN")
    with i18n.context(), i18n.use_locale(locale):
        pictures = [
            cases_chart(counts, PERIOD, locale),
            timings_chart(times, PERIOD, locale),
            satisfaction_chart(rated, PERIOD, locale),
            issues_chart(counts, times, rated, PERIOD, locale),
        ]
    for picture in pictures:
        assert picture.startswith(PNG) and len(picture) > 10_000


def test_a_cjk_font_is_found() -> None:
    """CI installs fonts-noto-cjk; elsewhere the fallback below keeps charts readable."""
    family = charts.cjk_font()
    if family is None:
        pytest.skip("no CJK font on this machine")
    assert family in charts.CJK_FAMILIES
    assert charts.drawable("敬德街 Q4") == "敬德街 Q4"


async def test_without_a_cjk_font_charts_fall_back_to_english(
    sqlite_db: Database, no_cjk_font: None, caplog: pytest.LogCaptureFixture
) -> None:
    counts, times, rated = await figures(sqlite_db)
    with caplog.at_level(logging.WARNING, logger="services.reports.charts"):
        assert charts.cjk_font() is None
        assert charts.cjk_font() is None
    assert caplog.text.count("no CJK font found") == 1
    assert charts.drawable("敬德街 Q4") == "??? Q4"
    i18n = build_i18n("zh_CN")
    with i18n.context(), i18n.use_locale("zh_CN"):
        with chart_language("zh_CN") as drawn:
            assert drawn == "en"
            assert gettext("By station") == "By station"
        assert gettext("By station") == "按联络站"
        # Warnings are errors in the tests: a missing glyph would fail here.
        assert cases_chart(counts, PERIOD, "zh_CN").startswith(PNG)
        assert timings_chart(times, PERIOD, "zh_CN").startswith(PNG)
        assert satisfaction_chart(rated, PERIOD, "zh_CN").startswith(PNG)
    chinese = charts.Chart(
        "社情民意", [charts.Panel("联络站", ["敬德街"], [charts.Series("件", [1])])]
    )
    assert charts.render_png(chinese).startswith(PNG)


def test_an_empty_chart() -> None:
    empty = charts.Chart("Nothing", [charts.Panel("No stations", [], [])], note="A note.")
    assert charts.render_png(empty).startswith(PNG)


async def test_workbooks(sqlite_db: Database) -> None:
    counts, times, rated = await figures(sqlite_db)
    i18n = build_i18n("zh_CN")
    with i18n.context(), i18n.use_locale("zh_CN"):
        book = load_workbook(io.BytesIO(cases_workbook(counts, PERIOD, "全部联络站", "zh_CN")))
    stations = list(book.worksheets[1].iter_rows(values_only=True))
    assert stations[1][:2] == ("敬德街社区社情民意联络站", 5)
    assert [row[1] for row in stations[1:]] == [5, 0, 0, 4, 0, 0, 0]
    assert sum(row[1] for row in book.worksheets[3].iter_rows(min_row=2, values_only=True)) == 9
    with i18n.context(), i18n.use_locale("en"):
        book = load_workbook(io.BytesIO(timings_workbook(times, PERIOD, "All stations", "en")))
        summary = dict(book["Summary"].iter_rows(min_row=2, max_col=2, values_only=True))
        assert (
            summary["Stations"] == "All stations" and summary["Days"] == "2026-10-01 – 2026-12-31"
        )
        assert summary["Share within the due date"] == pytest.approx(4 / 7)
        assert summary["Past the due date without an answer"] == 1
        book = load_workbook(io.BytesIO(satisfaction_workbook(rated, PERIOD, "All", "en")))
    spread = list(book["Ratings"].iter_rows(values_only=True))
    assert spread == [("Stars", "Cases"), (5, 2), (4, 0), (3, 1), (2, 1), (1, 1)]
