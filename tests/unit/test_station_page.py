"""A station's public page: upcoming announced sessions and today's duty, escaped, zh and en."""

from __future__ import annotations

import datetime as dt

from aiohttp.test_utils import TestClient, TestServer

from bot.app import AppContext
from bot.server import build_web_app
from services.accounts.scope import scope_of
from services.accounts.staff import add_staff
from services.reference.catalog import list_stations
from services.reports.station_page import station_link
from services.stations.rota import set_turn
from services.stations.sessions import SessionDraft, cancel_session, schedule_session
from tests.support.members import NOW, import_sample, member_by_code
from tests.support.notices import TZ


async def test_the_page_lists_sessions_and_duty(app: AppContext) -> None:
    await import_sample(app.db)
    member = await member_by_code(app.db, "M001")
    async with app.db.session() as session:
        station = (await list_stations(session))[0]
        scope = await scope_of(session, await add_staff(session, name="Admin", now=NOW))
        starts = NOW + dt.timedelta(days=2)
        for title in ("Parking <script>alert(1)</script>", "Withdrawn session"):
            row = await schedule_session(
                session,
                scope=scope,
                draft=SessionDraft(
                    station_id=station.id or 0,
                    title=title,
                    starts_at=starts,
                    ends_at=starts + dt.timedelta(hours=2),
                    venue="Hall & garden",
                ),
                notifier=app.notifier,
                now=NOW,
            )
        await cancel_session(
            session, scope=scope, session_id=row.id or 0, notifier=app.notifier, now=NOW
        )
        await set_turn(
            session,
            scope=scope,
            station_id=station.id or 0,
            member_id=member.id or 0,
            day=NOW.astimezone(TZ).date(),
            start_hour=9,
            end_hour=12,
            now=NOW,
            tz=TZ,
        )
    link = station_link("https://bot.example", station.id or 0, "en")
    path = link.removeprefix("https://bot.example")
    async with TestClient(TestServer(build_web_app(archive=app))) as client:
        english = await client.get(path)
        text = await english.text()
        assert english.status == 200
        assert 'lang="en"' in text
        assert "Parking &lt;script&gt;" in text and "<script>alert" not in text
        assert "Hall &amp; garden" in text and "Withdrawn session" not in text
        assert "Open to all, no sign-up needed." in text
        assert f"{member.name} · " in text and "09:00–12:00" in text
        chinese = await client.get(f"/stations/{station.id}")
        page = await chinese.text()
        assert 'lang="zh-CN"' in page and "无需报名" in page and "今日值班" in page
        assert (await client.get("/stations/99999")).status == 404
        assert (await client.get("/stations/abc")).status == 404
