"""Broadcasts: a notice to an audience, queued as one outbox row per chat.

A broadcast and all its outbox rows are written in one transaction with its audit entry;
its messages go out through the ordinary delivery loop. What happens while it runs (counts,
cancelling, the end) is in ``services.broadcasts.progress``.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from services.accounts.scope import StaffScope
from services.audit import Actor, audit
from services.broadcasts.audiences import Audience, require_allowed, resolve, size_of
from services.errors import DomainError
from services.outbox.queue import Outgoing, Recipient, add_many
from storage.db import write_transaction
from storage.enums import BroadcastState
from storage.models import Broadcast, Staff

TEXT_MAX = 4096
CAPTION_MAX = 1024
KIND = "broadcast"
REPORT_KIND = "broadcast-report"
# After every personal notice: a reminder or a leave decision is never queued behind a
# broadcast to thousands.
PRIORITY = 5
_TAG = re.compile(r"<[^>]*>")


def plain(text: str) -> str:
    """The visible text of Telegram HTML."""
    return html.unescape(_TAG.sub("", text))


def visible_length(text: str) -> int:
    """The length Telegram checks: the HTML's visible text, in UTF-16 code units."""
    return len(plain(text).encode("utf-16-le")) // 2


def text_limit(*, attachment: bool) -> int:
    """The longest text allowed: a message, or a caption under a photo or document."""
    return CAPTION_MAX if attachment else TEXT_MAX


def check_text(text: str, *, attachment: bool) -> None:
    """Refuse an empty text, or one longer than Telegram allows."""
    if not plain(text).strip():
        raise DomainError("text_empty")
    length = visible_length(text)
    maximum = text_limit(attachment=attachment)
    if length > maximum:
        raise DomainError("text_length", length=length, maximum=maximum)


def quiet_until(
    moment: dt.datetime, *, tz: dt.tzinfo, start: dt.time, end: dt.time
) -> dt.datetime | None:
    """When the quiet hours that hold a message due at ``moment`` end (UTC); None outside them.

    Broadcasts are never urgent, so the delivery loop keeps them back during quiet hours.
    """
    if start == end:
        return None
    local = moment.astimezone(tz)
    now = local.time()
    inside = (start <= now or now < end) if start > end else start <= now < end
    if not inside:
        return None
    day = local.date() if now < end else local.date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, end, tzinfo=tz).astimezone(dt.UTC)


@dataclass(frozen=True)
class BroadcastDraft:
    """What a staff member composed; ``text`` is Telegram HTML, files are stored-file keys."""

    audience: Audience
    text: str
    photo: str | None = None
    document: str | None = None


def message_of(broadcast: Broadcast | BroadcastDraft) -> Outgoing:
    """The message every recipient gets (and the preview shows)."""
    return Outgoing(text=broadcast.text, photo=broadcast.photo, document=broadcast.document)


async def create_broadcast(
    session: AsyncSession,
    *,
    staff: Staff,
    scope: StaffScope,
    draft: BroadcastDraft,
    now: dt.datetime,
    send_at: dt.datetime | None = None,
    progress_identity_id: int | None = None,
) -> Broadcast:
    """Store the broadcast and queue one message per chat of its audience, in one transaction.

    ``send_at`` (UTC) schedules it; the messages are due then. ``progress_identity_id`` is
    the staff chat that follows its progress and gets the final report. Refused when the
    audience is outside the staff member's scope or reaches nobody, or the text does not fit.
    """
    if draft.photo and draft.document:
        raise DomainError("one_attachment")
    check_text(draft.text, attachment=bool(draft.photo or draft.document))
    due = send_at or now
    if due < now:
        raise DomainError("send_at_past")
    require_allowed(scope, draft.audience)
    async with write_transaction(session):
        targets = await resolve(session, audience=draft.audience, scope=scope)
        if not targets:
            raise DomainError("audience_nobody")
        size = size_of(targets)
        broadcast = Broadcast(
            staff_id=staff.id,
            audience_kind=draft.audience.kind,
            audience_value=draft.audience.value,
            text=draft.text,
            photo=draft.photo,
            document=draft.document,
            state=BroadcastState.SENDING,
            recipients=size.total,
            created_at=now,
            send_at=due,
            progress_identity_id=progress_identity_id,
        )
        session.add(broadcast)
        await session.flush()
        assert broadcast.id is not None
        await add_many(
            session,
            to=[Recipient(t.identity_id, t.channel, t.chat_id) for t in targets],
            message=message_of(draft),
            dedupe_prefix=f"broadcast:{broadcast.id}",
            now=now,
            due_at=due,
            priority=PRIORITY,
            kind=KIND,
            broadcast_id=broadcast.id,
        )
        audit(
            session,
            actor=Actor.staff(staff),
            action="broadcast.create",
            object_kind="broadcast",
            object_id=broadcast.id,
            after={
                "audience": f"{draft.audience.kind}:{draft.audience.value}".rstrip(":"),
                "recipients": size.total,
                "blocked": size.blocked,
                "send_at": due.isoformat(),
                "text": draft.text,
                "photo": draft.photo,
                "document": draft.document,
            },
            now=now,
        )
    return broadcast


async def get_broadcast(
    session: AsyncSession, *, broadcast_id: int, scope: StaffScope
) -> Broadcast | None:
    """A broadcast the staff member may see: their own, or any for an administrator."""
    broadcast = await session.get(Broadcast, broadcast_id)
    if broadcast is None or not (scope.admin or broadcast.staff_id == scope.staff_id):
        return None
    return broadcast
