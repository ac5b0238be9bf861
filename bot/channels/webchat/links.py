"""File links in a chat's history, signed afresh when a page draws the history again."""

from __future__ import annotations

from typing import Any

from bot.channels.webchat.media import MediaStore

MEDIA_PATH = "/webchat/media/"
LINKED = ("photo", "document")


def fresh_links(
    events: list[dict[str, Any]], media: MediaStore, chat_id: int
) -> list[dict[str, Any]]:
    """Copies of ``events`` with file links signed afresh; the stored events stay unchanged."""
    fresh = []
    for event in events:
        changed = event
        for key in LINKED:
            attached = event.get(key)
            url = attached.get("url") if isinstance(attached, dict) else None
            if isinstance(attached, dict) and isinstance(url, str) and url.startswith(MEDIA_PATH):
                file_id = url[len(MEDIA_PATH) :].split("?", 1)[0]
                if changed is event:
                    changed = dict(event)
                changed[key] = {**attached, "url": media.url(file_id, chat_id)}
        fresh.append(changed)
    return fresh
