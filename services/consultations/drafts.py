"""The draft report sent round for comments before a consultation.

Staff write the draft (a text, a document, or both) with a deadline and send it round: every
invited member's chat and every guest's redeemed chat gets a notice with a "Comment" button.
Each of them may comment, once or several times, until the deadline; staff read all comments
in order, a member or a guest reads only their own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.audit import Actor, audit
from services.consultations.guests import guest_of
from services.errors import DomainError
from services.meetings.invitations import member_chats
from services.outbox.notices import Notifier
from services.outbox.queue import Recipient, add
from storage.db import write_transaction
from storage.models import (
    ChatIdentity,
    DraftComment,
    DraftReport,
    Meeting,
    MeetingGuest,
    MeetingInvitee,
    Member,
)

DRAFT_MAX = 4000
COMMENT_MAX = 2000


@dataclass(frozen=True)
class Commenter:
    """Who comments: an invited member or a guest of the meeting (one of the two)."""

    member_id: int | None = None
    guest_id: int | None = None


async def draft_of(session: AsyncSession, *, meeting_id: int) -> DraftReport | None:
    """The meeting's draft report, if staff wrote one."""
    return await session.scalar(
        select(DraftReport).where(col(DraftReport.meeting_id) == meeting_id)
    )


async def save_draft(
    session: AsyncSession,
    *,
    meeting_id: int,
    text: str,
    file_key: str | None,
    file_name: str | None,
    comments_until: dt.datetime,
    staff_id: int | None,
    now: dt.datetime,
    actor: Actor,
) -> DraftReport:
    """Write or replace the meeting's draft.

    Codes: ``not_found``, ``draft_empty``, ``draft_too_long`` (with ``limit``),
    ``deadline_past``.
    """
    text = text.strip()
    if not text and not file_key:
        raise DomainError("draft_empty")
    if len(text) > DRAFT_MAX:
        raise DomainError("draft_too_long", limit=DRAFT_MAX)
    if comments_until <= now:
        raise DomainError("deadline_past")
    async with write_transaction(session):
        if await session.get(Meeting, meeting_id) is None:
            raise DomainError("not_found", what="meeting")
        draft = await draft_of(session, meeting_id=meeting_id)
        if draft is None:
            draft = DraftReport(
                meeting_id=meeting_id, comments_until=comments_until, created_at=now
            )
        draft.text, draft.file_key, draft.file_name = text, file_key, file_name
        draft.comments_until, draft.created_by_staff_id = comments_until, staff_id
        session.add(draft)
        await session.flush()
        audit(
            session,
            actor=actor,
            action="draft.save",
            object_kind="draft_report",
            object_id=draft.id,
            after={"meeting": meeting_id, "until": comments_until.isoformat()},
            now=now,
        )
    return draft


async def send_draft_round(
    session: AsyncSession, *, meeting_id: int, now: dt.datetime, actor: Actor, notifier: Notifier
) -> int:
    """Queue the draft's notice to the invited members' and the guests' chats; how many.

    Sending again reaches only those not reached before (the dedupe key names the draft and
    the chat). Codes: ``no_draft``, ``deadline_past``.
    """
    async with write_transaction(session):
        draft = await draft_of(session, meeting_id=meeting_id)
        meeting = await session.get(Meeting, meeting_id)
        if draft is None or meeting is None:
            raise DomainError("no_draft")
        if draft.comments_until <= now:
            raise DomainError("deadline_past")
        member_ids = list(
            await session.scalars(
                select(col(MeetingInvitee.member_id)).where(
                    col(MeetingInvitee.meeting_id) == meeting_id
                )
            )
        )
        chats = [c for group in (await member_chats(session, member_ids)).values() for c in group]
        guest_chats = await session.scalars(
            select(ChatIdentity)
            .join(MeetingGuest, col(MeetingGuest.identity_id) == col(ChatIdentity.id))
            .where(
                col(MeetingGuest.meeting_id) == meeting_id,
                col(MeetingGuest.revoked_at).is_(None),
                col(MeetingGuest.expires_at) > now,
            )
        )
        chats += list(guest_chats)
        queued = 0
        for identity in chats:
            to = Recipient.of(identity)
            queued += await add(
                session,
                to=to,
                message=notifier.render("draft-report", identity, draft=draft, meeting=meeting),
                dedupe_key=f"draft:{draft.id}:round:{to.identity_id}",
                now=now,
                expires_at=draft.comments_until,
                kind="draft-report",
            )
        draft.sent_at = draft.sent_at or now
        session.add(draft)
        audit(
            session,
            actor=actor,
            action="draft.send",
            object_kind="draft_report",
            object_id=draft.id,
            after={"chats": queued},
            now=now,
        )
    return queued


