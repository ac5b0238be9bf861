"""The web chat under hostile input: malformed requests, foreign origins, proxies, logs."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import ClientSession, WSServerHandshakeError
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import AppContext, build_dispatcher
from bot.channels.webchat import WebChat
from bot.channels.webchat.identity import COOKIE_NAME
from bot.channels.webchat.media import LINK_TTL
from bot.server import build_web_app, web_runner
from services.clock import ManualClock
from tests.browser.test_webchat import tiny_png
from tests.support.processes import free_port

FUZZ = settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Text a header or cookie can carry: printable Latin-1 plus the odd Unicode digit.
HEADER_TEXT = st.text(
    alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters=";,\x7f")
    | st.sampled_from("²³¹٣०"),
    max_size=80,
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
FRAME_KEYS = ("type", "id", "text", "data", "message_id", "file_id", "latitude", "longitude")
FRAMES = st.dictionaries(
    st.sampled_from(FRAME_KEYS),
    JSON | st.sampled_from(["text", "callback", "file", "location", "contact"]),
    max_size=6,
)


@pytest.fixture
async def webchat(app: AppContext) -> WebChat:
    return WebChat(app, build_dispatcher(app))


@pytest.fixture
async def client(webchat: WebChat) -> AsyncIterator[TestClient]:
    async with TestClient(TestServer(build_web_app(webchat=webchat))) as test_client:
        yield test_client


@pytest.fixture
async def proxied(app: AppContext) -> AsyncIterator[TestClient]:
    """A server behind a trusted proxy: each request may come from another address."""
    app.settings = app.settings.model_copy(update={"trust_proxy": True})
    webchat = WebChat(app, build_dispatcher(app))
    async with TestClient(TestServer(build_web_app(webchat=webchat))) as test_client:
        yield test_client


@pytest.fixture
def errors(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Every log record; a test asserts none of them is an error with a traceback."""
    caplog.set_level(logging.INFO)
    return caplog


def assert_no_errors(caplog: pytest.LogCaptureFixture) -> None:
    bad = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert not bad, [r.getMessage() for r in bad]
    caplog.clear()


async def cookie_of(client: TestClient) -> str:
    """A new browser's signed cookie; the client's jar keeps it for the next requests."""
    client.session.cookie_jar.clear()
    response = await client.get("/")
    assert response.status == 200
    return response.cookies[COOKIE_NAME].value


# --- the cases found by hand ------------------------------------------------------------------


async def test_a_unicode_digit_in_the_cookie_is_a_stranger(
    client: TestClient, errors: pytest.LogCaptureFixture
) -> None:
    forged = {"Cookie": f"{COOKIE_NAME}=².aaaa"}
    page = await client.get("/", headers=forged)
    assert page.status == 200 and COOKIE_NAME in page.cookies
    client.session.cookie_jar.clear()
    with pytest.raises(WSServerHandshakeError) as refused:
        await client.ws_connect("/webchat/ws", headers=forged)
    assert refused.value.status == 403
    upload = await client.post("/webchat/upload", headers=forged, data=b"x")
    assert upload.status == 403
    assert_no_errors(errors)


async def test_a_media_link_with_a_unicode_chat_id_is_refused(
    client: TestClient, errors: pytest.LogCaptureFixture
) -> None:
    for chat in ("²", "٣", "9" * 5000, "-1", ""):
        response = await client.get(f"/webchat/media/web-{'a' * 40}", params={"c": chat, "t": "x"})
        assert response.status == 403, chat
    assert_no_errors(errors)


async def test_a_large_multipart_body_without_a_boundary_is_refused(
    client: TestClient, errors: pytest.LogCaptureFixture
) -> None:
    await cookie_of(client)
    body = b"\0" * (12 * 1024 * 1024)
    for content_type in ("multipart/form-data", "multipart/form-data; boundary=", "text/plain"):
        response = await client.post(
            "/webchat/upload", data=io.BytesIO(body), headers={"Content-Type": content_type}
        )
        assert 400 <= response.status < 500, content_type
    assert_no_errors(errors)


# --- fuzzing every endpoint ---------------------------------------------------------------------


