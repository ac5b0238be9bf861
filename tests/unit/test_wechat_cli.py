"""``liaison wechat menu`` and ``liaison stations qr --channel wechat`` against the fake WeChat."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from bot.cli import app
from bot.cli_wechat import SUB_NAME_BYTES, TOP_NAME_BYTES
from bot.qr import STATION_PAYLOAD_PREFIX
from fakes.wechat_server import FakeWeChat


@pytest.fixture
def fake() -> Iterator[FakeWeChat]:
    """The fake server on a loop of its own: the commands run their own ``asyncio.run``."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    server = FakeWeChat()
    asyncio.run_coroutine_threadsafe(server.__aenter__(), loop).result(timeout=10)
    try:
        yield server
    finally:
        asyncio.run_coroutine_threadsafe(server.__aexit__(None, None, None), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()


@pytest.fixture
def configured(tmp_path: Path, fake: FakeWeChat, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LIAISON_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("LIAISON_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("LIAISON_DEFAULT_LOCALE", "zh_CN")
    monkeypatch.delenv("LIAISON_TELEGRAM_TOKEN", raising=False)
    monkeypatch.setenv("LIAISON_WECHAT_APP_ID", "wx-fake-app")
    monkeypatch.setenv("LIAISON_WECHAT_APP_SECRET", "secret")
    monkeypatch.setenv("LIAISON_WECHAT_TOKEN", "token")
    monkeypatch.setenv("LIAISON_WECHAT_API_URL", fake.base_url)
    return tmp_path


def keys(menu: list[dict[str, object]]) -> list[object]:
    items: list[dict[str, object]] = []
    for button in menu:
        subs = button.get("sub_button")
        items.extend(subs if isinstance(subs, list) else [button])
    return [item["key"] for item in items]


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_menu_is_published_in_the_committee_language(
    configured: Path, fake: FakeWeChat, monkeypatch: pytest.MonkeyPatch, locale: str
) -> None:
    monkeypatch.setenv("LIAISON_DEFAULT_LOCALE", locale)
    result = CliRunner().invoke(app, ["wechat", "menu"])
    assert result.exit_code == 0, result.output
    assert fake.menu is not None
    assert keys(fake.menu) == ["/report", "/myissues", "/stations", "/help"]
    names = [str(button["name"]) for button in fake.menu]
    assert all(len(name.encode()) <= TOP_NAME_BYTES for name in names)
    subs = fake.menu[2]["sub_button"]
    assert all(len(str(item["name"]).encode()) <= SUB_NAME_BYTES for item in subs)
    if locale == "zh_CN":
        assert names[:2] == ["反映问题", "我的反映"]
        assert "菜单已发布" in result.output
    else:
        assert names[:2] == ["Report an issue", "My issues"]
        assert "Menu published: Report an issue, My issues" in result.output


def test_menu_refused_without_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LIAISON_WECHAT_APP_ID", raising=False)
    result = CliRunner().invoke(app, ["wechat", "menu", "--locale", "en"])
    assert result.exit_code == 1
    assert "LIAISON_WECHAT_APP_ID" in result.output


def test_station_codes_carry_the_start_payload(configured: Path, fake: FakeWeChat) -> None:
    assert CliRunner().invoke(app, ["db", "seed"]).exit_code == 0
    result = CliRunner().invoke(
        app, ["stations", "qr", "--channel", "wechat", "--out", "codes", "--locale", "en"]
    )
    assert result.exit_code == 0, result.output
    scenes = [
        body["action_info"]["scene"]["scene_str"]
        for name, body in fake.calls
        if name == "qrcode_create"
    ]
    assert scenes and all(scene.startswith(STATION_PAYLOAD_PREFIX) for scene in scenes)
    assert {body["action_name"] for name, body in fake.calls if name == "qrcode_create"} == {
        "QR_LIMIT_STR_SCENE"
    }
    files = sorted((configured / "codes").glob("*-wechat.png"))
    assert len(files) == len(scenes)
    code = scenes[0].removeprefix(STATION_PAYLOAD_PREFIX)
    assert f"http://weixin.qq.com/q/{scenes[0]}" in result.output
    with Image.open(configured / "codes" / f"{code}-wechat.png") as image:
        assert image.format == "PNG" and image.width > 200
