"""Erasing a resident: their chat and everything tied to it goes, their cases stay anonymous.

The committee must keep a record of every case and its answer (件件有回音), so a case is not
deleted: it loses its link to the resident, the phone number and its consent, the location,
the draft token and the photos, and keeps its number, station, category, description, dates,
status, rating and timeline. The phone number, and any mobile number the resident typed into
their own words, is also cut out of the texts that stay (see ``privacy_redact``).

A web chat's history and its claims on files are rows too (see ``webchat_files``): they go in
the same transaction, found by the chat id, so nothing depends on what a running process
remembers. The files whose bytes may then be deleted are returned to the caller.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.audit import Actor, audit
from services.cases.search_index import index_issue
from services.chats.webchat_files import forget_chat_files, unreferenced
from services.chats.webchat_history import forget_history, redact_histories
from services.errors import DomainError
from services.privacy.participation import forget_topics
from services.privacy.redact import mobiles_in, redact, redact_desk_texts
from storage.db import flush_erased, write_transaction
from storage.enums import ActorKind, Channel, Role
from storage.models import (
    Attachment,
    AuditEntry,
    ChatIdentity,
    DepartmentBinding,
    FsmRecord,
    InviteFailure,
    Issue,
    IssueEvent,
    MemberBinding,
    OutboxMessage,
    Resident,
    StaffBinding,
    StationSubscription,
)

log = logging.getLogger(__name__)

# Keys that would carry personal data in the JSON of an audit entry about a case.
PERSONAL_KEYS = frozenset(
    {"contact_phone", "phone", "latitude", "longitude", "location", "resident_id", "file_id"}
)


@dataclass(frozen=True)
class ForgetResult:
    """What an erasure removed (row counts by kind), and the web chat files to delete."""

    removed: dict[str, int] = field(default_factory=dict)
    media_keys: tuple[str, ...] = ()


async def linked_account(session: AsyncSession, *, identity_id: int) -> str | None:
    """``member``, ``staff`` or ``department`` when the chat belongs to one; None for residents."""
    identity = await session.get(ChatIdentity, identity_id)
    for kind, table in (
        ("member", MemberBinding),
        ("staff", StaffBinding),
        ("department", DepartmentBinding),
    ):
        found = await session.execute(
            select(col(table.id)).where(col(table.identity_id) == identity_id).limit(1)
        )
        if found.first() is not None:
            return kind
    if identity is not None and identity.role != Role.RESIDENT:
        return str(identity.role)
    return None


def _count(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def _scrub_json(text: str | None, phones: Collection[str]) -> str | None:
    if text is None:
        return None
    try:
        values = json.loads(text)
    except ValueError:
        return redact(text, phones)
    if isinstance(values, dict):
        values = {key: (None if key in PERSONAL_KEYS else value) for key, value in values.items()}
    return redact(json.dumps(values, ensure_ascii=False, sort_keys=True, default=str), phones)


async def forget_resident(
    session: AsyncSession,
    *,
    identity_id: int,
    now: dt.datetime,
    dialog_keys: Collection[str] = (),
    media_candidates: Collection[str] = (),
) -> ForgetResult:
    """Erase the resident behind a chat, in one transaction; see the module docstring.

    ``dialog_keys`` are the chat's rows in the dialog-state table; ``media_candidates`` are
    more web chat files to consider (a draft's photos). The web chat's own rows for the chat
    (its history, the files it uploaded, was sent or shown) are found here. The result's
    ``media_keys`` are the web chat files of the erased data that nothing kept still refers
    to: files are stored by content, so another chat's copy of the same photo keeps it. A
    member's, staff member's or department's chat is refused with
    ``DomainError("not_a_resident")``.
    """
    async with write_transaction(session):
        if await linked_account(session, identity_id=identity_id) is not None:
            raise DomainError("not_a_resident")
        removed: dict[str, int] = {}
        resident = (
            await session.execute(select(Resident).where(col(Resident.identity_id) == identity_id))
        ).scalar_one_or_none()
        web_photos: set[str] = set()
        phones: set[str] = set()
        if resident is not None and resident.id is not None:
            web_photos, phones = await _anonymise_cases(session, resident.id, removed)
            removed["subscriptions"] = _count(
                await session.execute(
                    delete(StationSubscription).where(
                        col(StationSubscription.resident_id) == resident.id
                    )
                )
            )
            if topics := await forget_topics(session, resident_id=resident.id):
                removed["topics"] = topics
            await session.execute(delete(Resident).where(col(Resident.id) == resident.id))
        removed["messages"] = _count(
            await session.execute(
                delete(OutboxMessage).where(col(OutboxMessage.identity_id) == identity_id)
            )
        )
        await session.execute(
            delete(InviteFailure).where(col(InviteFailure.identity_id) == identity_id)
        )
        removed["dialog_states"] = (
            _count(await session.execute(delete(FsmRecord).where(col(FsmRecord.key).in_(keys))))
            if (keys := list(dialog_keys))
            else 0
        )
        web_files: set[str] = set()
        identity = await session.get(ChatIdentity, identity_id)
        if identity is not None and identity.channel == Channel.WEB:
            web_files = await forget_chat_files(session, chat_id=identity.chat_id)
            removed["web_history"] = await forget_history(session, chat_id=identity.chat_id)
        if phones:
            # Staff and assignees who read the case in the web chat have the number on screen.
            await redact_histories(session, phones)
        removed["chats"] = _count(
            await session.execute(delete(ChatIdentity).where(col(ChatIdentity.id) == identity_id))
        )
        media_keys = await unreferenced(session, web_photos | web_files | set(media_candidates))
        audit(
            session,
            actor=Actor(ActorKind.RESIDENT),
            action="resident.forget",
            # No id: SQLite may give the freed row id to the next resident.
            object_kind="resident",
            after={**removed, "files": len(media_keys)},
            now=now,
        )
    return ForgetResult(removed=removed, media_keys=media_keys)


async def settle_erasure(session: AsyncSession) -> None:
    """Once every trace is gone (the dialog state too), empty SQLite's write-ahead log.

    The log holds the pages as they were before the erasure until a checkpoint; secure
    deletion (see storage.db) has already overwritten the freed space in the database file.
    """
    if not await flush_erased(session):
        log.warning("the write-ahead log was busy after an erasure; the next checkpoint clears it")


async def _anonymise_cases(
    session: AsyncSession, resident_id: int, removed: dict[str, int]
) -> tuple[set[str], set[str]]:
    """Strip the resident's cases of what identifies them.

    Returns the cases' web chat photos and the phone numbers that were cut out.
    """
    issues = (
        (await session.execute(select(Issue).where(col(Issue.resident_id) == resident_id)))
        .scalars()
        .all()
    )
    removed["cases"] = len(issues)
    if not issues:
        return set(), set()
    ids = [issue.id for issue in issues if issue.id is not None]
    phones = {issue.contact_phone for issue in issues if issue.contact_phone}
    # A number the resident typed into their own words is theirs too, consent or not.
    own_lines = await session.execute(
        select(col(IssueEvent.body)).where(
            col(IssueEvent.issue_id).in_(ids), col(IssueEvent.actor) == ActorKind.RESIDENT
        )
    )
    for text in [*(issue.description for issue in issues), *own_lines.scalars()]:
        phones |= mobiles_in(text)
    web_photos = set(
        (
            await session.execute(
                select(col(Attachment.file_id)).where(
                    col(Attachment.issue_id).in_(ids), col(Attachment.channel) == Channel.WEB
                )
            )
        ).scalars()
    )
    removed["photos"] = _count(
        await session.execute(delete(Attachment).where(col(Attachment.issue_id).in_(ids)))
    )
    for issue in issues:
        description = redact(issue.description, phones)
        await session.execute(
            update(Issue)
            .where(col(Issue.id) == issue.id)
            .values(
                resident_id=None,
                anonymous=True,
                contact_phone=None,
                contact_consent_at=None,
                latitude=None,
                longitude=None,
                draft_token=None,
                description=description,
            )
        )
        assert issue.id is not None
        await index_issue(session, issue_id=issue.id, description=description)
    # Lines the resident wrote stay on the timeline, no longer pointing at anyone.
    await session.execute(
        update(IssueEvent)
        .where(col(IssueEvent.issue_id).in_(ids), col(IssueEvent.actor) == ActorKind.RESIDENT)
        .values(actor_id=None, actor_name=None)
    )
    if phones:
        await _redact_timeline(session, ids, phones)
        await redact_desk_texts(session, ids, phones)
    await _scrub_audit(session, ids, [issue.number for issue in issues], phones)
    return web_photos, phones


async def _redact_timeline(session: AsyncSession, ids: list[int], phones: Collection[str]) -> None:
    """Cut the phone numbers out of the cases' timelines."""
    events = await session.execute(
        select(col(IssueEvent.id), col(IssueEvent.body)).where(
            col(IssueEvent.issue_id).in_(ids), col(IssueEvent.body).is_not(None)
        )
    )
    for event_id, body in events.all():
        if body and (cleaned := redact(body, phones)) != body:
            await session.execute(
                update(IssueEvent).where(col(IssueEvent.id) == event_id).values(body=cleaned)
            )


async def _scrub_audit(
    session: AsyncSession, ids: list[int], numbers: list[str], phones: Collection[str]
) -> None:
    """Drop personal fields and phone numbers from the audit entries about the cases."""
    keys = [str(issue_id) for issue_id in ids] + numbers
    entries = await session.execute(
        select(AuditEntry).where(
            col(AuditEntry.object_kind) == "issue", col(AuditEntry.object_id).in_(keys)
        )
    )
    for entry in entries.scalars().all():
        values: Mapping[str, str | None] = {
            "before": _scrub_json(entry.before, phones),
            "after": _scrub_json(entry.after, phones),
        }
        await session.execute(
            update(AuditEntry).where(col(AuditEntry.id) == entry.id).values(**values)
        )
