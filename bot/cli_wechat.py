"""``liaison wechat``: the service account's custom menu, and its station QR codes.

The menu's items are CLICK buttons whose keys are the bot's own commands: the callback turns
the tap into that command (bot/channels/wechat/convert.py), so the menu needs no code of its
own. A station's QR code is a permanent parametric one (``QR_LIMIT_STR_SCENE``) whose scene
is the ``/start`` payload of the station's Telegram deep link: scanning it subscribes (or
returns) to the account and opens a report at that station.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import typer

from bot.channels.wechat.api import WeChatApi, WeChatApiError
from bot.cli_common import cli_settings, fail, localized
from bot.qr import STATION_PAYLOAD_PREFIX, write_station_qr
from bot.settings import Settings
from services.reference.catalog import display_name, list_stations
from services.translation import gettext as _
from storage.db import Database
from storage.migrate import upgrade

wechat_app = typer.Typer(help="The WeChat service account.", no_args_is_help=True)

# WeChat's limits on a menu item's name, in bytes of UTF-8: a top item, an item under it.
TOP_NAME_BYTES = 16
SUB_NAME_BYTES = 60
QR_FILE_SUFFIX = "-wechat"


def menu_buttons() -> list[dict[str, Any]]:
    """The custom menu in the language of the command: report, my issues; stations, help."""
    return [
        {"type": "click", "name": _("Report an issue"), "key": "/report"},
        {"type": "click", "name": _("My issues"), "key": "/myissues"},
        {
            "name": _("More"),
            "sub_button": [
                {"type": "click", "name": _("📍 Liaison stations"), "key": "/stations"},
                {"type": "click", "name": _("❓ Help"), "key": "/help"},
            ],
        },
    ]


def _api(settings: Settings) -> WeChatApi:
    if not settings.wechat_enabled:
        fail(
            _(
                "The WeChat service account is not set up: set LIAISON_WECHAT_APP_ID, "
                "LIAISON_WECHAT_APP_SECRET and LIAISON_WECHAT_TOKEN."
            )
        )
    assert settings.wechat_app_id is not None
    assert settings.wechat_app_secret is not None
    return WeChatApi(
        settings.wechat_api_url,
        settings.wechat_app_id,
        settings.wechat_app_secret.get_secret_value(),
    )


@wechat_app.command("menu")
@localized
def wechat_menu() -> None:
    """Publish the service account's custom menu in the committee's language."""
    settings = cli_settings()
    api = _api(settings)
    buttons = menu_buttons()

    async def publish() -> None:
        try:
            await api.create_menu(buttons)
        finally:
            await api.close()

    try:
        asyncio.run(publish())
    except WeChatApiError as error:
        fail(_("WeChat refused: {error}").format(error=error))
    names = [button["name"] for button in buttons[:2]] + [
        item["name"] for item in buttons[2]["sub_button"]
    ]
    typer.echo(_("Menu published: {items}.").format(items=_(", ").join(names)))


async def wechat_station_codes(
    settings: Settings, db: Database, out: Path
) -> list[tuple[str, str, Path]]:
    """Each station's QR code as ``<code>-wechat.png``: (its name, the code's content, file)."""
    api = _api(settings)
    await upgrade(db)
    async with db.session() as session:
        stations = await list_stations(session)
    rows = []
    try:
        for station in stations:
            content = await api.qr_code(f"{STATION_PAYLOAD_PREFIX}{station.code}")
            title = display_name(station, settings.default_locale)
            written = write_station_qr(station.code, content, out, title, suffix=QR_FILE_SUFFIX)
            rows.append((title, content, written.path))
    except WeChatApiError as error:
        fail(_("WeChat refused: {error}").format(error=error))
    finally:
        await api.close()
    return rows
