"""The bot talks only in private chats; a group is told so once, then ignored."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import Chat, TelegramObject, Update
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from services.accounts.identities import claim_group_notice, touch_identity
from services.clock import Clock

log = logging.getLogger(__name__)


class PrivateChatOnlyMiddleware(BaseMiddleware):
    """Stops every update that does not come from a private chat."""

    def __init__(self, i18n: I18n) -> None:
        self.i18n = i18n

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        """Pass private chats through; stop everything else."""
        chat: Chat | None = data.get("event_chat")
        if chat is None or chat.type == "private":
            return await handler(event, data)
        if chat.type in ("group", "supergroup") and isinstance(event, Update):
            await self._notice_once(chat, data)
        return None

    async def _notice_once(self, chat: Chat, data: dict[str, Any]) -> None:
        bot: Bot = data["bot"]
        clock: Clock = data["clock"]
        session = data["session"]
        identity = await touch_identity(
            session,
            channel=data["channels"].get(bot.id, "telegram"),
            chat_id=chat.id,
            chat_type=chat.type,
            now=clock.now(),
        )
        assert identity.id is not None
        if not await claim_group_notice(session, identity_id=identity.id):
            return
        user = data.get("event_from_user")
        locale = self.i18n.default_locale
        if user is not None and user.language_code and user.language_code.startswith("en"):
            locale = "en"
        with self.i18n.context(), self.i18n.use_locale(locale):
            text = _(
                "I only talk in private chats, to keep residents' reports private. "
                "Please write to me directly."
            )
        try:
            await bot.send_message(chat.id, text)
        except TelegramAPIError as error:
            log.warning("could not tell group %s: %s", chat.id, error)
