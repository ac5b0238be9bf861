"""The demo's phone: the bot on fake WeChat platforms, used as a resident and a member would."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.settings import Settings
from fakes.demo import demo_platforms
from services.clock import ManualClock
from tests.conftest import START
from tests.support.processes import free_port
from tests.support.wechat_app import serving

RESIDENT = {"persona": "resident", "id": "o-demo-phone-1"}


@pytest.fixture
async def phone(tmp_path: Path) -> AsyncIterator[str]:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}",
        data_dir=tmp_path / "var",
        web_port=free_port(),
        default_locale="en",
        demo=True,
        _env_file=None,
    )
    async with demo_platforms(settings, phone_port=free_port()) as platforms:
        assert platforms.settings.wechat_enabled and platforms.settings.wecom_enabled
        async with serving(platforms.settings, ManualClock(START)):
            yield platforms.phone_url


async def act(http: aiohttp.ClientSession, url: str, action: str, **body: Any) -> None:
    async with http.post(f"{url}api/{action}", json={**RESIDENT, **body}) as response:
        assert response.status == 200, await response.text()


async def screen(http: aiohttp.ClientSession, url: str, who: dict[str, str]) -> list[str]:
    async with http.get(f"{url}api/log", params=who) as response:
        return [message["html"] for message in (await response.json())["messages"]]


async def test_a_resident_starts_a_report_on_the_phone(phone: str) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.get(phone) as page:
            assert "Resident, service account" in await page.text()
        await act(http, phone, "start")
        await act(http, phone, "menu", key="/report", label="Report")
        shown = await screen(http, phone, RESIDENT)
        assert "Step 1 of 6" in shown[-1], shown
        token = re.search(r'data-token="([^"]+)">Bei', shown[-1])
        assert token is not None, shown[-1]
        await act(http, phone, "tap", token=token.group(1), label="Bei'an")
        shown = await screen(http, phone, RESIDENT)
        assert "Step 2 of 6" in shown[-1], shown
        # What the person typed is shown as text, never as markup.
        await act(http, phone, "say", text="<b>bold</b>")
        assert "&lt;b&gt;bold&lt;/b&gt;" in (await screen(http, phone, RESIDENT))[-2]


async def test_a_resident_needs_a_proper_id(phone: str) -> None:
    query = {"persona": "resident", "id": "x"}
    async with aiohttp.ClientSession() as http, http.get(f"{phone}api/log", params=query) as bad:
        assert bad.status == 400


async def test_the_demo_member_works_in_wecom_on_the_phone(phone: str) -> None:
    member = {"persona": "member"}
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{phone}api/start", json=member) as response:
            assert response.status == 200
        # WeCom's answers are sent after the callback is answered: the screen catches up.
        for _ in range(300):
            shown = await screen(http, phone, member)
            if any("My progress" in html for html in shown):
                break
            await asyncio.sleep(0.05)
        assert any("My progress" in html for html in shown), shown
