"""What the WeCom channel remembers of what it sent: message ids, buttons and cards.

A button's token is all WeCom brings back on a click (a card button's key) or, for options
drawn as a numbered list, the number typed; both are checked against the chat they were
drawn for. A card's latest click leaves a response code that updates the card once, within
:data:`CARD_UPDATE_WINDOW`.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.db import write_transaction
from storage.models import ChannelMessage, ChatButton, WeComCard

WECOM = "wecom"
# WeCom takes a card's response code for one update, within 72 hours of the click.
CARD_UPDATE_WINDOW = dt.timedelta(hours=72)
MAX_STORED_TEXT = 4096


@dataclass(frozen=True)
class DrawnButton:
    """A button to draw: ``kind`` is ``callback`` (inline) or ``text`` (a reply keyboard's)."""

    kind: str
    data: str
    label: str
    position: int | None = None


@dataclass(frozen=True)
class PressedButton:
    """A button that was pressed, with the message it was drawn on."""

    kind: str
    data: str
    message_id: int
    message_text: str


async def new_message(session: AsyncSession, *, chat_id: int, text: str, now: dt.datetime) -> int:
    """A fresh message id for the chat, the plain text kept for clicks that come back."""
    async with write_transaction(session):
        row = ChannelMessage(
            channel=WECOM, chat_id=chat_id, text=text[:MAX_STORED_TEXT], created_at=now
        )
        session.add(row)
        await session.flush()
        assert row.id is not None
        return row.id


async def draw_buttons(
    session: AsyncSession,
    *,
    chat_id: int,
    message_id: int,
    buttons: list[DrawnButton],
    now: dt.datetime,
    text: str | None = None,
) -> list[str]:
    """Store the message's buttons (replacing any it had) and return their tokens, in order.

    ``text``, when given, is the message's new text (an edit).
    """
    tokens = [secrets.token_urlsafe(18) for _ in buttons]
    async with write_transaction(session):
        await session.execute(
            delete(ChatButton).where(
                col(ChatButton.channel) == WECOM,
                col(ChatButton.chat_id) == chat_id,
                col(ChatButton.message_id) == message_id,
            )
        )
        if text is not None:
            await session.execute(
                update(ChannelMessage)
                .where(col(ChannelMessage.id) == message_id)
                .values(text=text[:MAX_STORED_TEXT])
            )
        session.add_all(
            ChatButton(
                token=token,
                channel=WECOM,
                chat_id=chat_id,
                message_id=message_id,
                kind=button.kind,
                data=button.data[:256],
                label=button.label[:128],
                position=button.position,
                created_at=now,
            )
            for token, button in zip(tokens, buttons, strict=True)
        )
    return tokens


async def pressed_button(
    session: AsyncSession, *, chat_id: int, token: str
) -> PressedButton | None:
    """The button with this token if it was drawn in this chat; None for anything else."""
    row = (
        await session.execute(
            select(ChatButton, col(ChannelMessage.text))
            .join(ChannelMessage, col(ChannelMessage.id) == col(ChatButton.message_id))
            .where(
                col(ChatButton.token) == token,
                col(ChatButton.channel) == WECOM,
                col(ChatButton.chat_id) == chat_id,
            )
        )
    ).one_or_none()
    if row is None:
        return None
    button, text = row
    return PressedButton(
        kind=button.kind, data=button.data, message_id=button.message_id, message_text=text
    )


async def numbered_option(
    session: AsyncSession, *, chat_id: int, number: int
) -> PressedButton | None:
    """The option ``number`` of the chat's latest message, if that message is a numbered list.

    Only the very latest message counts: a number typed in answer to a later question (how
    many people came) is that answer, not a choice from an older list.
    """
    latest = (
        await session.execute(
            select(func.max(col(ChannelMessage.id))).where(
                col(ChannelMessage.channel) == WECOM, col(ChannelMessage.chat_id) == chat_id
            )
        )
    ).scalar_one_or_none()
    if latest is None:
        return None
    row = (
        await session.execute(
            select(ChatButton, col(ChannelMessage.text))
            .join(ChannelMessage, col(ChannelMessage.id) == col(ChatButton.message_id))
            .where(
                col(ChatButton.channel) == WECOM,
                col(ChatButton.chat_id) == chat_id,
                col(ChatButton.message_id) == latest,
                col(ChatButton.position) == number,
            )
        )
    ).one_or_none()
    if row is None:
        return None
    button, text = row
    return PressedButton(kind=button.kind, data=button.data, message_id=latest, message_text=text)


async def record_card(
    session: AsyncSession, *, chat_id: int, message_id: int, task_id: str, now: dt.datetime
) -> None:
    """Note a card sent as ``message_id`` with its task id."""
    async with write_transaction(session):
        session.add(
            WeComCard(message_id=message_id, chat_id=chat_id, task_id=task_id, created_at=now)
        )


async def card_clicked(
    session: AsyncSession, *, chat_id: int, message_id: int, response_code: str, now: dt.datetime
) -> None:
    """Keep the response code of a click on the chat's card, for the update that answers it."""
    async with write_transaction(session):
        await session.execute(
            update(WeComCard)
            .where(col(WeComCard.message_id) == message_id, col(WeComCard.chat_id) == chat_id)
            .values(response_code=response_code, clicked_at=now)
        )


async def take_card_code(
    session: AsyncSession, *, chat_id: int, message_id: int, now: dt.datetime
) -> tuple[str, str] | None:
    """The card's unused response code and its task id, taken for one update; else None."""
    async with write_transaction(session):
        card = await session.get(WeComCard, message_id)
        if (
            card is None
            or card.chat_id != chat_id
            or card.response_code is None
            or card.clicked_at is None
            or now - card.clicked_at >= CARD_UPDATE_WINDOW
        ):
            return None
        code = card.response_code
        taken = await session.execute(
            update(WeComCard)
            .where(col(WeComCard.message_id) == message_id, col(WeComCard.response_code) == code)
            .values(response_code=None)
        )
        return (code, card.task_id) if getattr(taken, "rowcount", 0) else None


async def message_text(session: AsyncSession, *, chat_id: int, message_id: int) -> str | None:
    """The plain text of a message the bot sent to the chat, or None."""
    return (
        await session.execute(
            select(col(ChannelMessage.text)).where(
                col(ChannelMessage.id) == message_id,
                col(ChannelMessage.chat_id) == chat_id,
                col(ChannelMessage.channel) == WECOM,
            )
        )
    ).scalar_one_or_none()
