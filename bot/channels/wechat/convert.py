"""What WeChat delivers, as Bot API updates for the one Dispatcher.

A message's update id is its MsgId; an event has none, so its id is a stable hash of what
identifies it (sender, time, event, key): WeChat's retries of one callback become one update.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# Menu keys are the commands they stand for; anything else is not sent on as a command.
COMMAND_KEY = re.compile(r"^/[a-z_]{1,32}$")


@dataclass(frozen=True)
class Inbound:
    """One callback, read: who sent it, its update id, and what it becomes."""

    openid: str
    update_id: int
    created: int
    # The message's content as Bot API fields (text, photo, location...); None: no update.
    content: dict[str, Any] | None
    # The token of a menu link tapped (``bizmsgmenuid``), looked up for the chat later.
    menu_token: str | None = None
    # A tap on the account's own menu: WeChat allows a few messages in the next minute.
    menu_tap: bool = False
    unsubscribed: bool = False


def clean(text: str) -> str:
    """Text without C0 control characters, newlines and tabs kept."""
    return CONTROL.sub("", text)


def event_update_id(openid: str, created: int, event: str, key: str) -> int:
    """A 63-bit id for an event, the same for each of WeChat's retries."""
    digest = hashlib.sha256(f"{openid}\x1f{created}\x1f{event}\x1f{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def read(raw: dict[str, Any]) -> Inbound:
    """An XML callback (as wechatpy's parsed fields) read into what the channel needs."""
    openid = str(raw.get("FromUserName") or "")
    created = int(raw.get("CreateTime") or 0)
    kind = str(raw.get("MsgType") or "").lower()
    if kind == "event":
        return _event(raw, openid, created)
    update_id = int(raw.get("MsgId") or 0) or event_update_id(openid, created, kind, "")
    media = str(raw.get("MediaId") or "")
    content: dict[str, Any] | None
    token = None
    if kind == "text":
        content = {"text": clean(str(raw.get("Content") or ""))}
        token = str(raw.get("bizmsgmenuid") or "") or None
    elif kind == "image":
        content = {"photo": [_file(media, width=0, height=0)]}
    elif kind == "location":
        content = {
            "location": {
                "latitude": float(raw.get("Location_X") or 0),
                "longitude": float(raw.get("Location_Y") or 0),
            }
        }
    elif kind == "voice":
        content = {"voice": _file(media, duration=0)}
    elif kind in ("video", "shortvideo"):
        content = {"video": _file(media, width=0, height=0, duration=0)}
    else:
        # A link, a file or anything newer: a document, which no step takes as its answer.
        name = clean(str(raw.get("Title") or raw.get("FileName") or kind))[:200]
        content = {
            "document": {
                **_file(media or f"{kind}-{update_id}"),
                "file_name": name or kind,
                "mime_type": "application/octet-stream",
            }
        }
    return Inbound(openid, update_id, created, content, menu_token=token)


def _file(file_id: str, **fields: Any) -> dict[str, Any]:
    return {"file_id": file_id, "file_unique_id": file_id[:64], **fields}


def _event(raw: dict[str, Any], openid: str, created: int) -> Inbound:
    event = str(raw.get("Event") or "").lower()
    key = str(raw.get("EventKey") or "")
    update_id = event_update_id(openid, created, event, key)
    text: str | None = None
    menu_tap = False
    if event in ("subscribe", "subscribe_scan"):
        # wechatpy reads a subscription by QR code as "subscribe_scan", its scene unprefixed;
        # WeChat's own form is "subscribe" with "qrscene_" before the scene.
        scanned = event == "subscribe_scan" or key.startswith("qrscene_")
        scene = key.removeprefix("qrscene_") if scanned else ""
        text = f"/start {clean(scene)}" if scene else "/start"
    elif event == "scan":
        text = f"/start {clean(key)}" if key else "/start"
    elif event == "click":
        menu_tap = True
        text = key if COMMAND_KEY.match(key) else None
    elif event == "unsubscribe":
        return Inbound(openid, update_id, created, None, unsubscribed=True)
    content = {"text": text} if text else None
    return Inbound(openid, update_id, created, content, menu_tap=menu_tap)


def message_update(inbound: Inbound, chat_id: int, *, message_id: int) -> dict[str, Any]:
    """The Bot API update of a message."""
    assert inbound.content is not None
    return {
        "update_id": inbound.update_id,
        "message": {
            "message_id": message_id,
            "date": inbound.created,
            "chat": {"id": chat_id, "type": "private"},
            "from": _user(chat_id),
            **inbound.content,
        },
    }


def callback_update(
    inbound: Inbound, chat_id: int, *, data: str, message_id: int, message_text: str, bot_id: int
) -> dict[str, Any]:
    """The Bot API update of a tap on a menu link drawn for an inline button."""
    return {
        "update_id": inbound.update_id,
        "callback_query": {
            "id": f"wx-{inbound.update_id}",
            "from": _user(chat_id),
            "chat_instance": str(chat_id),
            "data": data,
            "message": {
                "message_id": message_id,
                "date": inbound.created,
                "chat": {"id": chat_id, "type": "private"},
                "from": {"id": bot_id, "is_bot": True, "first_name": "Liaison"},
                "text": message_text or "…",
            },
        },
    }


def _user(chat_id: int) -> dict[str, Any]:
    # WeChat tells no name or language: the committee's language is used until one is chosen.
    return {"id": chat_id, "is_bot": False, "first_name": "WeChat"}
