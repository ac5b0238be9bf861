"""The filter that gates members, and the menus of members and residents.

The member behind a chat is resolved once per update by bot/middlewares/actor.py.
"""

from __future__ import annotations

from aiogram.filters import Filter
from aiogram.types import TelegramObject

from services.members.profiles import MemberProfile

MEMBER_MENU = "member"
RESIDENT_MENU = "resident"


class ActiveMember(Filter):
    """Passes for a chat linked to a serving member."""

    async def __call__(self, event: TelegramObject, member: MemberProfile | None = None) -> bool:
        """Whether the update comes from an active member's chat."""
        return member is not None and member.active
