"""The web chat over HTTP and a WebSocket, in process: identity, frames, files, rendering."""

from __future__ import annotations

import asyncio
import io
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import ClientWebSocketResponse, WSMessage, WSMsgType
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.app import AppContext, build_dispatcher
from bot.channels.webchat import WebChat
from bot.channels.webchat.identity import COOKIE_NAME
from bot.channels.webchat.session import WebChatUnsupportedError
from bot.server import build_web_app
from storage.models import Issue
from tests.browser.test_webchat import tiny_png

PNG_HEADER = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
async def webchat(app: AppContext) -> WebChat:
    return WebChat(app, build_dispatcher(app))


@pytest.fixture
async def client(webchat: WebChat) -> AsyncIterator[TestClient]:
    async with TestClient(TestServer(build_web_app(webchat=webchat))) as test_client:
        yield test_client


# Only a guard against a hang: every wait below ends on the frame it waits for.
GUARD = 30.0


class Page:
    """A browser tab: the page's cookie and its WebSocket (opened without autoping)."""

    def __init__(self, client: TestClient, socket: ClientWebSocketResponse, chat_id: int) -> None:
        self.client = client
        self.socket = socket
        self.chat_id = chat_id

    async def send(self, frame_type: str, frame_id: str | None = None, **fields: Any) -> str:
        frame_id = frame_id or str(uuid.uuid4())
        await self.socket.send_json({"type": frame_type, "id": frame_id, **fields})
        return frame_id

    async def _receive(self) -> WSMessage:
        """The next message but the server's heartbeat pings, which are answered here."""
        while True:
            message = await self.socket.receive()
            if message.type is not WSMsgType.PING:
                return message
            await self.socket.pong(message.data)

    async def next_event(self) -> dict[str, Any]:
        """The next event the page is sent."""
        async with asyncio.timeout(GUARD):
            while True:
                message = await self._receive()
                if message.type is WSMsgType.TEXT:
                    event: dict[str, Any] = json.loads(message.data)
                    return event
                if message.type is not WSMsgType.PONG:
                    raise AssertionError(f"the socket ended: {message.type!r}")

    async def events(self) -> list[dict[str, Any]]:
        """Every event the page was sent until the server handled all frames sent so far.

        The server reads a frame only once it has handled the one before, and answers a
        WebSocket ping when it reads it: our ping's pong comes after every event caused by
        the frames (and bot calls) before it.
        """
        token = uuid.uuid4().hex.encode()
        await self.socket.ping(token)
        found = []
        async with asyncio.timeout(GUARD):
            while True:
                message = await self._receive()
                if message.type is WSMsgType.PONG and message.data == token:
                    return found
                if message.type is WSMsgType.TEXT:
                    found.append(json.loads(message.data))
                elif message.type is not WSMsgType.PONG:
                    raise AssertionError(f"the socket ended: {message.type!r}")

    async def say(self, text: str) -> list[dict[str, Any]]:
        await self.send("text", text=text)
        return await self.events()


async def open_page(client: TestClient, *, lang: str = "en") -> Page:
    response = await client.get("/", headers={"Accept-Language": lang})
    assert response.status == 200
    # Without autoping the page sees the pong that marks the end of an answer.
    socket = await client.ws_connect(f"/webchat/ws?lang={lang}", autoping=False)
    hello, history = (
        json.loads((await socket.receive()).data),
        json.loads((await socket.receive()).data),
    )
    assert hello["type"] == "hello" and history["type"] == "history"
    return Page(client, socket, hello["chat_id"])


