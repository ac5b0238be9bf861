"""The published handling list: public registered proposals only, escaped, in two languages."""

from __future__ import annotations

import datetime as dt

from aiohttp.test_utils import TestClient, TestServer

from bot.app import AppContext
from bot.handling_routes import page_locale
from bot.server import build_web_app
from services.reports.handling_page import (
    handling_link,
    public_proposals,
    published_years,
    render,
)
from services.translation import translated
from storage.db import Database
from tests.support.members import import_sample, member_by_code
from tests.support.pipeline_list_rows import add_handling, add_proposal, at, department_ids


async def published(db: Database) -> int:
    """A public proposal answered twice, a private one, a public draft, a public one of 2025."""
    await import_sample(db)
    member = await member_by_code(db, "M001")
    a = min((await department_ids(db)).values())
    _pid, (one, two) = await add_proposal(
        db,
        number="2026-T-0001",
        title="On <b>parking</b>",
        items=("More spaces <script>alert(1)</script>", "Shared lots"),
        public=True,
        member_id=member.id,
        satisfaction="basic",
        situation="My neighbour 李四 at 13800000000",
    )
    await add_handling(
        db,
        suggestion_id=one,
        department_id=a,
        due_at=at(2026, 5, 1),
        answered_at=at(2026, 5, 1),
        answer="First answer",
        adoption="partly",
    )
    await add_handling(
        db,
        suggestion_id=one,
        department_id=a,
        round=2,
        due_at=at(2026, 8, 1),
        answered_at=at(2026, 8, 1),
        answer="Built 200 spaces & more",
        adoption="adopted",
    )
    await add_handling(db, suggestion_id=two, department_id=a, due_at=at(2026, 12, 1))
    await add_proposal(db, number="2026-T-0002", title="Private one", member_id=member.id)
    await add_proposal(
        db, number="2026-T-0003", title="A sector's", public=True, sector_id=member.sector_id
    )
    await add_proposal(
        db, number=None, title="Public draft", state="draft", public=True, member_id=member.id
    )
    await add_proposal(
        db,
        number="2025-T-0007",
        title="Last year's",
        public=True,
        member_id=member.id,
        submitted_on=dt.date(2025, 6, 1),
    )
    return a


async def test_only_public_registered_proposals_with_the_standing_answer(db: Database) -> None:
    await published(db)
    async with db.session() as session:
        found = await public_proposals(session, year=2026)
        years = await published_years(session)
    assert [p.number for p in found] == ["2026-T-0001", "2026-T-0003"]
    assert years == [2026, 2025]
    proposal, by_sector = found
    assert by_sector.proposer is None and by_sector.sector_zh == proposal.sector_zh
    assert proposal.proposer == "张建华" and proposal.sector_zh and proposal.satisfaction == "basic"
    first, second = proposal.items
    assert (first.answer, first.adoption) == ("Built 200 spaces & more", "adopted")
    assert second.answer is None and second.text == "Shared lots"


async def test_the_page_escapes_and_keeps_personal_details_out(db: Database) -> None:
    await published(db)
    async with db.session() as session:
        found = await public_proposals(session, year=2026)
    page = render(found, year=2026, years=[2026, 2025], locale="en")
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "On &lt;b&gt;parking&lt;/b&gt;" in page and "Built 200 spaces &amp; more" in page
    assert "张建华" in page and "Being handled." in page and "basically satisfied" in page
    assert "13800000000" not in page and "李四" not in page and "First answer" not in page
    assert "Private one" not in page and "Public draft" not in page
    assert 'href="?year=2025&amp;lang=en"' in page
    assert "Proposed by the sector " in page and "Proposed by 张建华 (" in page


def test_the_visitors_language() -> None:
    available = {"zh_CN", "en"}
    assert page_locale("en", "zh-CN", available) == "en"
    assert page_locale("", "", available) == "zh_CN"
    assert page_locale("fr", "en-GB,en;q=0.9,zh;q=0.5", available) == "en"
    assert page_locale("", "zh-TW;q=0.9,en;q=0.8", available) == "zh_CN"
    assert page_locale("", "fr;q=1,en;q=bad,de", available) == "zh_CN"
    assert page_locale("", "de,en;q=0.3", available) == "en"
    assert handling_link("https://x.example/", "en") == "https://x.example/handling?lang=en"


async def test_the_route_serves_the_page(app: AppContext) -> None:
    await published(app.db)
    async with TestClient(TestServer(build_web_app(archive=app))) as client:
        chinese = await client.get("/handling?year=2026")
        text = await chinese.text()
        assert chinese.status == 200 and 'lang="zh-CN"' in text
        assert "提案办理情况" in text and "基本满意" in text
        english = await client.get("/handling", headers={"Accept-Language": "en-US,en"})
        assert 'lang="en"' in await english.text()
        other = await client.get("/handling?year=2025&lang=en")
        assert "Last year&#x27;s" in await other.text()
        odd = await client.get("/handling?year=20266666&lang=en")
        assert odd.status == 200


async def test_the_page_in_chinese(app: AppContext) -> None:
    with translated(app.i18n.locales["zh_CN"]):
        page = render([], year=2026, years=[], locale="zh_CN")
    assert 'lang="zh-CN"' in page and "尚未公开" in page
