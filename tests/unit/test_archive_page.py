"""The printable archive: an escaped A4 page, a signed expiring link, one file per member."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer
from typer.testing import CliRunner

from bot.app import AppContext
from bot.archive_routes import archive_link, archive_token, read_token
from bot.channels.webchat import web_secret
from bot.cli import app as cli
from bot.server import build_web_app
from services.assessment.archive import member_archive
from services.assessment.archive_types import Archive, ArchiveActivity, Named
from services.clock import ManualClock
from services.reports.archive_page import render
from services.translation import translated
from tests.support.assessment_ledger import BOOK, YEAR, members
from tests.support.members import TZ
from tests.unit.test_cli_assessment import prepare


async def sample(app: AppContext) -> tuple[Archive, int]:
    ids = await members(app.db)
    async with app.db.session() as session:
        found = await member_archive(
            session, member_id=ids["M001"], year=YEAR, rules=BOOK.for_year(YEAR), tz=TZ
        )
    return found, ids["M001"]


async def test_the_page_escapes_and_prints(app: AppContext) -> None:
    found, _id = await sample(app)
    hostile = ArchiveActivity(
        occurred_on=dt.date(2026, 5, 1),
        kind=Named("liaison-visit", "走访", "Visit"),
        people_count=3,
        place="<b>hall</b>",
        summary="<script>alert(1)</script> 走访社区",
        paired=("李老师",),
        points_c=200,
    )
    page = render(dataclasses.replace(found, activities=(hostile,)), "en")
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;hall&lt;/b&gt;" in page
    assert "@media print" in page and "size: A4" in page
    assert '"Noto Serif CJK SC", "Noto Sans CJK SC", serif' in page
    assert "走访社区" in page and "李老师" in page and found.member_name in page


async def test_the_page_speaks_chinese(app: AppContext) -> None:
    found, _id = await sample(app)
    with translated(app.i18n.locales["zh_CN"]):
        page = render(found, "zh_CN")
    assert 'lang="zh-CN"' in page and "履职档案" in page and "六个一" in page


def test_tokens_name_member_year_and_expiry() -> None:
    secret, now = b"k" * 32, dt.datetime(2026, 11, 20, tzinfo=dt.UTC)
    token = archive_token(secret, 7, 2026, now + dt.timedelta(days=1))
    ticket = read_token(secret, token, now=now)
    assert (ticket.member_id, ticket.year) == (7, 2026)
    link = archive_link(7, 2026, now, secret=secret, base_url="https://x.example/")
    assert link.startswith("https://x.example/archive/7.2026.")


async def test_the_route_serves_and_refuses(app: AppContext) -> None:
    _found, member_id = await sample(app)
    assert isinstance(app.clock, ManualClock)
    secret = web_secret(app.settings)
    now = app.clock.now()
    good = archive_token(secret, member_id, YEAR, now + dt.timedelta(hours=1))
    other_year = good.replace(f".{YEAR}.", f".{YEAR - 1}.")
    expired = archive_token(secret, member_id, YEAR, now - dt.timedelta(seconds=1))
    async with TestClient(TestServer(build_web_app(archive=app))) as client:
        response = await client.get(f"/archive/{good}")
        assert response.status == 200
        assert "no-store" in response.headers["Cache-Control"]
        assert "M001" in await response.text()
        for forged in (other_year, good[:-2] + "00", "1.2026.99999999999.x", "nonsense"):
            refused = await client.get(f"/archive/{forged}")
            assert refused.status == 403, forged
            assert "This link is not valid." in await refused.text()
        gone = await client.get(f"/archive/{expired}?lang=zh_CN")
        assert gone.status == 410 and "此链接已过期" in await gone.text()
        app.clock.advance(dt.timedelta(hours=2))
        assert (await client.get(f"/archive/{good}")).status == 410


def test_the_cli_writes_one_file_per_member(env: Path) -> None:
    prepare(env)
    runner = CliRunner()
    result = runner.invoke(cli, ["assessment", "archive", "--year", "2026", "--out", "out"])
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in (env / "out").iterdir())
    assert files == [f"M00{n}.html" for n in range(1, 9)]
    assert "records written to" in result.output
    one = runner.invoke(cli, ["assessment", "archive", "--year", "2026", "--member", "M003"])
    assert one.exit_code == 0 and (env / "reports" / "archive-2026" / "M003.html").exists()
    assert len(list((env / "reports" / "archive-2026").iterdir())) == 1
    missing = runner.invoke(cli, ["assessment", "archive", "--year", "2026", "--member", "X9"])
    assert missing.exit_code == 1 and "No member has the code 'X9'." in missing.output
