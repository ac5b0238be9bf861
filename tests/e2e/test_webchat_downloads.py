"""Files from the web chat download under their own name and type, shown inline only when safe."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import AsyncIterator
from urllib.parse import quote

import pytest
from aiogram.types import BufferedInputFile
from aiohttp.test_utils import TestClient, TestServer
from PIL import Image

from bot.app import AppContext, build_dispatcher
from bot.channels.webchat import WebChat
from bot.server import build_web_app
from tests.e2e.test_webchat_server import Page, bot_messages, open_page

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (3, 2), "red").save(buffer, "PNG")
    return buffer.getvalue()


def zipped() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("sheet.xml", "<x/>")
    return buffer.getvalue()


@pytest.fixture
async def webchat(app: AppContext) -> WebChat:
    return WebChat(app, build_dispatcher(app))


@pytest.fixture
async def client(webchat: WebChat) -> AsyncIterator[TestClient]:
    async with TestClient(TestServer(build_web_app(webchat=webchat))) as test_client:
        yield test_client


async def sent_link(webchat: WebChat, page: Page, name: str, data: bytes) -> str:
    """Send a document to the page as a handler would; the link the page draws for it."""
    await webchat.bot.send_document(page.chat_id, BufferedInputFile(data, filename=name))
    [message] = bot_messages(await page.events())
    assert message["document"]["name"] == name
    return str(message["document"]["url"])


@pytest.mark.parametrize(
    ("name", "data", "content_type", "disposition"),
    [
        ("cases-2026-Q4.xlsx", zipped(), XLSX, "attachment"),
        (
            "meeting-7.ics",
            b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
            "text/calendar; charset=utf-8",
            "attachment",
        ),
        ("minutes.zip", zipped() + b"z", "application/zip", "attachment"),
        ("data.json", b'{"a": 1}', "application/json", "attachment"),
        ("agenda.pdf", b"%PDF-1.7 agenda", "application/pdf", "inline"),
        ("checkin-7.png", png(), "image/png", "inline"),
        ("notes.txt", "会议纪要".encode(), "text/plain; charset=utf-8", "inline"),
        ("notes-gbk.txt", "会议纪要".encode("gbk"), "text/plain", "inline"),
        # Never shown by the browser, whatever they hold: they could run script on our origin.
        ("page.html", b"<script>alert(1)</script>", "text/html", "attachment"),
        ("logo.svg", b"<svg onload='alert(1)'/>", "image/svg+xml", "attachment"),
        # A name that claims a picture or a PDF is shown only when the content is one.
        ("fake.png", b"<script>alert(1)</script>", "image/png", "attachment"),
        ("fake.pdf", b"<html>", "application/pdf", "attachment"),
    ],
)
async def test_each_kind_downloads_with_its_name_and_type(
    client: TestClient,
    webchat: WebChat,
    name: str,
    data: bytes,
    content_type: str,
    disposition: str,
) -> None:
    page = await open_page(client)
    response = await client.get(await sent_link(webchat, page, name, data))
    assert response.status == 200
    assert await response.read() == data
    assert response.headers["Content-Type"] == content_type
    assert response.headers["Content-Disposition"] == (
        f"{disposition}; filename=\"{name}\"; filename*=UTF-8''{name}"
    )
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    if content_type != "application/pdf":
        assert response.headers["Content-Security-Policy"] == "sandbox"
    await page.socket.close()


async def test_a_chinese_name_is_given_in_utf_8_with_an_ascii_fallback(
    client: TestClient, webchat: WebChat
) -> None:
    page = await open_page(client, lang="zh-CN")
    name = "第四季度 案件统计.xlsx"
    response = await client.get(await sent_link(webchat, page, name, zipped()))
    assert response.headers["Content-Type"] == XLSX
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=\"file.xlsx\"; filename*=UTF-8''" + quote(name, safe="")
    )
    await page.socket.close()


async def test_the_same_bytes_keep_each_chats_own_name(
    client: TestClient, webchat: WebChat
) -> None:
    data = zipped()
    first = await open_page(client)
    first_link = await sent_link(webchat, first, "first.xlsx", data)
    client.session.cookie_jar.clear()
    second = await open_page(client)
    second_link = await sent_link(webchat, second, "second.xlsx", data)
    assert first_link.split("?")[0] == second_link.split("?")[0]  # stored once
    first_served = (await client.get(first_link)).headers["Content-Disposition"]
    second_served = (await client.get(second_link)).headers["Content-Disposition"]
    assert 'filename="first.xlsx"' in first_served
    assert 'filename="second.xlsx"' in second_served
    await first.socket.close()
    await second.socket.close()


async def test_mydata_downloads_as_a_named_json_file(client: TestClient) -> None:
    page = await open_page(client)
    await page.say("/start")
    [message] = [m for m in bot_messages(await page.say("/mydata")) if m["document"]]
    name = message["document"]["name"]
    assert re.fullmatch(r"mydata-\d{8}-\d{6}\.json", name)
    response = await client.get(message["document"]["url"])
    assert response.status == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["Content-Disposition"] == (
        f"attachment; filename=\"{name}\"; filename*=UTF-8''{name}"
    )
    assert await response.json()
    await page.socket.close()
