"""The fake Bot API server, driven by the real aiogram HTTP client."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiogram import Bot, Dispatcher
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramRetryAfter,
)
from aiogram.methods import SendMessage
from aiogram.types import (
    BotCommand,
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

from tests.e2e.conftest import BotFactory
from tests.support.fake_bot_api import SECRET_HEADER, FakeBotAPI

TOKEN = "424242:fake-api-test-token"
BOT_ID = 424242
CHAT = 1001
SECRET = "s3cret-token"


@pytest.fixture
def bot(bot_on_fake: BotFactory) -> Bot:
    return bot_on_fake(TOKEN)


def keyboard(data: str = "done") -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Done", callback_data=data)]]
    )


class Receiver:
    """A tiny webhook endpoint: checks the secret, answers with queued statuses, then 200."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, Any], str | None]] = []
        self.statuses: deque[int] = deque()
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        secret = request.headers.get(SECRET_HEADER)
        self.received.append((await request.json(), secret))
        if secret != SECRET:
            return web.Response(status=401, text="Unauthorized")
        status = self.statuses.popleft() if self.statuses else 200
        return web.json_response({}, status=status)


async def serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}"


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    endpoint = Receiver()
    app = web.Application()
    app.router.add_post("/hook", endpoint.handle)
    runner, base = await serve(app)
    endpoint.url = f"{base}/hook"
    yield endpoint
    await runner.cleanup()


# --- identity and raw HTTP ------------------------------------------------------------------


async def test_get_me_returns_the_bot_of_the_token(bot: Bot, fake: FakeBotAPI) -> None:
    me = await bot.get_me()

    assert (me.id, me.is_bot, me.first_name, me.username) == (
        BOT_ID,
        True,
        "Liaison",
        "liaison_test_bot",
    )
    assert fake.calls_of("getMe")[0].token == TOKEN


async def test_raw_http_shapes(fake: FakeBotAPI) -> None:
    base = fake.base_url
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{base}/botnot-a-token/getMe") as response:
            assert response.status == 401
            assert await response.json() == {
                "ok": False,
                "error_code": 401,
                "description": "Unauthorized",
            }
        async with http.post(f"{base}/bot{TOKEN}/sendSticker") as response:
            assert response.status == 404
            assert await response.json() == {
                "ok": False,
                "error_code": 404,
                "description": "Not Found",
            }
        async with http.post(f"{base}/bot{TOKEN}/sendMessage", json={"text": "hi"}) as response:
            assert response.status == 400
            assert (await response.json())["description"] == "Bad Request: chat_id is empty"
        form = {"chat_id": "7", "text": "123"}
        async with http.post(f"{base}/bot{TOKEN}/sendmessage", data=form) as response:
            assert response.status == 200
        async with http.get(f"{base}/bot{TOKEN}/getMe") as response:
            assert (await response.json())["result"]["id"] == BOT_ID

    sent = fake.calls_of("sendMessage")[-1]
    assert sent.params == {"chat_id": 7, "text": "123"}  # ids decoded, texts kept as text
    assert sent.content_type == "application/x-www-form-urlencoded"
    assert fake.stats["statuses"][401] == 1


# --- sending --------------------------------------------------------------------------------


async def test_send_message_is_recorded_with_its_markup(bot: Bot, fake: FakeBotAPI) -> None:
    first = await bot.send_message(CHAT, "Hello", reply_markup=keyboard())
    second = await bot.send_message(CHAT, "Again")

    assert (first.message_id, second.message_id) == (1, 2)
    assert isinstance(first.reply_markup, InlineKeyboardMarkup)
    assert first.reply_markup.inline_keyboard[0][0].callback_data == "done"
    assert first.from_user is not None
    assert first.from_user.id == BOT_ID
    assert first.chat.type == "private"
    call = fake.calls_of("sendMessage")[0]
    assert call.params["chat_id"] == CHAT
    assert call.params["reply_markup"] == {
        "inline_keyboard": [[{"text": "Done", "callback_data": "done"}]]
    }
    assert call.content_type == "application/x-www-form-urlencoded"
    assert [message["text"] for message in fake.sent_to(CHAT)] == ["Hello", "Again"]
    assert await fake.wait_for_call("sendMessage", count=2, timeout=0.1)


async def test_text_is_validated_like_telegram(bot: Bot, fake: FakeBotAPI) -> None:
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(CHAT, " ")
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(CHAT, "x" * 4097)
    with pytest.raises(TelegramBadRequest, match='Unsupported start tag "alice"'):
        await bot.send_message(CHAT, "Hi <Alice>", parse_mode="HTML")

    html = await bot.send_message(CHAT, "<b>Hi</b> &lt;Alice&gt;", parse_mode="HTML")
    assert html.text == "Hi <Alice>"
    assert len(await fake.wait_for_call("sendMessage", count=4)) == 4
    assert fake.stats["method_statuses"]["sendMessage", 400] == 3


