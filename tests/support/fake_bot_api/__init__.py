"""A fake Telegram Bot API server for end-to-end tests and delivery benchmarks.

``FakeBotAPI`` is an aiohttp server on 127.0.0.1 that speaks enough of the Bot API for the
real aiogram client to run a bot against it, in long-polling or in webhook mode::

    async with FakeBotAPI() as fake:
        api = TelegramAPIServer.from_base(fake.base_url)
        bot = Bot("123456:token", session=AiohttpSession(api=api))
        fake.user_message(1001, "/start")
        ...
        await fake.wait_for_messages(1001)

It answers with Telegram's JSON shapes and error descriptions, records every call
(``calls``, ``calls_of``, ``sent_to``, ``stats``), simulates users (``user_message``,
``user_callback``, ``push_update``), pushes updates to a webhook like Telegram does, and
injects faults (``fail_next``, ``fail_every``, ``fail_randomly``, ``block_chat``, ``rate_limit``,
``per_chat_limit``).

One module per concern: ``server`` (HTTP, recording, waiting), ``methods`` (the Bot API
methods), ``html`` (Telegram's HTML checker), ``faults`` (fault injection and flood limits),
``users`` (simulated users), ``updates`` and ``webhook`` (getUpdates and webhook delivery),
``chats`` (what the fake remembers), ``protocol`` and ``records`` (wire format, records).

It models one bot: the update queue, the webhook and the message ids are shared by every
token; only the identity in getMe and in ``from`` follows the token. Not modelled on purpose:
Markdown parse modes (the text is kept as sent), ``allowed_updates`` filtering, media groups,
inline mode, and any method not listed in ``METHODS`` (those answer 404 like Telegram).
"""

from __future__ import annotations

from tests.support.fake_bot_api.faults import FaultInjector
from tests.support.fake_bot_api.html import TelegramHTML, visible_text
from tests.support.fake_bot_api.protocol import (
    CHAT_METHODS,
    METHODS,
    RATE_LIMITED_METHODS,
    SECRET_HEADER,
    ApiError,
)
from tests.support.fake_bot_api.records import (
    CallRecord,
    UploadedFile,
    WebhookConfig,
    WebhookDelivery,
)
from tests.support.fake_bot_api.server import FakeBotAPI
from tests.support.fake_bot_api.users import SimulatedUsers

__all__ = [
    "CHAT_METHODS",
    "METHODS",
    "RATE_LIMITED_METHODS",
    "SECRET_HEADER",
    "ApiError",
    "CallRecord",
    "FakeBotAPI",
    "FaultInjector",
    "SimulatedUsers",
    "TelegramHTML",
    "UploadedFile",
    "WebhookConfig",
    "WebhookDelivery",
    "visible_text",
]
