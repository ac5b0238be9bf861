"""The demo's WeChat and WeCom: the fake platforms, the bot pointed at them, a phone to use them.

``liaison demo`` runs this when neither channel is configured: the fake service account and
the fake WeCom start on 127.0.0.1, the bot's settings point at them (secure mode, keys made
for the run), and a phone page (``fakes.phone``) lets a person play a resident on the service
account, or the demo member, staff member or department on WeCom.
"""

from __future__ import annotations

import asyncio
import secrets
import string
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

from aiohttp import web
from pydantic import SecretStr

from bot.settings import Settings
from fakes.phone import Phone, phone_app
from fakes.wechat_server import FakeWeChat
from fakes.wecom import FakeWeCom

WECOM_AGENT_ID = 1000002


@dataclass(frozen=True)
class DemoPlatforms:
    """The settings that point the bot at the fakes, and the phone's address."""

    settings: Settings
    phone_url: str


def _aes_key() -> str:
    # WeChat's EncodingAESKey: 43 characters of letters and digits.
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(43))


@asynccontextmanager
async def demo_platforms(settings: Settings, *, phone_port: int) -> AsyncIterator[DemoPlatforms]:
    """Start the fakes and the phone; yield the settings the bot runs with."""
    async with AsyncExitStack() as stack:
        wechat = await stack.enter_async_context(FakeWeChat())
        wecom = await stack.enter_async_context(FakeWeCom())
        wechat_token, wecom_token = secrets.token_hex(8), secrets.token_hex(8)
        wechat_key, wecom_key = _aes_key(), _aes_key()
        configured = settings.model_copy(
            update={
                "wechat_app_id": "wx-demo-account",
                "wechat_app_secret": SecretStr("demo"),
                "wechat_token": SecretStr(wechat_token),
                "wechat_aes_key": SecretStr(wechat_key),
                "wechat_api_url": wechat.base_url,
                "wecom_corp_id": wecom.corp_id,
                "wecom_agent_id": WECOM_AGENT_ID,
                "wecom_secret": SecretStr(wecom.secret),
                "wecom_token": SecretStr(wecom_token),
                "wecom_aes_key": SecretStr(wecom_key),
                "wecom_api_url": wecom.base_url,
            }
        )
        bot_url = f"http://127.0.0.1:{settings.web_port}"
        phone = Phone(
            wechat=wechat,
            wecom=wecom,
            wechat_callback=bot_url + settings.wechat_path,
            wechat_token=wechat_token,
            wechat_aes_key=wechat_key,
            wechat_app_id="wx-demo-account",
            wecom_callback=bot_url + settings.wecom_path,
            wecom_token=wecom_token,
            wecom_aes_key=wecom_key,
            wecom_agent_id=WECOM_AGENT_ID,
        )
        runner = web.AppRunner(phone_app(phone), access_log=None)
        await runner.setup()
        stack.push_async_callback(runner.cleanup)
        site = web.TCPSite(runner, settings.web_host, phone_port)
        await site.start()
        yield DemoPlatforms(configured, f"http://{settings.web_host}:{phone_port}/")


async def serve_with_platforms(settings: Settings, *, phone_port: int) -> None:
    """Run the demo bot with both WeChat channels against the fakes until stopped."""
    from bot.runner import serve

    async with demo_platforms(settings, phone_port=phone_port) as platforms:
        await serve(platforms.settings, seed_demo=True)


def run(settings: Settings, *, phone_port: int) -> None:
    """Blocking entry point for ``liaison demo``."""
    asyncio.run(serve_with_platforms(settings, phone_port=phone_port))