@FUZZ
@given(cookie=HEADER_TEXT, start=HEADER_TEXT, language=HEADER_TEXT)
async def test_fuzz_the_page(
    client: TestClient, errors: pytest.LogCaptureFixture, cookie: str, start: str, language: str
) -> None:
    response = await client.get(
        "/",
        params={"start": start},
        headers={"Accept-Language": language, "Cookie": f"{COOKIE_NAME}={cookie}"},
    )
    assert response.status == 200
    await response.read()
    assert_no_errors(errors)


@FUZZ
@given(file_id=HEADER_TEXT, chat=HEADER_TEXT, token=HEADER_TEXT)
async def test_fuzz_media_links(
    client: TestClient, errors: pytest.LogCaptureFixture, file_id: str, chat: str, token: str
) -> None:
    response = await client.get(
        "/webchat/media/" + (file_id.replace("/", "") or "x"), params={"c": chat, "t": token}
    )
    assert response.status in (403, 404)
    assert_no_errors(errors)


PART_HEAD = (
    b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n'
    b"Content-Type: image/png\r\n\r\n"
)


@FUZZ
@given(
    body=st.binary(max_size=4096) | st.binary(max_size=2048).map(lambda tail: PART_HEAD + tail),
    address=st.ip_addresses(v=4).map(str),
    content_type=st.sampled_from(
        [
            "multipart/form-data",
            "multipart/form-data; boundary=xyz",
            "multipart/form-data; boundary=",
            "multipart/mixed; boundary=--a",
            "application/json",
            "",
        ]
    ),
    signed=st.booleans(),
)
async def test_fuzz_uploads(
    proxied: TestClient,
    errors: pytest.LogCaptureFixture,
    body: bytes,
    address: str,
    content_type: str,
    signed: bool,
) -> None:
    proxied.session.cookie_jar.clear()
    if signed:
        await cookie_of(proxied)
    # A new address each time, so that the upload limits do not answer in the parser's place.
    headers = {"X-Forwarded-For": address}
    if content_type:
        headers["Content-Type"] = content_type
    response = await proxied.post("/webchat/upload", data=body, headers=headers)
    # A body that happens to be a whole part is a file like any other.
    assert 400 <= response.status < 500 or (response.status == 200 and signed)
    assert response.status != 429
    assert_no_errors(errors)


@FUZZ
@given(frame=FRAMES | JSON, raw=st.text(max_size=200))
async def test_fuzz_websocket_frames(
    client: TestClient, errors: pytest.LogCaptureFixture, frame: Any, raw: str
) -> None:
    await cookie_of(client)
    socket = await client.ws_connect("/webchat/ws?lang=en")
    await socket.receive_json()
    await socket.receive_json()
    await socket.send_str(json.dumps(frame))
    await socket.send_str(raw)
    await socket.send_bytes(raw.encode())
    # A frame the socket still answers after the junk: it is alive and in order.
    await socket.send_json({"type": "text", "id": "ping", "text": "/help"})
    seen: list[dict[str, Any]] = []
    while not any(event.get("type") == "message" for event in seen[-1:]):
        seen.append(await asyncio.wait_for(socket.receive_json(), 10))
    assert not socket.closed
    await socket.close()
    assert_no_errors(errors)


@FUZZ
@given(method=st.sampled_from(["GET", "HEAD", "POST", "DELETE"]), query=HEADER_TEXT)
async def test_fuzz_health(
    client: TestClient, errors: pytest.LogCaptureFixture, method: str, query: str
) -> None:
    response = await client.request(method, "/healthz", params={"q": query})
    assert response.status == 200 if method in ("GET", "HEAD") else response.status == 405
    assert_no_errors(errors)


# --- cookies, origins, links, logs ------------------------------------------------------------


@pytest.mark.parametrize(
    ("trust_proxy", "headers", "secure"),
    [
        (False, {}, False),
        (False, {"X-Forwarded-Proto": "https"}, False),
        (True, {"X-Forwarded-Proto": "https"}, True),
        (True, {"X-Forwarded-Proto": "http"}, False),
    ],
)
async def test_the_cookie_is_secure_over_https_through_a_trusted_proxy(
    app: AppContext, trust_proxy: bool, headers: dict[str, str], secure: bool
) -> None:
    app.settings = app.settings.model_copy(update={"trust_proxy": trust_proxy})
    webchat = WebChat(app, build_dispatcher(app))
    async with TestClient(TestServer(build_web_app(webchat=webchat))) as client:
        response = await client.get("/", headers=headers)
        assert bool(response.cookies[COOKIE_NAME]["secure"]) is secure


