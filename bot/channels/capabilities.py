"""What each channel states about itself when its Bot is registered (see ``handlers.channel``)."""

from __future__ import annotations

from handlers.channel import RELATIVE_START, ChannelCapabilities, ChatMemory, ChatPage

# Telegram re-sends a file by the id it gave us, and opens the bot from a t.me link.
TELEGRAM = ChannelCapabilities(
    name="telegram",
    reuses_file_ids=True,
    start_link="https://t.me/{username}?start={payload}",
)


def web_chat(
    memory: ChatMemory, public_url: str | None = None, page: ChatPage | None = None
) -> ChannelCapabilities:
    """The web chat: files live in its own store, the bot is opened from its own page.

    With its public address known, links are whole (a QR code or a phone can open them);
    without it, relative to the page they are shown on.
    """
    if public_url is None:
        return ChannelCapabilities(name="web", memory=memory, page=page)
    return ChannelCapabilities(
        name="web", memory=memory, page=page, start_link=public_url.rstrip("/") + RELATIVE_START
    )


def reuses_file_ids(channel: str) -> bool:
    """Whether the channel named ``channel`` takes back the file ids it gave us."""
    return channel == TELEGRAM.name


# The service account: files by WeChat's temporary media ids; a station's QR code, drawn by
# ``liaison stations qr --channel wechat``, carries the payload a deep link would.
WECHAT = ChannelCapabilities(name="wechat")
# WeCom: files are downloaded and sent again as bytes (its media ids last three days), and
# there is no link that opens the app with a payload: an invitation is typed.
WECOM = ChannelCapabilities(name="wecom")
