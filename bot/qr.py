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


def write_station_qr(code: str, link: str, out_dir: Path) -> StationCode:
    """Write ``<code>.png``; scale 10 prints well on an A5 poster."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{code}.png"
    segno.make(link, error="m").save(str(path), scale=10, border=4)
    return StationCode(code=code, link=link, path=path)
