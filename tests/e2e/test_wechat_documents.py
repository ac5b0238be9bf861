"""Documents on the service account: a signed link to a file the bot's own server keeps."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.settings import Settings
from fakes.wechat_server import FakeWeChat
from services.clock import ManualClock
from tests.conftest import START
from tests.support.wechat_app import wechat_app, wechat_settings, wechat_user

HREF = re.compile(r'<a href="([^"]+)">📎 (mydata-[^<]+\.json)</a>')


@pytest.fixture
async def wechat() -> AsyncIterator[FakeWeChat]:
    async with FakeWeChat() as fake:
        fake.now = lambda: START
        yield fake


async def fetch(url: str) -> tuple[int, bytes, str]:
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        return response.status, await response.read(), response.headers.get("Content-Type", "")


async def test_my_data_comes_as_an_expiring_signed_link(tmp_path: Path, wechat: FakeWeChat) -> None:
    settings: Settings = wechat_settings(tmp_path, wechat)
    clock = ManualClock(START)
    async with wechat_app(settings, clock):
        person = wechat_user(settings, wechat, "o-files-1")
        await person.say("/help")
        status, _ = await person.say("/mydata")
        assert status == 200
        answer = wechat.sent_to(person.openid)[-1]
        assert answer.passive
        assert "The link works for 24 hours." in answer.text
        found = HREF.search(answer.text)
        assert found is not None, answer.text
        url = html.unescape(found.group(1))
        assert url.startswith(f"http://127.0.0.1:{settings.web_port}/wechat/files/")

        status, body, kind = await fetch(url)
        assert status == 200 and kind == "application/json"
        assert json.loads(body)  # the export itself
        stored = list((settings.data_dir / "wechat-files").rglob("mydata-*.json"))
        assert len(stored) == 1 and stored[0].read_bytes() == body

        tampered = re.sub(r"sig=([0-9a-f])", lambda m: "sig=" + "0123"[m.group(1) == "0"], url)
        assert (await fetch(tampered))[0] == 403
        later = re.sub(r"expires=(\d+)", lambda m: f"expires={int(m.group(1)) + 3600}", url)
        assert (await fetch(later))[0] == 403
        other_file = re.sub(r"/wechat/files/[^/]+/", "/wechat/files/AAAAAAAAAAAAAAAAAAAAAAAA/", url)
        assert (await fetch(other_file))[0] == 403

        clock.advance(dt.timedelta(hours=24, seconds=1))
        assert (await fetch(url))[0] == 410
