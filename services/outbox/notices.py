"""How services ask for a notice without knowing languages: the chat layer renders it."""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

from services.outbox.queue import Outgoing
from storage.models import ChatIdentity, Issue, IssueCategory, Station


class Notifier(Protocol):
    """Renders a notice of some ``kind`` for one chat, in that chat's language."""

    def render(self, kind: str, identity: ChatIdentity, **data: Any) -> Outgoing:
        """The message to queue for ``identity``."""
        ...

    def case_facts(
        self,
        identity: ChatIdentity,
        *,
        issue: Issue,
        own: Issue | None,
        station: Station | None,
        category: IssueCategory | None,
        at: dt.datetime,
    ) -> dict[str, str]:
        """A case notice's plain facts in ``identity``'s language (:mod:`.templates`)."""
        ...
