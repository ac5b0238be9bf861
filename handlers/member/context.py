"""The filter that gates members, their menus, and the context of a member's turn.

The member behind a chat is resolved once per update by bot/middlewares/actor.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiogram import BaseMiddleware
from aiogram.filters import Filter
from aiogram.fsm.context import FSMContext
from aiogram.types import Chat, TelegramObject
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.turn import Turn
from services.calendar import local_today
from services.clock import Clock
from services.members.profiles import MemberProfile
from services.members.rules import RuleBook, Rules

MEMBER_MENU = "member"
RESIDENT_MENU = "resident"


class ActiveMember(Filter):
    """Passes for a chat linked to a serving member."""

    async def __call__(self, event: TelegramObject, member: MemberProfile | None = None) -> bool:
        """Whether the update comes from an active member's chat."""
        return member is not None and member.active


@dataclass
class LogContext:
    """A turn of a member's conversation, with the member, today and the year's rules."""

    turn: Turn
    member: MemberProfile
    rules: Rules
    today: dt.date
    now: dt.datetime

    @property
    def state(self) -> FSMContext:
        """The member's FSM state (meeting answers and check-in codes; entries are dialogs)."""
        return self.turn.state

    @property
    def session(self) -> AsyncSession:
        """The update's database session."""
        return self.turn.session


async def log_context(data: dict[str, Any]) -> LogContext | None:
    """The member's context from handler data, or None when the chat is not a member's.

    Dialog windows are also drawn from the error path (a stale press shows the current card),
    where the routers' middlewares did not run: the turn is then built here (the actor
    middleware has put the member in the Dispatcher's data).
    """
    member: MemberProfile | None = data.get("member")
    if member is None:
        return None
    turn: Turn | None = data.get("turn")
    chat: Chat | None = data.get("event_chat")
    if turn is None and chat is not None and "state" in data:
        turn = Turn(
            data["bot"],
            chat.id,
            data["session"],
            data["state"],
            data["locale"],
            data["tz"],
            MEMBER_MENU if member.active else RESIDENT_MENU,
        )
    if turn is None:
        return None
    clock: Clock = data["clock"]
    rulebook: RuleBook = data["rulebook"]
    now = clock.now()
    today = local_today(now, turn.tz)
    return LogContext(turn, member, rulebook.for_year(today.year), today, now)


class LogContextMiddleware(BaseMiddleware):
    """Puts ``log`` (a LogContext) in the data of handlers that passed the member filter."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        """Build the context from the turn, the member and the clock."""
        if data.get("member") is not None and data.get("turn") is not None:
            data["log"] = await log_context(data)
        return await handler(event, data)
