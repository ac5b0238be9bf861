"""The WeChat channels' own rows: who a chat id stands for, the bot's messages and buttons.

WeChat names a person by a string (an OpenID); the Bot API wants an integer chat id, which
``channel_user`` hands out once. A button drawn under a message is a random token kept with the
chat it was drawn for, so a tap that comes back is only ever read for that chat.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import ChannelMessage, ChannelUser, ChatButton, ChatIdentity
from storage.queries import table_of

# The longest text kept with a message, as the column allows.
MAX_KEPT_TEXT = 4096


@dataclass(frozen=True)
class DrawnButton:
    """A button to draw: ``kind`` is ``callback`` or ``text``, ``data`` what a tap brings."""

    kind: str
    data: str
    label: str


async def chat_id_for(
    session: AsyncSession, *, channel: str, external_id: str, now: dt.datetime
) -> int:
    """The chat id of the person ``external_id`` on ``channel``, given on first sight.

    One statement: an insert that, on a conflict, touches the existing row and returns its
    id, so two callbacks of a new person at once get the same chat id on both databases.
    """
    table = table_of(ChannelUser)
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(table).values(channel=channel, external_id=external_id, created_at=now)
    upsert = stmt.on_conflict_do_update(
        index_elements=["channel", "external_id"],
        set_={"external_id": stmt.excluded.external_id},
    )
    return int((await session.execute(upsert.returning(table.c.id))).scalar_one())


async def external_id_of(session: AsyncSession, *, channel: str, chat_id: int) -> str | None:
    """The OpenID (or userid) behind a chat id, or None for a chat id never given."""
    query = select(col(ChannelUser.external_id)).where(
        col(ChannelUser.channel) == channel, col(ChannelUser.id) == chat_id
    )
    return (await session.execute(query)).scalar_one_or_none()


async def record_message(
    session: AsyncSession,
    *,
    channel: str,
    chat_id: int,
    text: str,
    now: dt.datetime,
    buttons: Sequence[DrawnButton] = (),
) -> tuple[int, list[str]]:
    """Keep a message the bot sends and its buttons; its message id and the buttons' tokens."""
    message = ChannelMessage(
        channel=channel, chat_id=chat_id, text=text[:MAX_KEPT_TEXT], created_at=now
    )
    session.add(message)
    await session.flush()
    assert message.id is not None
    tokens: list[str] = []
    for position, button in enumerate(buttons, start=1):
        # URL-safe base64 has no ":", so a token fits a callback value as it is.
        token = secrets.token_urlsafe(12)
        session.add(
            ChatButton(
                token=token,
                channel=channel,
                chat_id=chat_id,
                message_id=message.id,
                kind=button.kind,
                data=button.data[:256],
                label=button.label[:128],
                position=position,
                created_at=now,
            )
        )
        tokens.append(token)
    await session.flush()
    return message.id, tokens


async def find_button(
    session: AsyncSession, *, channel: str, chat_id: int, token: str
) -> ChatButton | None:
    """The button ``token`` names if it was drawn in this chat; another chat's is not found."""
    query = select(ChatButton).where(
        col(ChatButton.token) == token,
        col(ChatButton.channel) == channel,
        col(ChatButton.chat_id) == chat_id,
    )
    return (await session.execute(query)).scalar_one_or_none()


async def find_message(
    session: AsyncSession, *, channel: str, chat_id: int, message_id: int
) -> ChannelMessage | None:
    """A message the bot sent to this chat."""
    query = select(ChannelMessage).where(
        col(ChannelMessage.id) == message_id,
        col(ChannelMessage.channel) == channel,
        col(ChannelMessage.chat_id) == chat_id,
    )
    return (await session.execute(query)).scalar_one_or_none()


async def mark_unsubscribed(session: AsyncSession, *, channel: str, chat_id: int) -> None:
    """The person left the account: nothing is sent to them until they come back."""
    await session.execute(
        update(ChatIdentity)
        .where(col(ChatIdentity.channel) == channel, col(ChatIdentity.chat_id) == chat_id)
        .values(blocked=True)
        .execution_options(synchronize_session=False)
    )


async def latest_card(
    session: AsyncSession, *, channel: str, chat_id: int
) -> tuple[str, list[ChatButton]] | None:
    """The text and options of the last message drawn with options in this chat.

    That message is the card a dialog stands at: a tap on an older one is refused, and the
    chat is shown this one again, with the same tokens, since older messages scroll away.
    """
    query = (
        select(ChatButton)
        .where(
            col(ChatButton.channel) == channel,
            col(ChatButton.chat_id) == chat_id,
            col(ChatButton.kind) == "callback",
        )
        .order_by(col(ChatButton.message_id).desc())
        .limit(1)
    )
    newest = (await session.execute(query)).scalar_one_or_none()
    if newest is None:
        return None
    message = await find_message(
        session, channel=channel, chat_id=chat_id, message_id=newest.message_id
    )
    options = await session.execute(
        select(ChatButton)
        .where(
            col(ChatButton.channel) == channel,
            col(ChatButton.chat_id) == chat_id,
            col(ChatButton.message_id) == newest.message_id,
        )
        .order_by(col(ChatButton.position))
    )
    return (message.text if message is not None else ""), list(options.scalars())
