"""Reading a WeChat callback: its signature, its body, and the update it is stored as."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aiogram import Bot
from aiogram.types import Update
from aiogram.utils.i18n import gettext as _
from aiohttp import web
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidSignatureException
from wechatpy.replies import ImageReply, TextReply
from wechatpy.utils import check_signature

from bot.app import AppContext
from bot.channels.wechat.convert import Inbound, callback_update, message_update, read
from bot.channels.wechat.replies import Piece, Reply
from bot.channels.wechat.sending import CHANNEL
from bot.inbox import RECEIVED, UpdateInbox
from services.accounts.identities import effective_locale, find_identity
from services.chats.wechat import chat_id_for, find_button, find_message, mark_unsubscribed
from services.outbox import windows
from services.outbox.queue import release_held
from storage.models import InboxUpdate
from storage.queries import insert_ignore, table_of

log = logging.getLogger(__name__)
# A callback is a few hundred bytes of XML; anything far larger is not one.
MAX_CALLBACK_BYTES = 64 * 1024


@dataclass(frozen=True)
class Refused:
    """A tap on a button that is not this chat's: answered, nothing handled."""

    raw: dict[str, Any]
    text: str


# What a callback is answered with: a refusal, or the raw message and the reply awaited.
Answered = Refused | tuple[dict[str, Any], Reply | None]


