"""The web chat's files in the database: who holds which file, until when, and cleaning up.

The bytes live on the web chat's disk, stored once by content; a :class:`WebChatFile` row is
one chat's claim on them. Rows of kind ``upload``, ``export`` and ``outgoing`` keep the bytes;
a ``shown`` row only lets a chat see a file someone else holds (a case photo shown to staff),
so it never keeps the bytes once their holders are gone. Erasing a resident and the periodic
cleanup both decide here which bytes may go; the channel then deletes them from disk.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from enum import StrEnum

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.db import write_transaction
from storage.enums import Channel
from storage.models import ActivityPhoto, Attachment, FsmRecord, WebChatFile

# Rows deleted per transaction by the cleanup, so a backlog never holds the write lock long.
CLEANUP_BATCH = 500


class FileKind(StrEnum):
    """Why a chat holds a file."""

    UPLOAD = "upload"
    EXPORT = "export"
    OUTGOING = "outgoing"
    SHOWN = "shown"


KEEPING_KINDS = (FileKind.UPLOAD, FileKind.EXPORT, FileKind.OUTGOING)


async def record_file(
    session: AsyncSession,
    *,
    file_id: str,
    chat_id: int,
    kind: FileKind,
    name: str,
    mime_type: str,
    size: int,
    now: dt.datetime,
    client_address: str | None = None,
    expires_at: dt.datetime | None = None,
) -> None:
    """Note that a chat holds a file; a ``shown`` file is noted once per chat."""
    async with write_transaction(session):
        if kind == FileKind.SHOWN:
            held = await session.execute(
                select(col(WebChatFile.id))
                .where(col(WebChatFile.chat_id) == chat_id, col(WebChatFile.file_id) == file_id)
                .limit(1)
            )
            if held.first() is not None:
                return
        session.add(
            WebChatFile(
                file_id=file_id,
                chat_id=chat_id,
                kind=kind,
                name=name[:120] or "file",
                mime_type=mime_type[:100],
                size=size,
                client_address=client_address,
                created_at=now,
                expires_at=expires_at,
            )
        )


async def held_name(
    session: AsyncSession, *, chat_id: int, file_id: str, now: dt.datetime
) -> str | None:
    """The name the chat got the file under, if it holds it and its claim has not expired.

    Files are stored once by content, so two chats may know the same bytes by two names;
    each is served the name of its own newest claim.
    """
    found = await session.execute(
        select(col(WebChatFile.name))
        .where(
            col(WebChatFile.chat_id) == chat_id,
            col(WebChatFile.file_id) == file_id,
            or_(col(WebChatFile.expires_at).is_(None), col(WebChatFile.expires_at) > now),
        )
        .order_by(col(WebChatFile.id).desc())
        .limit(1)
    )
    return found.scalar_one_or_none()


async def uploaded_by(session: AsyncSession, *, chat_id: int, file_id: str) -> bool:
    """Whether the chat uploaded this file (and it was not cleaned up since)."""
    found = await session.execute(
        select(col(WebChatFile.id))
        .where(
            col(WebChatFile.chat_id) == chat_id,
            col(WebChatFile.file_id) == file_id,
            col(WebChatFile.kind) == FileKind.UPLOAD,
        )
        .limit(1)
    )
    return found.first() is not None


async def _in_use(session: AsyncSession, file_ids: Collection[str]) -> set[str]:
    """The files a case photo or an activity photo refers to."""
    if not file_ids:
        return set()
    used: set[str] = set()
    for column, channel in (
        (col(Attachment.file_id), col(Attachment.channel)),
        (col(ActivityPhoto.file_id), col(ActivityPhoto.channel)),
    ):
        found = await session.execute(
            select(column).where(column.in_(list(file_ids)), channel == Channel.WEB)
        )
        used.update(found.scalars())
    return used


async def pending_bytes(session: AsyncSession, *, client_address: str) -> int:
    """Bytes of the uploads from one address that no case or activity has taken yet."""
    rows = (
        await session.execute(
            select(col(WebChatFile.file_id), col(WebChatFile.size)).where(
                col(WebChatFile.client_address) == client_address,
                col(WebChatFile.kind) == FileKind.UPLOAD,
                col(WebChatFile.attached).is_(False),
            )
        )
    ).all()
    used = await _in_use(session, {file_id for file_id, _size in rows})
    return sum(int(size) for file_id, size in rows if file_id not in used)


async def files_of_chat(session: AsyncSession, *, chat_id: int) -> set[str]:
    """Every file a chat holds or was shown."""
    found = await session.execute(
        select(col(WebChatFile.file_id)).where(col(WebChatFile.chat_id) == chat_id).distinct()
    )
    return set(found.scalars())


async def unreferenced(session: AsyncSession, candidates: Collection[str]) -> tuple[str, ...]:
    """The candidate files nothing keeps: no holder's row, no case or activity photo.

    Their remaining ``shown`` rows are deleted with them; call inside a write transaction.
    """
    if not candidates:
        return ()
    wanted = list(set(candidates))
    held = await session.execute(
        select(col(WebChatFile.file_id))
        .where(col(WebChatFile.file_id).in_(wanted), col(WebChatFile.kind).in_(KEEPING_KINDS))
        .distinct()
    )
    kept = set(held.scalars()) | await _in_use(session, wanted)
    gone = sorted(set(wanted) - kept)
    if gone:
        await session.execute(delete(WebChatFile).where(col(WebChatFile.file_id).in_(gone)))
    return tuple(gone)


async def forget_chat_files(session: AsyncSession, *, chat_id: int) -> set[str]:
    """Drop every claim of a chat on files; return the files it held (candidates to delete).

    Call inside the write transaction of the erasure, then pass the candidates (with any
    others the erasure freed) to :func:`unreferenced`.
    """
    held = await files_of_chat(session, chat_id=chat_id)
    await session.execute(delete(WebChatFile).where(col(WebChatFile.chat_id) == chat_id))
    return held


async def clean_up_files(
    session: AsyncSession, *, now: dt.datetime, upload_age: dt.timedelta
) -> tuple[str, ...]:
    """Drop expired claims (exports) and uploads older than ``upload_age`` that joined nothing.

    Uploads a case or an activity took are marked ``attached`` first and stay. Returns the
    files whose bytes may now be deleted. Works in batches until nothing is left to do.
    """
    gone: list[str] = []
    drafted: set[str] = set()
    while True:
        async with write_transaction(session):
            await _mark_attached(session)
            due = (
                await session.execute(
                    select(col(WebChatFile.id), col(WebChatFile.file_id), col(WebChatFile.kind))
                    .where(
                        or_(
                            col(WebChatFile.expires_at) <= now,
                            (col(WebChatFile.kind) == FileKind.UPLOAD)
                            & col(WebChatFile.attached).is_(False)
                            & (col(WebChatFile.created_at) < now - upload_age),
                        ),
                        col(WebChatFile.file_id).not_in(drafted),
                    )
                    .limit(CLEANUP_BATCH)
                )
            ).all()
            # A half-written report that survived the night keeps its photos.
            held = await _in_drafts(
                session, {file_id for _, file_id, kind in due if kind == FileKind.UPLOAD}
            )
            drafted |= held
            doomed = [(row_id, file_id) for row_id, file_id, _ in due if file_id not in held]
            if not doomed and not held:
                return tuple(gone)
            if not doomed:
                continue
            await session.execute(
                delete(WebChatFile).where(col(WebChatFile.id).in_([row_id for row_id, _ in doomed]))
            )
            gone.extend(await unreferenced(session, {file_id for _, file_id in doomed}))


async def _in_drafts(session: AsyncSession, file_ids: Collection[str]) -> set[str]:
    """The uploads a dialog kept in the database still holds (a draft's photos)."""
    if not file_ids:
        return set()
    found = await session.execute(
        select(col(FsmRecord.data)).where(
            or_(*(col(FsmRecord.data).contains(file_id) for file_id in file_ids))
        )
    )
    drafts = "\n".join(found.scalars())
    return {file_id for file_id in file_ids if file_id in drafts}


async def _mark_attached(session: AsyncSession) -> None:
    pending = (
        await session.execute(
            select(col(WebChatFile.file_id))
            .where(
                col(WebChatFile.kind) == FileKind.UPLOAD,
                col(WebChatFile.attached).is_(False),
            )
            .distinct()
        )
    ).scalars()
    used = await _in_use(session, set(pending))
    if used:
        await session.execute(
            update(WebChatFile)
            .where(col(WebChatFile.kind) == FileKind.UPLOAD, col(WebChatFile.file_id).in_(used))
            .values(attached=True)
        )
