"""The bot running against the fake WeCom, and WeCom people talking to it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from bot.runner import serve
from bot.settings import Settings
from fakes.wecom import FakeWeCom, Sent
from fakes.wecom_people import WeComPeople
from services.clock import ManualClock
from storage.db import Database
from tests.support.processes import free_port

TOKEN = "wecom-callback-token"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
AGENT_ID = 1000002


def wecom_settings(tmp_path: Path, fake: FakeWeCom, **overrides: Any) -> Settings:
    """Settings of a bot with only the web chat and WeCom, WeCom on the fake."""
    values: dict[str, Any] = {
        "database_url": f"sqlite+aiosqlite:///{tmp_path / 'liaison.db'}",
        "data_dir": tmp_path / "var",
        "web_port": free_port(),
        "default_locale": "en",
        "wecom_corp_id": fake.corp_id,
        "wecom_agent_id": AGENT_ID,
        "wecom_secret": SecretStr(fake.secret),
        "wecom_token": SecretStr(TOKEN),
        "wecom_aes_key": SecretStr(AES_KEY),
        "wecom_api_url": fake.base_url,
        "_env_file": None,
    }
    values.update(overrides)
    return Settings(**values)


@asynccontextmanager
async def running_bot(settings: Settings, clock: ManualClock) -> AsyncIterator[None]:
    """The whole bot (demo data seeded) until the block ends."""
    stop = asyncio.Event()
    task = asyncio.create_task(serve(settings, seed_demo=True, clock=clock, stop=stop))
    try:
        await _until_up(settings, task)
        yield
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=15)


async def _until_up(settings: Settings, task: asyncio.Task[None]) -> None:
    import aiohttp

    url = f"http://127.0.0.1:{settings.web_port}/healthz"
    async with aiohttp.ClientSession() as http:
        for _ in range(600):
            if task.done():
                task.result()
            try:
                async with http.get(url) as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            # The server is started by another task; this is its readiness probe.
            await asyncio.sleep(0.05)
    raise TimeoutError("the bot did not start")


def people(fake: FakeWeCom, settings: Settings) -> WeComPeople:
    """People posting to the running bot's callback URL."""
    url = f"http://127.0.0.1:{settings.web_port}{settings.wecom_path}"
    return WeComPeople(fake, url=url, token=TOKEN, aes_key=AES_KEY, agent_id=AGENT_ID)


class WeComUser:
    """One person in the app: says, clicks and waits for what the bot sends back."""

    def __init__(self, fake: FakeWeCom, crowd: WeComPeople, userid: str) -> None:
        self.fake = fake
        self.crowd = crowd
        self.userid = userid

    def seen(self) -> int:
        return len(self.fake.delivered(self.userid))

    async def expect(self, fragment: str, *, after: int = 0, timeout: float = 15) -> Sent:
        def found() -> Sent | None:
            for sent in self.fake.delivered(self.userid)[after:]:
                if fragment in sent.text:
                    return sent
            return None

        result: Sent = await self.fake.wait_for(found, timeout=timeout, what=repr(fragment))
        return result

    async def say(self, text: str, expect: str) -> Sent:
        mark = self.seen()
        assert await self.crowd.text(self.userid, text) == 200
        return await self.expect(expect, after=mark)

    async def click(self, card: Sent, label: str, expect: str) -> Sent:
        mark = self.seen()
        updates = card.updates
        assert await self.crowd.click(self.userid, card, label) == 200

        def answered() -> Sent | None:
            if card.updates > updates and expect in card.text:
                return card
            for sent in self.fake.delivered(self.userid)[mark:]:
                if expect in sent.text:
                    return sent
            return None

        result: Sent = await self.fake.wait_for(answered, timeout=15, what=repr(expect))
        return result

    async def choose(self, sent: Sent, label: str, expect: str) -> Sent:
        """Press ``label``: a card's button, or the number of a numbered option."""
        if any(label in text for text, _key in sent.buttons):
            return await self.click(sent, label, expect)
        for line in sent.text.splitlines():
            number, dot, rest = line.partition(". ")
            if dot and number.isdigit() and label in rest:
                return await self.say(number, expect)
        raise AssertionError(f"no {label!r} option in {sent.text!r}")

    def latest_card(self) -> Sent:
        cards = [s for s in self.fake.delivered(self.userid) if s.msgtype == "template_card"]
        assert cards, "no card was sent"
        return cards[-1]


@asynccontextmanager
async def database(settings: Settings) -> AsyncIterator[Database]:
    """The running bot's database, opened beside it."""
    db = Database(settings.database_url)
    try:
        yield db
    finally:
        await db.dispose()
