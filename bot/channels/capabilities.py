"""What each channel states about itself when its Bot is registered (see ``handlers.channel``)."""

from __future__ import annotations

from handlers.channel import ChannelCapabilities, ChatMemory

# Telegram re-sends a file by the id it gave us, and opens the bot from a t.me link.
TELEGRAM = ChannelCapabilities(
    name="telegram",
    reuses_file_ids=True,
    start_link="https://t.me/{username}?start={payload}",
)


def web_chat(memory: ChatMemory) -> ChannelCapabilities:
    """The web chat: files live in its own store, the bot is opened from its own page."""
    return ChannelCapabilities(name="web", memory=memory)


def reuses_file_ids(channel: str) -> bool:
    """Whether the channel named ``channel`` takes back the file ids it gave us."""
    return channel == TELEGRAM.name
