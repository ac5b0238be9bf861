"""The service account's customer-service window: when a chat may be sent a free-form message.

A resident's message opens a 48-hour window with a small count of customer-service messages
(5); a menu tap allows a few (3) within the next minute. The direct answer to a resident
comes first: notices from the outbox leave ``ANSWER_RESERVE`` of the count for it. The count
is taken before a send (``reserve``) in one statement, so several processes never overspend.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

WINDOW = dt.timedelta(hours=48)
WINDOW_COUNT = 5
MENU_WINDOW = dt.timedelta(minutes=1)
MENU_COUNT = 3
# Customer-service messages a notice leaves for the answer to the resident's own message.
ANSWER_RESERVE = 2


@dataclass(frozen=True)
class WindowState:
    """Where a chat's window stands at a moment."""

    open: bool
    remaining: int
    closes_at: dt.datetime | None


async def note_inbound(
    session: AsyncSession, *, channel: str, chat_id: int, now: dt.datetime, menu_tap: bool = False
) -> None:
    """The resident wrote (or tapped the menu): the window opens again with its full count."""
    raise NotImplementedError


async def reserve(
    session: AsyncSession, *, channel: str, chat_id: int, now: dt.datetime, answer: bool
) -> bool:
    """Take one customer-service message from the chat's count; False when none may go.

    ``answer`` is true for the direct answer to the resident's own message, which may spend
    the whole count; a notice leaves ``ANSWER_RESERVE``.
    """
    raise NotImplementedError


async def give_back(session: AsyncSession, *, channel: str, chat_id: int) -> None:
    """A reserved message was not sent after all (the platform failed): its count returns."""
    raise NotImplementedError


async def mark_shut(session: AsyncSession, *, channel: str, chat_id: int) -> None:
    """The platform refused the message as outside the window: no more until the next inbound."""
    raise NotImplementedError


async def window_state(
    session: AsyncSession, *, channel: str, chat_id: int, now: dt.datetime
) -> WindowState:
    """The chat's window now."""
    raise NotImplementedError