async def commenter_of(
    session: AsyncSession,
    *,
    meeting_id: int,
    identity_id: int,
    member_id: int | None,
    now: dt.datetime,
) -> Commenter | None:
    """The chat as a commenter on this meeting's draft: an invited member or a guest."""
    if member_id is not None:
        invitee = await session.get(MeetingInvitee, (meeting_id, member_id))
        if invitee is not None:
            return Commenter(member_id=member_id)
    guest = await guest_of(session, identity_id=identity_id, meeting_id=meeting_id, now=now)
    return Commenter(guest_id=guest.id) if guest is not None else None


async def add_comment(
    session: AsyncSession,
    *,
    meeting_id: int,
    commenter: Commenter,
    text: str,
    now: dt.datetime,
) -> DraftComment:
    """Add a comment on the draft.

    Codes: ``no_draft`` (none sent round), ``closed`` (past the deadline), ``comment_empty``,
    ``comment_too_long`` (with ``limit``).
    """
    text = text.strip()
    if not text:
        raise DomainError("comment_empty")
    if len(text) > COMMENT_MAX:
        raise DomainError("comment_too_long", limit=COMMENT_MAX)
    async with write_transaction(session):
        draft = await draft_of(session, meeting_id=meeting_id)
        if draft is None or draft.sent_at is None:
            raise DomainError("no_draft")
        if draft.comments_until <= now:
            raise DomainError("closed")
        comment = DraftComment(
            draft_id=draft.id or 0,
            member_id=commenter.member_id,
            guest_id=commenter.guest_id,
            text=text,
            created_at=now,
        )
        session.add(comment)
        await session.flush()
    return comment


async def comments_for_staff(
    session: AsyncSession, *, meeting_id: int
) -> list[tuple[DraftComment, str]]:
    """Every comment on the meeting's draft in order, with its author's name."""
    rows = await session.execute(
        select(DraftComment, col(Member.name), col(MeetingGuest.name))
        .join(DraftReport, col(DraftReport.id) == col(DraftComment.draft_id))
        .outerjoin(Member, col(Member.id) == col(DraftComment.member_id))
        .outerjoin(MeetingGuest, col(MeetingGuest.id) == col(DraftComment.guest_id))
        .where(col(DraftReport.meeting_id) == meeting_id)
        .order_by(col(DraftComment.created_at), col(DraftComment.id))
    )
    return [(comment, member or guest or "") for comment, member, guest in rows]


async def own_comments(
    session: AsyncSession, *, meeting_id: int, commenter: Commenter
) -> list[DraftComment]:
    """The commenter's own comments on the meeting's draft, in order."""
    who = (
        col(DraftComment.member_id) == commenter.member_id
        if commenter.member_id is not None
        else col(DraftComment.guest_id) == commenter.guest_id
    )
    rows = await session.scalars(
        select(DraftComment)
        .join(DraftReport, col(DraftReport.id) == col(DraftComment.draft_id))
        .where(col(DraftReport.meeting_id) == meeting_id, who)
        .order_by(col(DraftComment.created_at), col(DraftComment.id))
    )
    return list(rows)
