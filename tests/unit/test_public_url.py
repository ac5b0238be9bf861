"""The web chat's public address in links and QR codes; station QR codes named; map links."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import segno
import zxingcpp
from PIL import Image
from pydantic import ValidationError
from typer.testing import CliRunner

from bot.channels.capabilities import web_chat
from bot.cli import app
from bot.qr import station_qr_png
from bot.settings import Settings
from services.reference.maps import AMAP_MARKER


class Memory:
    async def forget_chat(self, chat_id: int, file_ids: object) -> None:
        """Nothing to forget here."""


def settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg,arg-type]


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("https://liaison.example.org", "https://liaison.example.org"),
        ("https://liaison.example.org/", "https://liaison.example.org"),
        ("http://192.168.1.20:8080", "http://192.168.1.20:8080"),
    ],
)
def test_a_public_url_is_kept_as_the_sites_root(given: str, kept: str) -> None:
    assert settings(public_url=given).public_url == kept
    assert settings(public_url=given).web_url == kept


@pytest.mark.parametrize(
    "given",
    [
        "liaison.example.org",
        "ftp://liaison.example.org",
        "https://",
        "https://liaison.example.org/chat",
        "https://liaison.example.org/?start=x",
        "https://liaison.example.org/#top",
        "https://user@liaison.example.org",
        "https://liaison.example.org:port",
        "https://{x}.example.org",
    ],
)
def test_a_public_url_that_would_break_links_is_refused_at_start(given: str) -> None:
    with pytest.raises(ValidationError, match="public_url"):
        settings(public_url=given)


def test_the_listen_address_without_a_public_url() -> None:
    assert settings(web_host="127.0.0.1", web_port=8099).web_url == "http://127.0.0.1:8099"


def test_a_map_template_needs_both_places() -> None:
    assert settings().map_url_template == AMAP_MARKER
    for bad in ("https://maps.example.org/?q={lat}", "geo:{lat},{lon}"):
        with pytest.raises(ValidationError, match="map_url_template"):
            settings(map_url_template=bad)


def test_the_web_chat_writes_whole_links_with_a_public_url() -> None:
    public = web_chat(Memory(), "https://liaison.example.org")
    assert public.deep_link("mt-abc") == "https://liaison.example.org/?start=mt-abc"
    assert web_chat(Memory()).deep_link("mt-abc") == "/?start=mt-abc"


def test_station_qr_codes_and_invites_use_the_public_url(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIAISON_PUBLIC_URL", "https://liaison.example.org/")
    runner = CliRunner()
    runner.invoke(app, ["db", "seed"])
    result = runner.invoke(app, ["stations", "qr", "--out", "codes"])
    assert result.exit_code == 0, result.output
    assert "https://liaison.example.org/?start=st-xq-jingde" in result.output
    [decoded] = zxingcpp.read_barcodes(Image.open(env / "codes" / "xq-jingde.png"))
    assert decoded.text == "https://liaison.example.org/?start=st-xq-jingde"


def test_a_station_qr_code_carries_its_name_under_the_code() -> None:
    link = "https://liaison.example.org/?start=st-xq-jingde"
    bare = io.BytesIO()
    segno.make(link, error="m").save(bare, kind="png", scale=10, border=4)
    bare_size = Image.open(bare).size
    image = Image.open(io.BytesIO(station_qr_png(link, "新厂街道敬德社区委员联络站")))
    assert image.width == bare_size[0] and image.height > bare_size[1] + 30
    [decoded] = zxingcpp.read_barcodes(image)
    assert decoded.text == link
    # A name too long for three lines still leaves a code that scans, under the same width.
    long = Image.open(io.BytesIO(station_qr_png(link, "很长的站名" * 30)))
    assert long.width == bare_size[0] and long.height < bare_size[1] * 2
    assert zxingcpp.read_barcodes(long)[0].text == link
