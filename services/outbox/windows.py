"""The service account's customer-service window: when a chat may be sent a free-form message.

A resident's message opens a 48-hour window with a small count of customer-service messages
(5); a menu tap allows a few (3) within the next minute. The direct answer to a resident
comes first: notices from the outbox leave ``ANSWER_RESERVE`` of the count for it. The count
is taken before a send (``reserve``) in one statement, so several processes never overspend.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import ChatWindow
from storage.queries import table_of, upsert

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
    values: dict[str, object] = {
        "channel": channel,
        "chat_id": chat_id,
        "last_inbound_at": now,
        "spent": 0,
        "closed": False,
        "menu_spent": 0,
    }
    columns = ["last_inbound_at", "spent", "closed"]
    if menu_tap:
        values["menu_tap_at"] = now
        columns += ["menu_tap_at", "menu_spent"]
    await upsert(session, table_of(ChatWindow), values, ["channel", "chat_id"], columns)


def _this_chat(channel: str, chat_id: int) -> ColumnElement[bool]:
    return and_(col(ChatWindow.channel) == channel, col(ChatWindow.chat_id) == chat_id)


async def reserve(
    session: AsyncSession, *, channel: str, chat_id: int, now: dt.datetime, answer: bool
) -> bool:
    """Take one customer-service message from the chat's count; False when none may go.

    ``answer`` is true for the direct answer to the resident's own message, which may spend
    the whole count; a notice leaves ``ANSWER_RESERVE``.
    """
    # The minute after a menu tap has its own small allowance, which lapses soon: spent first.
    # Each attempt is one conditional UPDATE, so two processes never take the last message.
    menu = await session.execute(
        update(ChatWindow)
        .where(
            _this_chat(channel, chat_id),
            col(ChatWindow.closed).is_(False),
            col(ChatWindow.menu_tap_at) > now - MENU_WINDOW,
            col(ChatWindow.menu_spent) < (MENU_COUNT if answer else MENU_COUNT - ANSWER_RESERVE),
        )
        .values(menu_spent=col(ChatWindow.menu_spent) + 1)
        .execution_options(synchronize_session=False)
    )
    if _count(menu):
        return True
    limit = WINDOW_COUNT if answer else WINDOW_COUNT - ANSWER_RESERVE
    window = await session.execute(
        update(ChatWindow)
        .where(
            _this_chat(channel, chat_id),
            col(ChatWindow.closed).is_(False),
            col(ChatWindow.last_inbound_at) > now - WINDOW,
            col(ChatWindow.spent) < limit,
        )
        .values(spent=col(ChatWindow.spent) + 1)
        .execution_options(synchronize_session=False)
    )
    return _count(window) > 0


def _count(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


async def give_back(session: AsyncSession, *, channel: str, chat_id: int) -> None:
    """A reserved message was not sent after all (the platform failed): its count returns."""
    # Which allowance it came from is not kept; the 48-hour count is the one that matters.
    result = await session.execute(
        update(ChatWindow)
        .where(_this_chat(channel, chat_id), col(ChatWindow.spent) > 0)
        .values(spent=col(ChatWindow.spent) - 1)
        .execution_options(synchronize_session=False)
    )
    if not _count(result):
        await session.execute(
            update(ChatWindow)
            .where(_this_chat(channel, chat_id), col(ChatWindow.menu_spent) > 0)
            .values(menu_spent=col(ChatWindow.menu_spent) - 1)
            .execution_options(synchronize_session=False)
        )


async def mark_shut(session: AsyncSession, *, channel: str, chat_id: int) -> None:
    """The platform refused the message as outside the window: no more until the next inbound."""
    await session.execute(
        update(ChatWindow)
        .where(_this_chat(channel, chat_id))
        .values(closed=True)
        .execution_options(synchronize_session=False)
    )


async def window_state(
    session: AsyncSession, *, channel: str, chat_id: int, now: dt.datetime
) -> WindowState:
    """The chat's window now."""
    row = await session.get(ChatWindow, (channel, chat_id))
    if row is None:
        return WindowState(open=False, remaining=0, closes_at=None)
    await session.refresh(row)
    closes_at = row.last_inbound_at + WINDOW
    remaining = 0
    if not row.closed and now < closes_at:
        remaining = max(0, WINDOW_COUNT - row.spent)
        if row.menu_tap_at is not None and now < row.menu_tap_at + MENU_WINDOW:
            remaining += max(0, MENU_COUNT - row.menu_spent)
    return WindowState(open=remaining > 0, remaining=remaining, closes_at=closes_at)
