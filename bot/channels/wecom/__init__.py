"""WeCom (企业微信): members, staff and departments work in the committee's self-built app.

WeCom posts every message and event, encrypted, to one callback URL. Each is decrypted, made
into an aiogram Update and stored in the update inbox before the callback is answered (an
empty 200, at once: every answer goes through ``message/send``). A userid the office named
links its chat on the first message; anyone else is told whom the app is for.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.types import TelegramObject, Update
from aiogram.utils.i18n import gettext as _
from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError
from wechatpy.enterprise import parse_message
from wechatpy.enterprise.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidSignatureException

from bot.app import AppContext
from bot.channels.capabilities import WECOM
from bot.channels.raw_updates import dump_update
from bot.channels.wecom.api import WeComAPI
from bot.channels.wecom.convert import Inbound, message_update, option_update
from bot.channels.wecom.sending import answering
from bot.channels.wecom.session import WECOM_BOT_TOKEN, WeComSession
from bot.channels.wecom.spacing import Spacer
from bot.cluster import inbox_options
from bot.inbox import UpdateInbox
from bot.rate_limits import clocked_window_storage
from handlers.member.binding import redeem
from handlers.member.context import RESIDENT_MENU
from services.accounts.identities import find_identity
from services.accounts.invites import INVITE_PAYLOAD
from services.accounts.wecom import link_wecom_chat
from services.chats.wecom_messages import card_clicked, numbered_option, pressed_button
from services.chats.wecom_users import wecom_chat_id

log = logging.getLogger(__name__)

MAX_CALLBACK_BYTES = 256 * 1024
# A code typed alone, as printed on the invitation (dashes and spaces forgiven).
BARE_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 \-]{10,20}[A-Za-z0-9]$")
# Typed by a chat not yet linked: how to link it, or to choose a language.
OPEN_COMMANDS = ("/start", "/bind", "/language", "/help")


class WeComChannel:
    """The WeCom Bot: its callback route, its session to WeCom, its update inbox."""

    def __init__(self, ctx: AppContext, dp: Dispatcher) -> None:
        settings = ctx.settings
        if not settings.wecom_enabled:
            raise ValueError("the LIAISON_WECOM_* settings are incomplete")
        assert settings.wecom_corp_id
        assert settings.wecom_agent_id
        assert settings.wecom_secret
        assert settings.wecom_token
        assert settings.wecom_aes_key
        self.ctx = ctx
        self.dp = dp
        self.crypto = WeChatCrypto(
            settings.wecom_token.get_secret_value(),
            settings.wecom_aes_key.get_secret_value(),
            settings.wecom_corp_id,
        )
        self.api = WeComAPI(
            settings.wecom_api_url,
            corp_id=settings.wecom_corp_id,
            secret=settings.wecom_secret.get_secret_value(),
            agent_id=settings.wecom_agent_id,
        )
        clock = ctx.clock
        self.spacer = Spacer(
            clocked_window_storage(dp.storage, lambda: clock.now().timestamp()),
            lambda: clock.now().timestamp(),
            per_minute=settings.wecom_per_minute,
            per_hour=settings.wecom_per_hour,
        )
        self.session = WeComSession(
            self.api, ctx.db, clock, self.spacer, map_template=settings.map_url_template
        )
        self.bot = Bot(
            WECOM_BOT_TOKEN, session=self.session, default=DefaultBotProperties(parse_mode="HTML")
        )
        ctx.register_channel(self.bot.id, WECOM)
        self.inbox = UpdateInbox(
            ctx.db,
            clock,
            dp,
            self.bot,
            max_in_flight=settings.max_concurrent_updates * 32,
            around=answering,
            **inbox_options(ctx.cluster),
        )
        self._tasks: set[asyncio.Task[None]] = set()
        dp.update.outer_middleware(self._members_only)
        dp.callback_query.outer_middleware(self._note_click)

    def add_routes(self, app: web.Application) -> None:
        """Serve the callback URL on the shared web server."""
        app.router.add_get(self.ctx.settings.wecom_path, self.on_verify)
        app.router.add_post(self.ctx.settings.wecom_path, self.on_callback)

    async def on_verify(self, request: web.Request) -> web.Response:
        """WeCom checks the URL when it is saved: answer its decrypted echostr."""
        query = request.query
        try:
            echo = self.crypto.check_signature(
                query.get("msg_signature", ""),
                query.get("timestamp", ""),
                query.get("nonce", ""),
                query.get("echostr", ""),
            )
        except InvalidSignatureException:
            return web.Response(status=403, text="wrong signature")
        except Exception:
            return web.Response(status=400, text="unreadable")
        return web.Response(text=echo.decode() if isinstance(echo, bytes) else str(echo))

    async def on_callback(self, request: web.Request) -> web.Response:
        """Decrypt, store as an update, answer an empty 200; 403 for a wrong signature."""
        if (request.content_length or 0) > MAX_CALLBACK_BYTES:
            return web.Response(status=413, text="too large")
        body = await request.read()
        query = request.query
        try:
            xml = self.crypto.decrypt_message(
                body,
                query.get("msg_signature", ""),
                query.get("timestamp", ""),
                query.get("nonce", ""),
            )
            parsed = parse_message(xml)
            fields = dict(parsed._data)
        except InvalidSignatureException:
            return web.Response(status=403, text="wrong signature")
        except Exception as error:
            log.info("WeCom callback refused: %r", error)
            return web.Response(status=400, text="unreadable")
        userid = str(fields.get("FromUserName") or "")
        if not userid:
            return web.Response(status=400, text="no sender")
        try:
            update = await self._update_of(Inbound(userid, fields))
            if update is not None:
                await self.inbox.put([(update.update_id, dump_update(update))])
        except (SQLAlchemyError, OSError):
            # Not acknowledged: WeCom calls again.
            log.exception("WeCom callback of %s could not be stored", userid)
            return web.Response(status=503, text="try again later")
        return web.Response(text="")

    async def _update_of(self, inbound: Inbound) -> Update | None:
        """The Update for a callback, after the chat is made and linked; None for nothing."""
        now = self.ctx.clock.now()
        async with self.ctx.db.session() as session:
            chat_id = await wecom_chat_id(session, userid=inbound.userid, now=now)
            linked = await link_wecom_chat(session, chat_id=chat_id, userid=inbound.userid, now=now)
            if linked is not None:
                log.info("WeCom chat %s linked by its userid as %s", chat_id, linked)
            kind = inbound.kind
            callback_id = f"{chat_id}-{inbound.update_id}"
            if kind == "event:template_card_event":
                token = str(inbound.fields.get("EventKey") or "")
                pressed = await pressed_button(session, chat_id=chat_id, token=token)
                if pressed is None:
                    self._later(self._refuse_option(chat_id))
                    return None
                code = str(inbound.fields.get("ResponseCode") or "")
                if code:
                    await card_clicked(
                        session,
                        chat_id=chat_id,
                        message_id=pressed.message_id,
                        response_code=code,
                        now=now,
                    )
                return option_update(inbound, chat_id, pressed, callback_id=callback_id)
            if kind.startswith("event:"):
                # enter_agent and the like: the person has not asked for anything yet.
                return None
            text = str(inbound.fields.get("Content") or "").strip()
            if kind == "text" and text.isdigit() and len(text) <= 3:
                option = await numbered_option(session, chat_id=chat_id, number=int(text))
                if option is not None:
                    return option_update(inbound, chat_id, option, callback_id=callback_id)
        return message_update(inbound, chat_id)

    def _later(self, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _refuse_option(self, chat_id: int) -> None:
        """Tell the chat that the option it clicked is not one it can use."""
        i18n = self.ctx.i18n
        async with self.ctx.db.session() as session:
            identity = await find_identity(session, channel=WECOM.name, chat_id=chat_id)
        locale = (identity.locale if identity else None) or i18n.default_locale
        with i18n.context(), i18n.use_locale(locale):
            text = _("That option is no longer valid. Please use the latest message.")
        try:
            await self.bot.send_message(chat_id, text)
        except Exception:
            log.warning("WeCom chat %s: the refusal could not be sent", chat_id, exc_info=True)

    async def _note_click(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        """A click of this channel is being answered: its toast waits to see if it is needed."""
        if data.get("bot") is self.bot and data.get("event_chat") is not None:
            self.session.click_started(data["event_chat"].id, getattr(event, "id", ""))
        return await handler(event, data)

    async def _members_only(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        """A chat not linked to anyone may link itself; it is told how, and nothing else."""
        if data.get("bot") is not self.bot or data.get("menu_role") != RESIDENT_MENU:
            return await handler(event, data)
        assert isinstance(event, Update)
        message = event.message
        text = (message.text or "").strip() if message is not None else ""
        if text.startswith(OPEN_COMMANDS) and (
            not text.startswith("/start")
            or text[len("/start") :].strip().startswith(INVITE_PAYLOAD)
        ):
            return await handler(event, data)
        if message is not None and BARE_CODE.match(text):
            await redeem(
                message,
                text,
                data["session"],
                data["identity"],
                data["clock"],
                data["locale"],
                data["tz"],
            )
            return None
        chat = data.get("event_chat")
        if chat is not None:
            await self.bot.send_message(
                chat.id,
                _(
                    "This app is for members, staff and departments of the committee.\n"
                    "If you are one of them, ask the committee office to add your WeCom "
                    "account, or send the invitation code they gave you."
                ),
            )
        return None

    async def start(self) -> None:
        """Handle what the inbox kept."""
        self.inbox.start()

    async def stop(self) -> None:
        """Let the updates being handled finish, then close the connections."""
        await self.inbox.stop()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.bot.session.close()


__all__ = ["WeComChannel"]