def bot_messages(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [event for event in events if event["type"] == "message"]


def button_labelled(message: dict[str, Any], label: str) -> str:
    """The callback data of the message's inline button whose text contains ``label``."""
    for row in message["inline_keyboard"] or []:
        for button in row:
            if label in button["text"]:
                return str(button["callback_data"])
    raise AssertionError(f"no {label!r} button in {message['inline_keyboard']}")


async def test_page_sets_a_signed_identity_and_localises_its_chrome(client: TestClient) -> None:
    response = await client.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    html = await response.text()
    assert COOKIE_NAME in response.cookies
    assert '"placeholder": "输入消息"' in html and '<html lang="zh-CN">' in html
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    response = await client.get("/", headers={"Accept-Language": "en"})
    assert '"placeholder": "Message"' in await response.text()


async def test_websocket_needs_the_cookie_and_rejects_forgeries(client: TestClient) -> None:
    response = await client.get("/webchat/ws")
    assert response.status == 403
    client.session.cookie_jar.update_cookies({COOKIE_NAME: "123.forged"})
    response = await client.get("/webchat/ws")
    assert response.status == 403


async def test_report_through_the_socket(client: TestClient, app: AppContext) -> None:
    page = await open_page(client)
    events = await page.say("/start")
    welcome = bot_messages(events)[0]
    assert "Welcome" in welcome["html"]
    assert welcome["reply_keyboard"]["keyboard"][0][0]["text"] == "📝 Report an issue"
    events = await page.say("📝 Report an issue")
    stations = bot_messages(events)[-1]
    button = stations["inline_keyboard"][3][0]
    assert button["text"] == "Bei'an Community Liaison Station"
    await page.send("callback", message_id=stations["message_id"], data=button["callback_data"])
    events = await page.events()
    assert events[0] == {
        "type": "edit",
        "message_id": stations["message_id"],
        "html": "Station: <b>Bei'an Community Liaison Station</b>",
        "inline_keyboard": None,
    }
    categories = bot_messages(events)[-1]
    await page.send(
        "callback",
        message_id=categories["message_id"],
        data=categories["inline_keyboard"][0][0]["callback_data"],
    )
    await page.events()
    await page.say("Cars block the fire lane at gate 3 every night after 8 pm.")
    png = tiny_png(app.settings.data_dir.parent / "p.png").read_bytes()
    upload = await client.post("/webchat/upload", data={"file": io.BytesIO(png)})
    assert upload.status == 200
    stored = await upload.json()
    assert stored["kind"] == "photo" and stored["file_id"].startswith("web-")
    await page.send("file", file_id=stored["file_id"])
    assert "Photo 1 of 3 added." in bot_messages(await page.events())[0]["html"]
    await page.say("✅ Done")
    await page.send("location", latitude=38.49, longitude=106.24)
    events = await page.events()
    contact = bot_messages(events)[-1]
    phone = button_labelled(contact, "phone number")
    await page.send("callback", message_id=contact["message_id"], data=phone)
    events = await page.events()
    assert bot_messages(events)[-1]["reply_keyboard"]["keyboard"][0][0]["request_contact"] is True
    await page.send("contact", phone="13800138000")
    review = bot_messages(await page.events())[-1]
    assert "Contact: by phone, 13800138000" in review["html"]
    submit = button_labelled(review, "Submit")
    await page.send("callback", message_id=review["message_id"], data=submit)
    events = await page.events()
    assert any("Your case number is" in (m["html"] or "") for m in bot_messages(events))
    async with app.db.session() as session:
        issue = (await session.execute(select(Issue))).scalar_one()
    assert issue.channel == "web" and issue.contact_phone == "13800138000"

    # The photo is served only through a URL signed for this chat.
    listing = bot_messages(await page.say("📋 My issues"))[-1]
    case = listing["inline_keyboard"][0][0]
    await page.send("callback", message_id=listing["message_id"], data=case["callback_data"])
    detail = [e for e in await page.events() if e["type"] == "edit"][-1]
    photos = detail["inline_keyboard"][0][0]
    await page.send("callback", message_id=listing["message_id"], data=photos["callback_data"])
    photo = bot_messages(await page.events())[-1]["photo"]
    image = await client.get(photo["url"])
    assert image.status == 200 and (await image.read()).startswith(PNG_HEADER)
    forged = photo["url"][:-1] + ("0" if photo["url"][-1] != "0" else "1")
    assert (await client.get(forged)).status == 403


async def test_history_is_replayed_to_a_new_tab(client: TestClient) -> None:
    page = await open_page(client)
    await page.say("/start")
    socket = await client.ws_connect("/webchat/ws?lang=en")
    await socket.receive()
    history = json.loads((await socket.receive()).data)["events"]
    assert [event["type"] for event in history] == ["user_message", "message"]
    assert history[0]["text"] == "/start"
    await socket.close()


async def test_replayed_frame_is_handled_once(client: TestClient) -> None:
    page = await open_page(client)
    frame_id = await page.send("text", text="/start")
    assert len(bot_messages(await page.events())) == 1
    await page.send("text", frame_id, text="/start")
    assert bot_messages(await page.events()) == []


@pytest.mark.parametrize(
    ("frame", "expected"),
    [
        ("not json", "could not be read"),
        ({"type": "text", "id": "1"}, "could not be read"),
        ({"type": "shell", "id": "1", "text": "rm"}, "could not be read"),
        ({"type": "text", "id": "1", "text": "x" * 5000}, "too long"),
        ({"type": "file", "id": "1", "file_id": "web-" + "0" * 40}, "no longer here"),
        ({"type": "file", "id": "1", "file_id": "../../etc/passwd"}, "no longer here"),
        ({"type": "location", "id": "1", "latitude": 91, "longitude": 0}, "could not be read"),
        ({"type": "callback", "id": "1", "message_id": "x", "data": "ip:0"}, "could not be read"),
        ({"type": "callback", "id": "1", "message_id": 1, "data": "x" * 65}, "could not be read"),
    ],
)
async def test_bad_frames_get_a_localised_error(
    client: TestClient, frame: object, expected: str
) -> None:
    page = await open_page(client)
    if isinstance(frame, str):
        await page.socket.send_str(frame)
    else:
        await page.socket.send_json(frame)
    events = await page.events()
    assert len(events) == 1 and events[0]["type"] == "error" and expected in events[0]["text"]


async def test_upload_limits(client: TestClient) -> None:
    await client.get("/")
    big = b"\xff\xd8\xff" + b"0" * (11 << 20)
    response = await client.post("/webchat/upload", data={"file": io.BytesIO(big)})
    assert response.status == 413 and "10 MB" in (await response.json())["error"]
    response = await client.post("/webchat/upload", data={"other": io.BytesIO(b"x")})
    assert response.status == 400 and "No file" in (await response.json())["error"]
    response = await client.post("/webchat/upload", data={"file": io.BytesIO(b"%PDF-1.7 x")})
    assert (await response.json())["kind"] == "document"
    client.session.cookie_jar.clear()
    response = await client.post("/webchat/upload", data={"file": io.BytesIO(b"x")})
    assert response.status == 403


async def test_a_document_in_the_photo_step_is_refused(client: TestClient) -> None:
    page = await open_page(client)
    stations = bot_messages(await page.say("/report"))[-1]
    station = button_labelled(stations, "Bei'an")
    await page.send("callback", message_id=stations["message_id"], data=station)
    categories = bot_messages(await page.events())[-1]
    category = button_labelled(categories, "Parking")
    await page.send("callback", message_id=categories["message_id"], data=category)
    await page.events()
    await page.say("Cars block the fire lane at gate 3 every night after 8 pm.")
    upload = await client.post("/webchat/upload", data={"file": io.BytesIO(b"%PDF-1.7 x")})
    await page.send("file", file_id=(await upload.json())["file_id"])
    answer = bot_messages(await page.events())[0]
    assert "Only photos can be attached" in answer["html"]


async def test_session_refuses_what_it_cannot_draw(webchat: WebChat) -> None:
    with pytest.raises(WebChatUnsupportedError, match="cannot render sendPoll"):
        await webchat.bot.send_poll(1, "q?", ["a", "b"])  # type: ignore[list-item]
    with pytest.raises(WebChatUnsupportedError, match="chat not found"):
        await webchat.bot.send_message("not-a-chat", "hi")


async def test_session_draws_deletes_toasts_and_typing(
    client: TestClient, webchat: WebChat
) -> None:
    page = await open_page(client)
    await page.say("/start")
    chat_id = page.chat_id
    sent = await webchat.bot.send_message(chat_id, "<b>hello</b> & bye")
    events = await page.events()
    assert events[0]["html"] == "<b>hello</b> & bye"
    await webchat.bot.send_message(chat_id, "1 < 2", parse_mode=None)
    assert (await page.events())[0]["html"] == "1 &lt; 2"
    await webchat.bot.send_chat_action(chat_id, "typing")
    assert await page.events() == [{"type": "typing"}]
    assert await webchat.bot.delete_message(chat_id, sent.message_id)
    assert await page.events() == [{"type": "delete", "message_id": sent.message_id}]
    webchat.hub.remember_callback("cb-1", chat_id)
    assert await webchat.bot.answer_callback_query("cb-1", text="Saved", show_alert=True)
    assert await page.events() == [{"type": "toast", "text": "Saved", "alert": True}]
    location = await webchat.bot.send_location(chat_id, 38.5, 106.2)
    event = (await page.events())[0]
    assert event["location"] == {"latitude": 38.5, "longitude": 106.2}
    assert location.location is not None


async def test_a_language_chosen_in_the_chat_relabels_the_open_page(client: TestClient) -> None:
    page = await open_page(client, lang="en")
    languages = bot_messages(await page.say("/language"))[-1]
    chinese = button_labelled(languages, "中文")
    await page.send("callback", message_id=languages["message_id"], data=chinese)
    [chrome] = [event for event in await page.events() if event["type"] == "chrome"]
    assert chrome["locale"] == "zh_CN"
    assert chrome["ui"]["placeholder"] == "输入消息" and chrome["ui"]["send"] != "Send"
    assert chrome["title"] != "CPPCC liaison desk"
    # A page loaded afterwards starts in the chosen language too.
    response = await client.get("/", headers={"Accept-Language": "en"})
    assert '"placeholder": "输入消息"' in await response.text()
