"""QR codes for liaison stations: scanning one opens a report with that station chosen.

A code carries the station's Telegram deep link (or web chat link), or the content of the
service account's parametric QR code for the station (bot/cli_wechat.py).

Each code carries the station's name under it, in the charts' CJK font, so a printed sheet
says which door it belongs on.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

import segno
from PIL import Image, ImageDraw, ImageFont

from services.reports.charts import cjk_font, drawable

STATION_PAYLOAD_PREFIX = "st-"
# Scale 10 prints well on an A5 poster; the quiet zone is the four modules scanners expect.
SCALE = 10
BORDER = 4
FONT_SIZE = 34
LINE_GAP = 10
MAX_LINES = 3
# A Chinese character, or a word with the spaces after it, or spaces: where a line may break.
PIECES = re.compile(r"[\u2e80-\uffef]|[^\s\u2e80-\uffef]+\s*|\s+")


@dataclass(frozen=True)
class StationCode:
    """A station's QR code on disk and the link it carries."""

    code: str
    link: str
    path: Path


def _font() -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """The charts' CJK font at the label's size; DejaVu Sans (or Pillow's own) without it."""
    from matplotlib import font_manager

    family = cjk_font() or "DejaVu Sans"
    path = font_manager.findfont(font_manager.FontProperties(family=family))
    try:
        return ImageFont.truetype(path, FONT_SIZE)
    except OSError:
        return ImageFont.load_default(FONT_SIZE)


def _lines(text: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont, width: int) -> list[str]:
    """``text`` wrapped to ``width`` pixels, at most ``MAX_LINES`` lines (the last cut with …)."""
    lines: list[str] = []
    line = ""
    for piece in PIECES.findall(" ".join(text.split())):
        if line and font.getlength(line + piece.rstrip()) > width:
            lines.append(line.rstrip())
            line = piece.lstrip()
        else:
            line += piece
    if line.strip():
        lines.append(line.rstrip())
    if len(lines) > MAX_LINES:
        last = lines[MAX_LINES - 1]
        while last and font.getlength(last + "…") > width:
            last = last[:-1]
        lines = [*lines[: MAX_LINES - 1], last + "…"]
    return lines


def station_qr_png(link: str, name: str) -> bytes:
    """The PNG of a QR code for ``link`` with ``name`` written under it."""
    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind="png", scale=SCALE, border=BORDER)
    code = Image.open(io.BytesIO(buffer.getvalue())).convert("L")
    font = _font()
    margin = SCALE * BORDER
    lines = _lines(drawable(name), font, code.width - 2 * margin)
    ascent, descent = font.getmetrics() if isinstance(font, ImageFont.FreeTypeFont) else (30, 10)
    line_height = ascent + descent
    text_height = len(lines) * line_height + max(len(lines) - 1, 0) * LINE_GAP
    # The text sits in the code's bottom quiet zone and below it, with a margin of its own.
    image = Image.new("L", (code.width, code.height + text_height + margin // 2), 255)
    image.paste(code, (0, 0))
    draw = ImageDraw.Draw(image)
    top = code.height - margin // 2
    for line in lines:
        left = (code.width - font.getlength(line)) / 2
        draw.text((left, top), line, fill=0, font=font)
        top += line_height + LINE_GAP
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def write_station_qr(
    code: str, link: str, out_dir: Path, name: str = "", *, suffix: str = ""
) -> StationCode:
    """Write ``<code><suffix>.png``: the code, and ``name`` (the station's, else its code) under it.

    ``suffix`` keeps another channel's codes (``-wechat``) beside the Telegram ones.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{code}{suffix}.png"
    path.write_bytes(station_qr_png(link, name or code))
    return StationCode(code=code, link=link, path=path)
