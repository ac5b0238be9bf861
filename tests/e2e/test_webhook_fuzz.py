"""The Telegram webhook under fuzzed requests: a 4xx for whatever is not an update, no traceback.

Bodies are random bytes, random JSON, valid updates cut short, and valid updates with one field
replaced by a value of any JSON type; the secret header is right, wrong or missing; the method
and the content type vary. Every answer is 200 (and the update is stored), 400, 401, 405 or
413; nothing is logged at ERROR and no record carries a traceback.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiogram import Dispatcher
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import SecretStr
from sqlalchemy import select
from sqlmodel import col

from bot.app import build_context, build_dispatcher
from bot.channels.telegram import TelegramChannel
from bot.server import build_web_app
from bot.settings import Settings
from services.clock import ManualClock
from storage.db import Database
from storage.models import InboxUpdate

TOKEN = "454545:fuzz-token"
SECRET = "fuzz-secret"
PATH = "/telegram/webhook"
REFUSALS = {400, 401, 405, 413}


def valid_update(update_id: int = 1, chat_id: int = 7301, text: str = "/help") -> dict[str, Any]:
    user = {"id": chat_id, "is_bot": False, "first_name": "Resident", "language_code": "en"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": 3,
            "from": user,
            "chat": {"id": chat_id, "type": "private", "first_name": "Resident"},
            "date": 1_795_000_000,
            "text": text,
        },
    }


FIELDS = [
    ("update_id",),
    ("message",),
    ("message", "message_id"),
    ("message", "date"),
    ("message", "text"),
    ("message", "chat"),
    ("message", "chat", "id"),
    ("message", "chat", "type"),
    ("message", "from"),
    ("message", "from", "id"),
    ("message", "from", "is_bot"),
]

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


def replaced(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    update = valid_update()
    target = update
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return update


def encode(value: Any) -> bytes:
    return json.dumps(value).encode()


@st.composite
def bodies(draw: st.DrawFn) -> tuple[bytes, bool]:
    """A request body, and whether it is a well-formed update."""
    choice = draw(st.sampled_from(["bytes", "json", "truncated", "replaced", "valid"]))
    if choice == "bytes":
        return draw(st.binary(max_size=200)), False
    if choice == "json":
        return encode(draw(json_values)), False
    if choice == "truncated":
        whole = encode(valid_update())
        return whole[: draw(st.integers(0, len(whole) - 1))], False
    if choice == "replaced":
        update = replaced(draw(st.sampled_from(FIELDS)), draw(json_values))
        return encode(update), False
    update = valid_update(
        update_id=draw(st.integers(1, 2**40)),
        chat_id=draw(st.integers(1, 2**40)),
        text=draw(st.text(min_size=1, max_size=50).filter(lambda text: text.strip())),
    )
    return encode(update), True


@dataclass
class Webhook:
    client: TestClient[Any, Any]
    db: Database


@pytest.fixture
async def webhook(
    sqlite_db: Database, tmp_path: Path, clock: ManualClock
) -> AsyncIterator[Webhook]:
    values: dict[str, Any] = {
        "database_url": str(sqlite_db.url),
        "data_dir": tmp_path / "var",
        "telegram_token": SecretStr(TOKEN),
        "webhook_url": f"https://bot.example.org{PATH}",
        "webhook_secret": SecretStr(SECRET),
        "default_locale": "en",
        "_env_file": None,
    }
    ctx = build_context(Settings(**values), sqlite_db, clock)
    dp: Dispatcher = build_dispatcher(ctx)
    telegram = TelegramChannel(ctx, dp)
    # No worker runs: what the endpoint accepts stays in the inbox, where the test reads it.
    client: TestClient[Any, Any] = TestClient(TestServer(build_web_app(telegram=telegram)))
    await client.start_server()
    try:
        yield Webhook(client, sqlite_db)
    finally:
        await client.close()
        await telegram.bot.session.close()


async def stored(db: Database, update_id: int) -> bool:
    async with db.session() as session:
        query = select(col(InboxUpdate.update_id)).where(col(InboxUpdate.update_id) == update_id)
        return (await session.execute(query)).first() is not None


def troubles(records: list[logging.LogRecord]) -> list[str]:
    return [
        f"{record.name}: {record.getMessage()}"
        for record in records
        if record.levelno >= logging.ERROR or record.exc_info
    ]


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    body=bodies(),
    secret=st.sampled_from([SECRET, SECRET, SECRET, "wrong", None]),
    method=st.sampled_from(["POST", "POST", "POST", "POST", "GET", "PUT", "DELETE"]),
    content_type=st.sampled_from(["application/json", "text/plain", None]),
)
async def test_fuzzed_webhook_requests_get_a_4xx_and_no_traceback(
    webhook: Webhook,
    caplog: pytest.LogCaptureFixture,
    body: tuple[bytes, bool],
    secret: str | None,
    method: str,
    content_type: str | None,
) -> None:
    payload, well_formed = body
    headers = {} if secret is None else {"X-Telegram-Bot-Api-Secret-Token": secret}
    if content_type is not None:
        headers["Content-Type"] = content_type
    caplog.clear()
    with caplog.at_level(logging.INFO):
        response = await webhook.client.request(method, PATH, data=payload, headers=headers)
        await response.read()
    assert troubles(caplog.records) == []
    if method != "POST":
        assert response.status == 405
    elif secret != SECRET:
        assert response.status == 401
    elif well_formed:
        assert response.status == 200
        assert await stored(webhook.db, json.loads(payload)["update_id"])
    else:
        assert response.status in REFUSALS | {200}, payload
        if response.status == 200:  # a replaced field that still makes an update
            assert await stored(webhook.db, json.loads(payload)["update_id"])


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (encode(valid_update())[:-7], "truncated JSON"),
        (encode([valid_update()]), "a JSON array"),
        (encode(replaced(("message", "chat"), "a chat")), "a string for an object"),
        (encode(replaced(("update_id",), "one")), "a string for an integer"),
        (encode(replaced(("message", "chat", "id"), 2**70)), "an id beyond 64 bits"),
        (encode({"update_id": 5}), "no event"),
        (b'{"update_id": 5, "message": NaN}', "NaN"),
        (b"[" * 100_000, "nested past the recursion limit"),
        (b"\xff\xfe\x00", "not UTF-8"),
    ],
)
async def test_malformed_updates_are_refused(
    webhook: Webhook, caplog: pytest.LogCaptureFixture, payload: bytes, reason: str
) -> None:
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
    with caplog.at_level(logging.INFO):
        response = await webhook.client.post(PATH, data=payload, headers=headers)
        assert response.status == 400, reason
    assert troubles(caplog.records) == []


async def test_an_oversized_body_is_refused(webhook: Webhook) -> None:
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    body = b" " * (2 * 1024 * 1024)
    response = await webhook.client.post(PATH, data=io.BytesIO(body), headers=headers)
    assert response.status == 413

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: read, then refused
        for start in range(0, len(body), 65536):
            yield body[start : start + 65536]

    response = await webhook.client.post(PATH, data=chunks(), headers=headers)
    assert response.status == 413
