"""Who the member behind a chat is, resolved once per update, and the filter that gates them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.filters import Filter
from aiogram.types import TelegramObject

from services.members.profiles import MemberProfile, load_profile, member_of_identity
from storage.enums import Role
from storage.models import ChatIdentity

MEMBER_MENU = "member"
RESIDENT_MENU = "resident"


class MemberMiddleware(BaseMiddleware):
    """Puts ``member`` (a profile or None) and ``menu_role`` in the handler data."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        """Load the member of a linked chat; other chats cost nothing."""
        identity: ChatIdentity | None = data.get("identity")
        profile: MemberProfile | None = None
        if identity is not None and identity.role == Role.MEMBER and identity.id is not None:
            session = data["session"]
            member = await member_of_identity(session, identity_id=identity.id)
            if member is not None and member.id is not None:
                profile = await load_profile(session, member_id=member.id)
        data["member"] = profile
        data["menu_role"] = MEMBER_MENU if profile is not None and profile.active else RESIDENT_MENU
        return await handler(event, data)


class ActiveMember(Filter):
    """Passes for a chat linked to a serving member."""

    async def __call__(self, event: TelegramObject, member: MemberProfile | None = None) -> bool:
        """Whether the update comes from an active member's chat."""
        return member is not None and member.active