async def test_edit_delete_and_small_methods(bot: Bot, fake: FakeBotAPI) -> None:
    sent = await bot.send_message(CHAT, "Draft", reply_markup=keyboard())

    edited = await bot.edit_message_text("Final", chat_id=CHAT, message_id=sent.message_id)
    assert isinstance(edited, Message)
    assert edited.text == "Final"
    assert edited.reply_markup is None  # an edit without markup drops the keyboard
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text("Final", chat_id=CHAT, message_id=sent.message_id)
    await bot.edit_message_reply_markup(
        chat_id=CHAT, message_id=sent.message_id, reply_markup=keyboard("again")
    )
    current = fake.message(CHAT, sent.message_id)
    assert current is not None
    assert current["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "again"
    assert fake.sent_to(CHAT)[0]["text"] == "Draft"  # history keeps what was sent

    assert await bot.delete_message(CHAT, sent.message_id) is True
    assert fake.message(CHAT, sent.message_id) is None
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(CHAT, sent.message_id)

    assert await bot.send_chat_action(CHAT, "typing") is True
    commands = [BotCommand(command="start", description="Start")]
    assert await bot.set_my_commands(commands) is True
    assert fake.commands_for() == [{"command": "start", "description": "Start"}]
    location = await bot.send_location(CHAT, latitude=31.23, longitude=121.47)
    assert location.location is not None
    assert location.location.latitude == pytest.approx(31.23)


async def test_upload_get_file_and_download(bot: Bot, fake: FakeBotAPI) -> None:
    path = fake.add_file("doc-1", b"hello file", file_path="documents/report.txt")
    file = await bot.get_file("doc-1")
    assert file.file_path == path
    downloaded = await bot.download_file(path)
    assert downloaded is not None
    assert downloaded.read() == b"hello file"
    with pytest.raises(TelegramBadRequest, match="invalid file_id"):
        await bot.get_file("nope")

    photo = await bot.send_photo(
        CHAT, BufferedInputFile(b"\xff\xd8jpeg", filename="p.jpg"), caption="Look"
    )
    assert photo.photo is not None
    assert photo.caption == "Look"
    call = fake.calls_of("sendPhoto")[0]
    assert call.content_type == "multipart/form-data"
    assert call.files["photo"].data == b"\xff\xd8jpeg"
    largest = await bot.get_file(photo.photo[-1].file_id)
    assert largest.file_path is not None
    downloaded = await bot.download_file(largest.file_path)
    assert downloaded is not None
    assert downloaded.read() == b"\xff\xd8jpeg"

    document = await bot.send_document(CHAT, "doc-1")  # re-sent by file_id
    assert document.document is not None
    assert document.document.file_id == "doc-1"


# --- polling --------------------------------------------------------------------------------


async def test_get_updates_long_polls_and_confirms_by_offset(bot: Bot, fake: FakeBotAPI) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await fake.wait_for(lambda: fake.waiting_pollers == 1, timeout=2)
    pushed = fake.user_message(CHAT, "/start now")

    updates = await asyncio.wait_for(poll, timeout=1)
    assert [update.update_id for update in updates] == [pushed["update_id"]]
    message = updates[0].message
    assert message is not None
    assert message.text == "/start now"
    assert message.entities is not None
    assert (message.entities[0].type, message.entities[0].length) == ("bot_command", 6)

    assert len(await bot.get_updates(timeout=0)) == 1  # not confirmed yet
    assert await bot.get_updates(offset=pushed["update_id"] + 1, timeout=0) == []
    assert fake.pending_updates == []


async def test_dispatcher_polling_end_to_end(bot: Bot, fake: FakeBotAPI) -> None:
    dp = Dispatcher()

    @dp.message()
    async def greet(message: Message) -> None:
        await message.answer(f"echo {message.text}", reply_markup=keyboard())

    @dp.callback_query()
    async def press(callback: CallbackQuery) -> None:
        await callback.answer("ok")
        assert isinstance(callback.message, Message)
        await callback.message.edit_text("pressed")

    polling = asyncio.create_task(dp.start_polling(bot, handle_signals=False))
    try:
        fake.user_message(CHAT, "ping")
        (reply,) = await fake.wait_for_messages(CHAT, 1)
        assert reply["text"] == "echo ping"

        fake.user_callback(CHAT, "done", reply["message_id"])
        await fake.wait_for_call("editMessageText")
        assert fake.calls_of("answerCallbackQuery")[0].params["text"] == "ok"
        edited = fake.message(CHAT, reply["message_id"])
        assert edited is not None
        assert edited["text"] == "pressed"
    finally:
        await fake.wait_for(lambda: fake.waiting_pollers == 1, timeout=2)
        await dp.stop_polling()
        await polling


# --- faults ---------------------------------------------------------------------------------


async def test_injected_429_raises_retry_after(bot: Bot, fake: FakeBotAPI) -> None:
    fake.fail_next("sendMessage", status=429, retry_after=7)

    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(CHAT, "hi")

    assert caught.value.retry_after == 7
    assert "Too Many Requests: retry after 7" in str(caught.value)
    await bot.send_message(CHAT, "hi")  # only the next call failed
    assert fake.stats["statuses"][429] == 1
    assert [call.status for call in fake.calls_of("sendMessage")] == [429, 200]


async def test_injected_403_only_for_its_chat(bot: Bot, fake: FakeBotAPI) -> None:
    fake.fail_next("sendMessage", status=403, chat_id=2002)

    await bot.send_message(CHAT, "fine")
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(2002, "blocked")
    await bot.send_message(2002, "fine again")


async def test_block_chat(bot: Bot, fake: FakeBotAPI) -> None:
    fake.block_chat(CHAT)

    for _ in range(2):
        with pytest.raises(TelegramForbiddenError):
            await bot.send_message(CHAT, "hi")
    await bot.send_message(2002, "other chats still work")
    fake.unblock_chat(CHAT)
    await bot.send_message(CHAT, "back")
    assert [message["text"] for message in fake.sent_to(CHAT)] == ["back"]


async def test_rate_limits(bot: Bot, fake: FakeBotAPI) -> None:
    fake.rate_limit(3)
    for number in range(3):
        await bot.send_message(CHAT + number, "burst")
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(CHAT, "over the cap")
    assert caught.value.retry_after == 1
    fake.rate_limit(None)

    fake.per_chat_limit(1)
    await bot.send_message(CHAT, "one")
    with pytest.raises(TelegramRetryAfter):
        await bot.send_message(CHAT, "two")
    await bot.send_message(CHAT + 1, "another chat")
    assert fake.stats["statuses"][429] == 2


# --- webhook --------------------------------------------------------------------------------


async def test_webhook_delivery_with_secret_and_replay(
    bot: Bot, fake: FakeBotAPI, receiver: Receiver
) -> None:
    assert await bot.set_webhook(receiver.url, secret_token=SECRET) is True
    info = await bot.get_webhook_info()
    assert info.url == receiver.url
    with pytest.raises(TelegramConflictError):
        await bot.get_updates(timeout=0)

    pushed = fake.user_message(CHAT, "hello hook")
    await fake.wait_for(lambda: len(receiver.received) == 1 and not fake.pending_updates)
    assert receiver.received[0] == (pushed, SECRET)

    assert await fake.deliver_raw(pushed) == 200  # a replay, same update_id
    assert await fake.deliver_raw(pushed, secret="wrong") == 401
    assert receiver.received[-1] == (pushed, "wrong")

    await bot.delete_webhook()
    assert fake.webhook is None


async def test_webhook_retries_non_200(bot: Bot, fake: FakeBotAPI, receiver: Receiver) -> None:
    receiver.statuses.extend([500])
    await bot.set_webhook(receiver.url, secret_token=SECRET)

    pushed = fake.user_message(CHAT, "retry me")
    await fake.wait_for(lambda: len(receiver.received) == 2 and not fake.pending_updates)

    assert [update for update, _ in receiver.received] == [pushed, pushed]
    assert [delivery.status for delivery in fake.webhook_deliveries] == [500, 200]
    info = await bot.get_webhook_info()
    assert info.last_error_message == "Wrong response from the webhook: 500 Internal Server Error"


async def test_aiogram_webhook_handler_reply_is_executed(bot: Bot, fake: FakeBotAPI) -> None:
    dp = Dispatcher()

    @dp.message()
    async def echo(message: Message) -> SendMessage:
        return message.answer(f"via reply: {message.text}")

    app = web.Application()
    handler = SimpleRequestHandler(dp, bot, secret_token=SECRET, handle_in_background=False)
    handler.register(app, path="/webhook")
    runner, base = await serve(app)
    try:
        await bot.set_webhook(f"{base}/webhook", secret_token=SECRET)
        fake.user_message(CHAT, "hi")
        (reply,) = await fake.wait_for_messages(CHAT, 1)
        assert reply["text"] == "via reply: hi"
        assert fake.calls_of("sendMessage")[0].source == "webhook-reply"
    finally:
        await runner.cleanup()


async def test_wait_for_times_out_quickly(fake: FakeBotAPI) -> None:
    with pytest.raises(TimeoutError, match="1 x sendMessage"):
        await fake.wait_for_call("sendMessage", timeout=0.05)
