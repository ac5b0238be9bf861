"""What the WeChat channels keep: their people's chat ids, their messages and buttons, the window.

WeChat names a person by a string (an OpenID on the service account, a userid in WeCom); the
Bot API by an integer chat id. ``channel_user`` gives each person a chat id once. Messages the
bot sends there get ids from ``channel_message``; every button drawn is a ``chat_button``
whose token is all the platform carries back, so a tap is checked against the chat it was
drawn for. ``chat_window`` is the service account's budget of customer-service messages.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

import storage.models._naming  # noqa: F401  (naming convention first)
from storage.types import UTCDateTime


class ChannelUser(SQLModel, table=True):
    """A person on a WeChat channel and the chat id the bot knows them by (``id``)."""

    __tablename__ = "channel_user"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=20)
    # The OpenID (service account) or the WeCom userid.
    external_id: str = Field(max_length=128)
    created_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class ChannelMessage(SQLModel, table=True):
    """A message the bot sent on a WeChat channel; its ``id`` is the Bot API message id."""

    __tablename__ = "channel_message"
    __table_args__ = (Index("ix_channel_message_chat", "channel", "chat_id"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=20)
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    # The text as sent (plain), so a tap on one of its buttons can carry the message back.
    text: str = Field(default="", max_length=4096)
    created_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class ChatButton(SQLModel, table=True):
    """One button drawn on a WeChat channel: the token the platform brings back on a tap.

    ``kind`` is ``callback`` (an inline button: ``data`` is its callback data) or ``text`` (a
    reply-keyboard button: ``data`` is the text it sends). ``position`` numbers the options
    of a message drawn as a numbered list, answered by typing the number.
    """

    __tablename__ = "chat_button"
    __table_args__ = (Index("ix_chat_button_message", "channel", "chat_id", "message_id"),)

    id: int | None = Field(default=None, primary_key=True)
    token: str = Field(max_length=40, unique=True)
    channel: str = Field(max_length=20)
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    message_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    kind: str = Field(max_length=10)
    data: str = Field(max_length=256)
    label: str = Field(default="", max_length=128)
    position: int | None = None
    created_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class ChatWindow(SQLModel, table=True):
    """A service-account chat's customer-service budget.

    Opened by the person's last message (``last_inbound_at``): for 48 hours the bot may send
    a few customer-service messages (``spent`` counts them since); after a menu tap only a few
    in the next minute (``menu_spent`` since ``menu_tap_at``).
    """

    __tablename__ = "chat_window"

    channel: str = Field(max_length=20, primary_key=True)
    chat_id: int = Field(sa_column=Column(BigInteger, primary_key=True))
    last_inbound_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    spent: int = 0
    menu_tap_at: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    menu_spent: int = 0
    # Set when the platform said the window is shut (45015, 45047) before our count did.
    closed: bool = False