async def test_a_websocket_from_another_origin_is_refused(client: TestClient) -> None:
    await cookie_of(client)
    own = f"http://{client.host}:{client.port}"
    for origin in ("http://evil.example", "null", f"https://{client.host}:{client.port}"):
        with pytest.raises(WSServerHandshakeError) as refused:
            await client.ws_connect("/webchat/ws", headers={"Origin": origin})
        assert refused.value.status == 403, origin
    socket = await client.ws_connect("/webchat/ws", headers={"Origin": own})
    assert (await socket.receive_json())["type"] == "hello"
    await socket.close()


async def test_behind_a_trusted_proxy_the_public_origin_is_ours(app: AppContext) -> None:
    app.settings = app.settings.model_copy(update={"trust_proxy": True})
    webchat = WebChat(app, build_dispatcher(app))
    async with TestClient(TestServer(build_web_app(webchat=webchat))) as client:
        await cookie_of(client)
        proxied = {
            "Origin": "https://liaison.example.org",
            "Host": "liaison.example.org",
            "X-Forwarded-Proto": "https",
        }
        socket = await client.ws_connect("/webchat/ws", headers=proxied)
        assert (await socket.receive_json())["type"] == "hello"
        await socket.close()
        with pytest.raises(WSServerHandshakeError):
            await client.ws_connect("/webchat/ws", headers={**proxied, "X-Forwarded-Proto": "http"})


async def test_file_links_expire_and_history_is_signed_afresh(
    client: TestClient, app: AppContext, clock: ManualClock
) -> None:
    await cookie_of(client)
    png = tiny_png(app.settings.data_dir.parent / "p.png").read_bytes()
    upload = await client.post("/webchat/upload", data={"file": io.BytesIO(png)})
    stored = await upload.json()
    assert (await client.get(stored["url"])).status == 200
    socket = await client.ws_connect("/webchat/ws?lang=en")
    await socket.receive_json()
    await socket.receive_json()
    await socket.send_json({"type": "file", "id": "f1", "file_id": stored["file_id"]})
    await asyncio.wait_for(socket.receive_json(), 10)
    await socket.close()

    clock.advance(LINK_TTL + dt.timedelta(hours=1))
    assert (await client.get(stored["url"])).status == 403
    socket = await client.ws_connect("/webchat/ws?lang=en")
    await socket.receive_json()
    history = (await socket.receive_json())["events"]
    await socket.close()
    urls = [event["photo"]["url"] for event in history if event.get("photo")]
    assert urls and all(url != stored["url"] for url in urls)
    assert (await client.get(urls[0])).status == 200


async def test_the_access_log_leaves_out_tokens_and_codes(
    webchat: WebChat, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="aiohttp.access")
    runner = web_runner(build_web_app(webchat=webchat))
    await runner.setup()
    port = free_port()
    from aiohttp import web

    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    try:
        async with ClientSession() as session:
            secret = "t=1790000000-0123456789abcdef0123456789abcdef"
            async with session.get(f"http://127.0.0.1:{port}/webchat/media/web-x?c=1&{secret}"):
                pass
            async with session.get(f"http://127.0.0.1:{port}/?start=inv-K7Q2MX9PT3HW"):
                pass
    finally:
        await runner.cleanup()
    lines = [r.getMessage() for r in caplog.records if r.name == "aiohttp.access"]
    assert len(lines) == 2
    assert "/webchat/media/web-x?[redacted]" in lines[0] and "0123456789abcdef" not in lines[0]
    assert "K7Q2MX9PT3HW" not in lines[1] and " 403 " in lines[0]


async def test_a_fresh_cookie_does_not_buy_more_invitation_guesses(client: TestClient) -> None:
    answers = []
    for attempt in range(6):
        await cookie_of(client)
        socket = await client.ws_connect("/webchat/ws?lang=en")
        await socket.receive_json()
        await socket.receive_json()
        await socket.send_json(
            {"type": "text", "id": f"g{attempt}", "text": f"/bind WRONG{attempt}"}
        )
        event: dict[str, Any] = {}
        while event.get("type") != "message":
            event = await asyncio.wait_for(socket.receive_json(), 10)
        answers.append(event["html"])
        await socket.close()
    assert all("not valid" in text for text in answers[:5])
    assert "Too many wrong codes from this connection" in answers[5]
