"""What a channel with a message budget (the WeChat service account) tells the delivery loop.

The session raises ``OutsideWindowError`` when a message cannot go as a customer-service
message (the 48-hour window is shut or its count is spent); the delivery loop then sends a
template message through the channel's ``TemplateSender`` where one is configured for the
notice, and otherwise holds the notice until the person writes again.
"""

from __future__ import annotations

from typing import Protocol

from aiogram.exceptions import TelegramAPIError


class OutsideWindowError(TelegramAPIError):
    """The chat's customer-service window is shut or spent: no free-form message goes now."""


class TemplateSender(Protocol):
    """A channel that can send a pre-approved template message to a chat."""

    async def send_template(
        self, chat_id: int, template_id: str, data: dict[str, str], *, url: str | None = None
    ) -> int:
        """Send the template with its fields filled; the message id."""
        ...