class CallbackReader:
    """Checks, reads and stores callbacks; renders the passive reply."""

    def __init__(self, ctx: AppContext, bot: Bot, inbox: UpdateInbox) -> None:
        settings = ctx.settings
        assert settings.wechat_token is not None
        assert settings.wechat_app_id is not None
        self.ctx = ctx
        self.bot = bot
        self.inbox = inbox
        self.token = settings.wechat_token.get_secret_value()
        self.crypto = (
            WeChatCrypto(
                self.token, settings.wechat_aes_key.get_secret_value(), settings.wechat_app_id
            )
            if settings.wechat_aes_key is not None
            else None
        )

    def signed(self, query: Mapping[str, str]) -> bool:
        """Whether the plain signature of the query is WeChat's (sent in both modes)."""
        try:
            check_signature(
                self.token,
                query.get("signature", ""),
                query.get("timestamp", ""),
                query.get("nonce", ""),
            )
        except InvalidSignatureException:
            return False
        return True

    async def receive(
        self, request: web.Request, waiting: dict[int, Reply]
    ) -> web.Response | Refused | tuple[dict[str, Any], Reply | None]:
        """Store the callback's update; a refusal, or what to wait for (None: nothing)."""
        if not self.signed(request.query):
            return web.Response(status=403, text="wrong signature")
        if (request.content_length or 0) > MAX_CALLBACK_BYTES:
            return web.Response(status=413, text="too large for a callback")
        body = await request.content.read(MAX_CALLBACK_BYTES + 1)
        if len(body) > MAX_CALLBACK_BYTES:
            return web.Response(status=413, text="too large for a callback")
        try:
            xml = body.decode()
            if self.crypto is not None:
                xml = self.crypto.decrypt_message(
                    xml,
                    request.query.get("msg_signature", ""),
                    request.query.get("timestamp", ""),
                    request.query.get("nonce", ""),
                )
            raw = dict(parse_message(xml)._data)
            inbound = read(raw)
        except InvalidSignatureException:
            return web.Response(status=403, text="wrong signature")
        except Exception as error:  # an XML parser or the AES layer: whatever it was, not ours
            log.info("wechat callback refused: %r", error)
            return web.Response(status=400, text="unreadable callback")
        if not inbound.openid:
            return web.Response(status=400, text="no sender")
        return await self._store(raw, inbound, waiting)

    async def _store(
        self, raw: dict[str, Any], inbound: Inbound, waiting: dict[int, Reply]
    ) -> Answered:
        now = self.ctx.clock.now()

        async def store(session: AsyncSession) -> tuple[Answered | None, Reply | None]:
            """What to answer at once, or the reply of a newly stored update (or neither)."""
            chat_id = await chat_id_for(
                session, channel=CHANNEL, external_id=inbound.openid, now=now
            )
            if inbound.unsubscribed:
                await mark_unsubscribed(session, channel=CHANNEL, chat_id=chat_id)
                return (raw, None), None
            # Whatever the person did opens the window again, and held notices are due.
            await windows.note_inbound(
                session, channel=CHANNEL, chat_id=chat_id, now=now, menu_tap=inbound.menu_tap
            )
            await release_held(session, channel=CHANNEL, chat_id=chat_id, now=now)
            if inbound.content is None:
                return (raw, None), None
            payload = await self._payload(session, inbound, chat_id)
            if payload is None:
                identity = await find_identity(session, channel=CHANNEL, chat_id=chat_id)
                return Refused(raw, self._stale_text(identity)), None
            try:
                Update.model_validate(payload, context={"bot": self.bot})
            except ValidationError as error:
                log.info("wechat callback not an update: %s", error)
                return (raw, None), None
            row = {
                "bot_id": self.bot.id,
                "update_id": inbound.update_id,
                "payload": json.dumps(payload, ensure_ascii=False),
                "state": RECEIVED,
                "received_at": now,
                # This worker answers the callback, so this worker handles the update.
                "owner": self.inbox.owner,
            }
            new = await insert_ignore(session, table_of(InboxUpdate), row, ["bot_id", "update_id"])
            if not new:
                return None, None
            return None, waiting.get(inbound.update_id) or Reply(
                chat_id=chat_id, update_id=inbound.update_id
            )

        # Stored before WeChat hears back; callbacks arriving together share the transaction.
        early, reply = await self.ctx.db.batched.run(store)
        if early is not None:
            return early
        if reply is not None:
            waiting[inbound.update_id] = reply
            self.inbox.wake()
            return raw, reply
        # WeChat's retry: it waits for the same answer while the first is being handled.
        return raw, waiting.get(inbound.update_id)

    async def _payload(self, session: Any, inbound: Inbound, chat_id: int) -> dict[str, Any] | None:
        """The update; None for a tap on a button this chat was never shown."""
        message_id = inbound.update_id & 0x7FFFFFFF
        if inbound.menu_token is None:
            return message_update(inbound, chat_id, message_id=message_id)
        button = await find_button(
            session, channel=CHANNEL, chat_id=chat_id, token=inbound.menu_token
        )
        if button is None:
            return None
        if button.kind == "text":
            content = Inbound(
                inbound.openid, inbound.update_id, inbound.created, {"text": button.data}
            )
            return message_update(content, chat_id, message_id=message_id)
        shown = await find_message(
            session, channel=CHANNEL, chat_id=chat_id, message_id=button.message_id
        )
        return callback_update(
            inbound,
            chat_id,
            data=button.data,
            message_id=button.message_id,
            message_text=shown.text if shown is not None else "",
            bot_id=self.bot.id,
        )

    def _stale_text(self, identity: Any) -> str:
        i18n = self.ctx.i18n
        locale = effective_locale(identity, None, i18n.default_locale)
        with i18n.context(), i18n.use_locale(locale):
            return _("That option is no longer valid. Please use the latest message.")

    def passive_reply(self, request: web.Request, raw: dict[str, Any], piece: Piece) -> str:
        """The XML answer carrying ``piece`` to the sender, encrypted in secure mode."""
        fields = {"source": raw.get("ToUserName", ""), "target": raw.get("FromUserName", "")}
        reply: TextReply | ImageReply
        if piece.media_id is not None:
            reply = ImageReply(media_id=piece.media_id, **fields)
        else:
            reply = TextReply(content=piece.text, **fields)
        xml = str(reply.render())
        if self.crypto is None:
            return xml
        return str(
            self.crypto.encrypt_message(
                xml, request.query.get("nonce", ""), request.query.get("timestamp") or None
            )
        )
