"""Who is speaking: the chat's identity, channel and language, and the role it acts in.

One middleware resolves, once per update, what the handlers read about the person writing:
``identity``, ``channel`` and its ``capabilities``, ``locale``, and the role behind the
chat: ``member`` (a profile or None), ``staff``, ``department``, ``guest_meetings`` (the
meetings a guest pass opens) and the ``menu_role`` their menus are drawn for. A guest chat
whose passes all expired or were revoked is a resident's again, from its next update. The
identity of a chat seen lately comes from an in-process cache (see
:class:`services.accounts.identities.IdentityCache`), so a resident's update costs no query
here; a member's, a staff member's or a department handler's chat costs the one or two
queries of its role. An identity the cache does not hold is read, or made for a new chat, in
a transaction shared with the other chats of that moment
(:class:`services.accounts.identity_batches.IdentityBatches`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.types import Chat, TelegramObject, User
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.capabilities import TELEGRAM
from bot.settings import Settings
from handlers.assignee.context import DEPARTMENT_MENU
from handlers.consultation.guest_context import GUEST_MENU
from handlers.member.context import MEMBER_MENU, RESIDENT_MENU
from handlers.staff.context import staff_menu
from services.accounts.departments import department_of_identity
from services.accounts.identities import (
    IdentityCache,
    effective_locale,
    locale_from_language_code,
    touch_identity,
)
from services.accounts.identity_batches import IdentityBatches
from services.accounts.staff import staff_of_identity
from services.clock import Clock
from services.consultations.guest_invites import guest_meeting_ids
from services.members.profiles import MemberProfile, load_profile, member_of_identity
from storage.db import Database
from storage.enums import Role
from storage.models import ChatIdentity


class ActorMiddleware(BaseMiddleware):
    """Puts who is speaking in the handler data, as the module docstring lists."""

    def __init__(self, cache: IdentityCache | None = None) -> None:
        self.cache = cache if cache is not None else IdentityCache()
        self._batches: dict[int, IdentityBatches] = {}

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        """Resolve who is writing, then run the handlers."""
        bot: Bot = data["bot"]
        settings: Settings = data["settings"]
        session: AsyncSession = data["session"]
        batches = self._batches_of(data["db"])
        channel = data["channels"].get(bot.id, "telegram")
        data["channel"] = channel
        # A Bot no channel registered (a test's) is taken for Telegram, as its name is above.
        data["capabilities"] = data.get("channel_capabilities", {}).get(bot.id, TELEGRAM)
        chat: Chat | None = data.get("event_chat")
        user: User | None = data.get("event_from_user")
        language_code = user.language_code if user else None
        identity = None
        if chat is not None:
            clock: Clock = data["clock"]
            identity = await touch_identity(
                session,
                channel=channel,
                chat_id=chat.id,
                chat_type=chat.type,
                now=clock.now(),
                client_locale=locale_from_language_code(language_code),
                cache=self.cache,
                batches=batches,
            )
        data["identity"] = identity
        data["locale"] = effective_locale(identity, language_code, settings.default_locale)
        await self._resolve_role(session, identity, data, data["clock"])
        # End the read transaction: the connection goes back to the pool instead of waiting
        # through the handlers' network calls.
        if session.in_transaction():
            await session.commit()
        return await handler(event, data)

    def _batches_of(self, db: Database) -> IdentityBatches:
        """The shared lookups of ``db``; the cache watches its engine from then on."""
        batches = self._batches.get(id(db))
        if batches is None:
            self.cache.watch(db.engine)
            batches = self._batches[id(db)] = IdentityBatches(db)
        return batches

    @staticmethod
    async def _resolve_role(
        session: AsyncSession, identity: ChatIdentity | None, data: dict[str, Any], clock: Clock
    ) -> None:
        """The member, staff, department or guest behind the chat; a resident costs nothing."""
        profile: MemberProfile | None = None
        data["staff"] = data["department"] = None
        data["guest_meetings"] = []
        data["menu_role"] = RESIDENT_MENU
        if identity is None or identity.id is None:
            data["member"] = None
            return
        if identity.role == Role.MEMBER:
            member = await member_of_identity(session, identity_id=identity.id)
            if member is not None and member.id is not None:
                profile = await load_profile(session, member_id=member.id)
            if profile is not None and profile.active:
                data["menu_role"] = MEMBER_MENU
        elif identity.role == Role.STAFF:
            staff = await staff_of_identity(session, identity_id=identity.id)
            data["staff"] = staff
            if staff is not None:
                data["menu_role"] = staff_menu(staff)
        elif identity.role == Role.DEPARTMENT:
            department = await department_of_identity(session, identity_id=identity.id)
            data["department"] = department
            if department is not None:
                data["menu_role"] = DEPARTMENT_MENU
        elif identity.role == Role.GUEST:
            # Computed on each update, so an expired pass needs no job to close it.
            meetings = await guest_meeting_ids(session, identity_id=identity.id, now=clock.now())
            data["guest_meetings"] = meetings
            if meetings:
                data["menu_role"] = GUEST_MENU
        data["member"] = profile
