"""What the channel serving an update can do, so handlers never ask which channel it is.

Each channel's Bot states its capabilities when the shell registers it; a middleware puts
them in the handler data as ``capabilities``, next to ``channel`` (the channel's name, which
is stored with identities and cases, never branched on).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Protocol

# A deep link every channel can open: the page the bot itself serves.
RELATIVE_START = "/?start={payload}"


class ChatMemory(Protocol):
    """A channel that keeps a chat's files and open pages itself (the web chat)."""

    async def forget_chat(self, chat_id: int, file_ids: Collection[str]) -> None:
        """Delete the given files and redraw the chat's open pages empty."""
        ...


class ChatPage(Protocol):
    """A channel whose own page around the chat has words of its own (the web chat)."""

    async def relabel(self, chat_id: int, locale: str) -> None:
        """Redraw the page's own labels of the chat's open pages in ``locale``."""
        ...


@dataclass(frozen=True)
class ChannelCapabilities:
    """How a channel differs where handlers care."""

    name: str
    # A file id the channel gave us can be sent again instead of the bytes (Telegram's).
    reuses_file_ids: bool = False
    # How a link that opens the bot with a /start payload is written; ``{username}`` is the
    # bot's username, without which the relative link is used.
    start_link: str = RELATIVE_START
    # The channel's own store of the chat's uploads, erased with the chat (the web chat).
    memory: ChatMemory | None = None
    # The page around the chat, told when the chat chooses another language (the web chat).
    page: ChatPage | None = None

    @property
    def keeps_files(self) -> bool:
        """Whether uploads live in the channel's own store rather than only in ours."""
        return self.memory is not None

    def deep_link(self, payload: str, username: str | None = None) -> str:
        """A link that opens the bot with ``/start payload``."""
        if "{username}" in self.start_link and not username:
            return RELATIVE_START.format(payload=payload)
        return self.start_link.format(payload=payload, username=username)
