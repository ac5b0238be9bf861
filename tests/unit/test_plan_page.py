"""The public page of the published consultation plan: only a published plan, escaped, zh/en."""

from __future__ import annotations

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.app import AppContext
from bot.server import build_web_app
from services.accounts.scope import StaffScope
from services.audit import Actor
from services.members.rules import RuleBook
from services.reports.plan_page import plan_link
from services.topics.desk import add_topic_by_hand
from services.topics.plan import PlanChoice, add_to_plan, publish_plan
from storage.db import Database, write_transaction
from storage.enums import TopicSource
from storage.models import SpecialCommittee
from tests.support.members import NOW
from tests.support.notices import notifier

ADMIN = StaffScope(staff_id=0, name="王芳", admin=True, station_ids=frozenset())


async def plan_with(db: Database, title: str, *, publish: bool) -> None:
    async with db.session() as session, write_transaction(session):
        committee = (
            await session.execute(
                select(SpecialCommittee).where(SpecialCommittee.code == "economy")
            )
        ).scalar_one()
        topic = await add_topic_by_hand(
            session,
            scope=ADMIN,
            year=2026,
            source=TopicSource.GOVERNMENT_REQUEST,
            title=title,
            description="<script>alert(1)</script>",
            long_running=True,
            actor=Actor.cli(),
            now=NOW,
        )
        await add_to_plan(
            session,
            scope=ADMIN,
            topic_id=topic.id or 0,
            choice=PlanChoice(committee.id or 0, 6, "thematic", key=True),
            rules=RuleBook().for_year(2026),
            actor=Actor.cli(),
            now=NOW,
        )
        if publish:
            await publish_plan(
                session, scope=ADMIN, year=2026, actor=Actor.cli(), notifier=notifier(), now=NOW
            )


def test_the_link() -> None:
    assert plan_link("https://chat.example.org/", 2026, "en") == (
        "https://chat.example.org/plan/2026?lang=en"
    )


async def test_a_draft_is_not_shown(app: AppContext) -> None:
    await plan_with(app.db, "营商环境<优化>", publish=False)
    async with TestClient(TestServer(build_web_app(archive=app))) as client:
        page = await client.get("/plan/2026?lang=en")
        text = await page.text()
    assert page.status == 200
    assert "营商环境" not in text and "not published yet" in text


async def test_the_published_plan_in_both_languages(app: AppContext) -> None:
    await plan_with(app.db, "营商环境<优化>", publish=True)
    async with TestClient(TestServer(build_web_app(archive=app))) as client:
        chinese = await client.get("/plan/2026")
        text = await chinese.text()
        assert chinese.status == 200 and 'lang="zh-CN"' in text
        assert "2026年度协商计划" in text and "6月" in text and "重点议题" in text
        assert "营商环境&lt;优化&gt;" in text and "<script>" not in text
        assert "长线协商议题" in text and "专题协商" in text
        english = await client.get("/plan/2026?lang=en")
        text = await english.text()
        assert 'lang="en"' in text and "Economic Committee" in text and "Month 6" in text
        assert "key topic" in text and "Version 1" in text
        missing = await client.get("/plan/20xx")
        assert missing.status == 404
