"""How services ask for a notice without knowing languages: the chat layer renders it."""

from __future__ import annotations

from typing import Any, Protocol

from services.outbox.queue import Outgoing
from storage.models import ChatIdentity


class Notifier(Protocol):
    """Renders a notice of some ``kind`` for one chat, in that chat's language."""

    def render(self, kind: str, identity: ChatIdentity, **data: Any) -> Outgoing:
        """The message to queue for ``identity``."""
        ...
