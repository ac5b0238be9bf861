"""Report builders write in the language the shell sets through ``services.translation``.

The builders never ask aiogram: the CLI and the chat set the reader's catalogue, and a
block without one reads in the msgids, which are English.
"""

from __future__ import annotations

import datetime as dt
import gettext as stdlib_gettext
import io
from pathlib import Path
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import gettext as aiogram_gettext
from openpyxl import load_workbook
from openpyxl.workbook import Workbook
from typer.testing import CliRunner

from bot.cli import app
from bot.i18n import DOMAIN, build_i18n, compiled_catalogue_dir
from services.cases.labels import status_label
from services.members.labels import group_label
from services.reports.case_summary import cases_summary
from services.reports.case_workbook import cases_workbook
from services.reports.cases import CaseCounts, Reach, case_counts, named_period
from services.translation import gettext, ngettext, translated
from storage.db import Database
from storage.enums import IssueStatus
from storage.models import ChatIdentity, Issue
from tests.support.notices import notifier
from tests.unit.test_issue_stats import load_fixture

TZ = ZoneInfo("Asia/Shanghai")
PERIOD = named_period("quarter", dt.date(2026, 11, 20))


def catalogue(locale: str) -> stdlib_gettext.NullTranslations:
    """A compiled catalogue under locales/, as the shell loads it."""
    return stdlib_gettext.translation(DOMAIN, compiled_catalogue_dir(), languages=[locale])


async def counted(db: Database) -> CaseCounts:
    await load_fixture(db)
    async with db.session() as session:
        return await case_counts(session, reach=Reach(PERIOD, TZ))


def book_of(data: bytes) -> Workbook:
    return load_workbook(io.BytesIO(data))


async def test_a_workbook_has_its_headings_in_the_language_it_is_built_in(
    sqlite_db: Database,
) -> None:
    counts = await counted(sqlite_db)
    with translated(catalogue("zh_CN")):
        chinese = book_of(cases_workbook(counts, PERIOD, "全部联络站", "zh_CN"))
        summary = cases_summary(counts, PERIOD, "全部联络站", "zh_CN")
    assert chinese.sheetnames == ["摘要", "按联络站", "按类别", "按状态"]
    assert chinese.properties.title == "收到的诉求，2026 年第 4 季度（2026-10-01 – 2026-12-31）"
    assert next(chinese["按联络站"].iter_rows(values_only=True))[:3] == ("联络站", "诉求", "已收到")
    assert summary.startswith("收到的诉求，2026 年第 4 季度")

    with translated(catalogue("en")):
        english = book_of(cases_workbook(counts, PERIOD, "All stations", "en"))
    assert english.sheetnames == ["Summary", "By station", "By category", "By status"]
    assert english.properties.title == "Cases received, 2026 Q4 (2026-10-01 – 2026-12-31)"
    header = next(english["By station"].iter_rows(values_only=True))
    assert header[:3] == ("Station", "Cases", "Received")


def test_a_translated_block_ends_where_it_ends() -> None:
    assert gettext("Summary") == "Summary"
    with translated(catalogue("zh_CN")):
        assert gettext("Summary") == "摘要"
        assert status_label("assigned") == "办理中"
        assert group_label("standing") == "常委"
        with translated(None):
            assert gettext("Summary") == "Summary"
        assert gettext("Summary") == "摘要"
    assert status_label("assigned") == "Being handled"
    assert ngettext("{n} case", "{n} cases", 1) == "{n} case"
    assert ngettext("{n} case", "{n} cases", 2) == "{n} cases"


def test_the_bots_catalogues_set_the_language_of_the_services() -> None:
    i18n = build_i18n("zh_CN")
    with i18n.context():
        # Both gettexts follow the default language, then the one an update picks.
        assert aiogram_gettext("Summary") == gettext("Summary") == "摘要"
        with i18n.use_locale("en"):
            assert aiogram_gettext("Summary") == gettext("Summary") == "Summary"
            assert status_label("assigned") == "Being handled"
        assert status_label("assigned") == "办理中"
    assert gettext("Summary") == "Summary"


def test_a_notice_names_the_status_in_the_recipients_language() -> None:
    """Notices render outside any update; the status name still follows the recipient."""
    issue = Issue(id=1, number="2026-000001", status=IssueStatus.ACCEPTED)
    chat = ChatIdentity(channel="telegram", chat_id=1, locale="zh_CN")
    text = notifier(build_i18n("en")).render("case-status", chat, issue=issue, own=issue).text
    assert "<b>已受理</b>" in text
    chat.locale = "en"
    text = notifier(build_i18n("zh_CN")).render("case-status", chat, issue=issue, own=issue).text
    assert "<b>Accepted</b>" in text


def test_the_cli_writes_its_files_in_the_language_it_is_asked_for(env: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["db", "seed"]).exit_code == 0
    quarter = ["report", "quarter", "--year", "2026", "--quarter", "4", "--locale", "zh_CN"]
    result = runner.invoke(app, quarter)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("联系界别群众最低要求完成情况，2026 年第 4 季度")
    book = load_workbook(env / "reports" / "minimums-2026-Q4.xlsx")
    assert book.sheetnames == ["委员", "按界别", "按分组"]
    assert next(book["委员"].iter_rows(values_only=True))[:4] == ("编号", "姓名", "界别", "分组")
