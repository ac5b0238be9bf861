"""QR codes for liaison stations: scanning one opens a report with that station chosen."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import segno

STATION_PAYLOAD_PREFIX = "st-"


@dataclass(frozen=True)
class StationCode:
    """A station's QR code on disk and the link it carries."""

    code: str
    link: str
    path: Path


def station_link(code: str, *, bot_username: str | None, web_base_url: str) -> str:
    """A Telegram deep link when the bot's name is known, else the web chat with a start payload."""
    payload = f"{STATION_PAYLOAD_PREFIX}{code}"
    if bot_username:
        return f"https://t.me/{bot_username}?start={payload}"
    return f"{web_base_url.rstrip('/')}/?start={payload}"


def write_station_qr(code: str, link: str, out_dir: Path) -> StationCode:
    """Write ``<code>.png``; scale 10 prints well on an A5 poster."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{code}.png"
    segno.make(link, error="m").save(str(path), scale=10, border=4)
    return StationCode(code=code, link=link, path=path)
