"""A resident's own data (PIPL): everything stored about them, and erasing it.

:func:`export_resident_data` gathers what the database holds about the person behind a chat
as plain JSON-able values; :func:`forget_resident` (in :mod:`services.privacy.forget`)
erases it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.cases.residents import IssueDraft
from services.chats.webchat_files import FileKind
from services.privacy.forget import ForgetResult, forget_resident, linked_account, settle_erasure
from services.privacy.participation import participation
from services.reference.catalog import display_name
from storage.models import (
    Attachment,
    ChatIdentity,
    Issue,
    IssueCategory,
    IssueEvent,
    OutboxMessage,
    Resident,
    Station,
    StationSubscription,
    WebChatFile,
)

EXPORT_FORMAT = "liaison-resident-data/1"

__all__ = [
    "EXPORT_FORMAT",
    "ForgetResult",
    "export_resident_data",
    "forget_resident",
    "holds_only_the_chat",
    "linked_account",
    "settle_erasure",
]


def _when(moment: dt.datetime | None) -> str | None:
    return moment.astimezone(dt.UTC).isoformat() if moment is not None else None


def _named(row: Station | IssueCategory | None, locale: str) -> dict[str, Any] | None:
    if row is None:
        return None
    return {"code": row.code, "name": display_name(row, locale)}


def _location(latitude: float | None, longitude: float | None) -> dict[str, float] | None:
    if latitude is None or longitude is None:
        return None
    return {"latitude": latitude, "longitude": longitude}


async def export_resident_data(
    session: AsyncSession,
    *,
    identity_id: int,
    now: dt.datetime,
    locale: str = "zh_CN",
    draft: IssueDraft | None = None,
) -> dict[str, Any]:
    """Everything stored about the person behind a chat, as JSON-able values.

    Times are ISO 8601 in UTC; station and category names are in ``locale``. ``draft`` is
    the report the chat is still writing, if any (it lives in the dialog state, not here).
    Only the public timeline of a case is included, as the resident sees it.
    """
    identity = await session.get(ChatIdentity, identity_id)
    resident = (
        await session.execute(select(Resident).where(col(Resident.identity_id) == identity_id))
    ).scalar_one_or_none()
    data: dict[str, Any] = {
        "format": EXPORT_FORMAT,
        "exported_at": _when(now),
        "chat": _chat(identity),
        "resident_since": _when(resident.created_at) if resident is not None else None,
        "cases": [],
        "station_subscriptions": [],
        "followed_cases": [],
        "suggested_topics": [],
        "session_questions": [],
        "unfinished_report": await _draft(session, draft, locale) if draft else None,
        "messages": await _messages(session, identity_id),
        "web_chat_files": await _web_files(session, identity),
    }
    if resident is not None and resident.id is not None:
        data["cases"] = await _cases(session, resident.id, locale)
        data["station_subscriptions"] = await _subscriptions(session, resident.id, locale)
        data.update(await participation(session, resident_id=resident.id))
    return data


def holds_only_the_chat(data: Mapping[str, Any]) -> bool:
    """Whether an export holds nothing beyond the chat itself."""
    return not any(
        data.get(key)
        for key in (
            "cases",
            "station_subscriptions",
            "followed_cases",
            "suggested_topics",
            "session_questions",
            "unfinished_report",
            "messages",
            "web_chat_files",
        )
    )


def _chat(identity: ChatIdentity | None) -> dict[str, Any] | None:
    if identity is None:
        return None
    return {
        "channel": identity.channel,
        "chat_id": identity.chat_id,
        "language": identity.locale,
        "app_language": identity.client_locale,
        "first_seen": _when(identity.created_at),
        "last_seen": _when(identity.last_seen_at),
    }


async def _cases(session: AsyncSession, resident_id: int, locale: str) -> list[dict[str, Any]]:
    rows = (
        await session.execute(
            select(Issue, Station, IssueCategory)
            .join(Station, col(Station.id) == col(Issue.station_id))
            .join(IssueCategory, col(IssueCategory.id) == col(Issue.category_id))
            .where(col(Issue.resident_id) == resident_id)
            .order_by(col(Issue.created_at), col(Issue.id))
        )
    ).all()
    ids = [issue.id for issue, _station, _category in rows]
    photos: dict[int, list[dict[str, Any]]] = {}
    for photo in (
        await session.execute(
            select(Attachment)
            .where(col(Attachment.issue_id).in_(ids))
            .order_by(col(Attachment.issue_id), col(Attachment.position))
        )
    ).scalars():
        photos.setdefault(photo.issue_id, []).append(
            {"kind": photo.kind, "channel": photo.channel, "file_id": photo.file_id}
        )
    timelines: dict[int, list[dict[str, Any]]] = {}
    for event in (
        await session.execute(
            select(IssueEvent)
            .where(col(IssueEvent.issue_id).in_(ids), col(IssueEvent.public).is_(True))
            .order_by(col(IssueEvent.created_at), col(IssueEvent.id))
        )
    ).scalars():
        timelines.setdefault(event.issue_id, []).append(
            {
                "at": _when(event.created_at),
                "kind": event.kind,
                "by": event.actor,
                "status": event.to_status,
                "text": event.body,
            }
        )
    return [
        {
            "number": issue.number,
            "station": _named(station, locale),
            "category": _named(category, locale),
            "description": issue.description,
            "location": _location(issue.latitude, issue.longitude),
            "contact_phone": issue.contact_phone,
            "contact_consent_at": _when(issue.contact_consent_at),
            "status": issue.status,
            "submitted_at": _when(issue.created_at),
            "updated_at": _when(issue.updated_at),
            "due_at": _when(issue.due_at),
            "answered_at": _when(issue.answered_at),
            "resolved_at": _when(issue.resolved_at),
            "rating": issue.rating,
            "solved": issue.solved,
            "rated_at": _when(issue.rated_at),
            "photos": photos.get(issue.id or 0, []),
            "timeline": timelines.get(issue.id or 0, []),
        }
        for issue, station, category in rows
    ]


async def _subscriptions(
    session: AsyncSession, resident_id: int, locale: str
) -> list[dict[str, Any]]:
    rows = (
        await session.execute(
            select(StationSubscription, Station)
            .join(Station, col(Station.id) == col(StationSubscription.station_id))
            .where(col(StationSubscription.resident_id) == resident_id)
            .order_by(col(StationSubscription.created_at))
        )
    ).all()
    return [
        {"station": _named(station, locale), "since": _when(subscription.created_at)}
        for subscription, station in rows
    ]


async def _messages(session: AsyncSession, identity_id: int) -> list[dict[str, Any]]:
    rows = (
        await session.execute(
            select(OutboxMessage)
            .where(col(OutboxMessage.identity_id) == identity_id)
            .order_by(col(OutboxMessage.created_at), col(OutboxMessage.id))
        )
    ).scalars()
    return [
        {
            "kind": row.kind,
            "queued_at": _when(row.created_at),
            "due_at": _when(row.due_at),
            "sent_at": _when(row.sent_at),
            "state": row.state,
        }
        for row in rows
    ]


async def _web_files(session: AsyncSession, identity: ChatIdentity | None) -> list[dict[str, Any]]:
    """The files the web chat keeps for this chat: uploads and files it was sent."""
    if identity is None or identity.channel != "web":
        return []
    rows = (
        await session.execute(
            select(WebChatFile)
            .where(
                col(WebChatFile.chat_id) == identity.chat_id,
                col(WebChatFile.kind) != FileKind.SHOWN,
            )
            .order_by(col(WebChatFile.created_at), col(WebChatFile.id))
        )
    ).scalars()
    return [
        {
            "kind": row.kind,
            "name": row.name,
            "type": row.mime_type,
            "size": row.size,
            "file_id": row.file_id,
            "stored_at": _when(row.created_at),
            "expires_at": _when(row.expires_at),
        }
        for row in rows
    ]


async def _draft(session: AsyncSession, draft: IssueDraft, locale: str) -> dict[str, Any]:
    station = await session.get(Station, draft.station_id) if draft.station_id else None
    category = await session.get(IssueCategory, draft.category_id) if draft.category_id else None
    return {
        "station": _named(station, locale),
        "category": _named(category, locale),
        "description": draft.description or None,
        "photos": [{"channel": draft.channel, "file_id": photo.file_id} for photo in draft.photos],
        "location": _location(draft.latitude, draft.longitude),
        "contact_phone": draft.contact_phone,
    }
