"""Meetings: invitations, answers and leave, check-in at the venue, attendance afterwards."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from icalendar import Calendar, Event
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.audit import Actor, audit
from services.demo.data import read_demo_data
from services.errors import DomainError
from services.outbox.notices import Notifier
from services.outbox.queue import URGENT_WITHIN, Recipient, add
from services.reminders.settings import Folded, ReminderSettings
from storage.db import write_transaction
from storage.enums import MemberStatus
from storage.models import (
    ChatIdentity,
    Meeting,
    MeetingInvitee,
    MeetingMaterial,
    Member,
    MemberBinding,
    Sector,
    SpecialCommittee,
)

CHECKIN_OPENS = dt.timedelta(hours=1)
CHECKIN_FAILURES_ALLOWED = 5
TITLE_MAX = 200
VENUE_MAX = 200
AGENDA_MAX = 2000
REASON_MAX = 500
AUDIENCE_KINDS = ("all", "sector", "group", "committee", "member")


@dataclass(frozen=True)
class MeetingKind:
    """A kind of meeting, named in both languages."""

    code: str
    name_zh: str
    name_en: str


MEETING_KINDS: tuple[MeetingKind, ...] = tuple(
    MeetingKind(**kind) for kind in read_demo_data()["meeting_kinds"]
)


def meeting_kind(code: str) -> MeetingKind | None:
    """A meeting kind by code."""
    return next((kind for kind in MEETING_KINDS if kind.code == code), None)


@dataclass(frozen=True)
class MeetingInput:
    """What staff enter for a meeting; ``audience`` is a list like ``["sector:education"]``."""

    kind: str
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    venue: str
    audience: Sequence[str]
    agenda: str = ""
    materials_file: str | None = None
    materials_name: str | None = None


def check_audience(specs: Sequence[str]) -> list[tuple[str, str]]:
    """Parse ``all``, ``sector:<code>``, ``group:<code>``, ``committee:<code>``, ``member:<id>``."""
    parsed = []
    for spec in specs:
        kind, _, value = spec.strip().partition(":")
        if kind not in AUDIENCE_KINDS or (kind != "all" and not value):
            raise DomainError("audience_invalid", spec=spec)
        parsed.append((kind, value.strip()))
    if not parsed:
        raise DomainError("audience_empty")
    return parsed


async def audience_members(session: AsyncSession, specs: Sequence[str]) -> list[int]:
    """The active members an audience names, each once, in roster order."""
    chosen: set[int] = set()
    members = list(
        (
            await session.execute(select(Member).where(col(Member.status) == MemberStatus.ACTIVE))
        ).scalars()
    )
    sectors = {s.code: s.id for s in (await session.execute(select(Sector))).scalars()}
    committees = {c.code: c.id for c in (await session.execute(select(SpecialCommittee))).scalars()}
    for kind, value in check_audience(specs):
        if kind == "sector" and value not in sectors:
            raise DomainError("audience_unknown", spec=f"{kind}:{value}")
        if kind == "committee" and value not in committees:
            raise DomainError("audience_unknown", spec=f"{kind}:{value}")
        for member in members:
            if (
                kind == "all"
                or (kind == "sector" and member.sector_id == sectors[value])
                or (kind == "group" and member.assessment_group == value)
                or (kind == "committee" and member.special_committee_id == committees[value])
                or (kind == "member" and value in (member.code, str(member.id)))
            ):
                assert member.id is not None
                chosen.add(member.id)
    return sorted(chosen)


async def member_chats(
    session: AsyncSession, member_ids: Sequence[int]
) -> dict[int, list[ChatIdentity]]:
    """The linked chats of each member (a member may have Telegram and the web chat)."""
    rows = (
        await session.execute(
            select(col(MemberBinding.member_id), ChatIdentity)
            .join(ChatIdentity, col(ChatIdentity.id) == col(MemberBinding.identity_id))
            .where(col(MemberBinding.member_id).in_(list(member_ids)))
        )
    ).all()
    chats: dict[int, list[ChatIdentity]] = {member_id: [] for member_id in member_ids}
    for member_id, identity in rows:
        chats[member_id].append(identity)
    return chats


def _check(data: MeetingInput, now: dt.datetime) -> None:
    if meeting_kind(data.kind) is None:
        raise DomainError("kind_unknown")
    if not data.title.strip() or len(data.title) > TITLE_MAX:
        raise DomainError("title_length", maximum=TITLE_MAX)
    if not data.venue.strip() or len(data.venue) > VENUE_MAX:
        raise DomainError("venue_length", maximum=VENUE_MAX)
    if len(data.agenda) > AGENDA_MAX:
        raise DomainError("agenda_length", maximum=AGENDA_MAX)
    if data.starts_at <= now:
        raise DomainError("starts_in_past")
    if data.ends_at <= data.starts_at:
        raise DomainError("ends_before_start")


async def create_meeting(
    session: AsyncSession,
    *,
    data: MeetingInput,
    staff_id: int | None,
    now: dt.datetime,
    notifier: Notifier,
    actor: Actor | None = None,
    reminders: ReminderSettings | None = None,
) -> Meeting:
    """Store a meeting, invite its audience and queue the invitations, in one transaction.

    A reminder or nudge (``reminders``, the committee's) whose moment has already passed is
    folded into the invitation, which says what it would have said; the planner then leaves
    it out.
    """
    _check(data, now)
    member_ids = await audience_members(session, data.audience)
    if not member_ids:
        raise DomainError("audience_nobody")
    async with write_transaction(session):
        meeting = Meeting(
            kind=data.kind,
            title=data.title.strip(),
            starts_at=data.starts_at,
            ends_at=data.ends_at,
            venue=data.venue.strip(),
            agenda=data.agenda.strip(),
            audience=" ".join(data.audience)[:400],
            materials_file=data.materials_file,
            materials_name=data.materials_name,
            checkin_code=f"{secrets.randbelow(10**6):06d}",
            checkin_token=secrets.token_urlsafe(12),
            created_by_staff_id=staff_id,
            created_at=now,
        )
        session.add(meeting)
        await session.flush()
        assert meeting.id is not None
        session.add_all(MeetingInvitee(meeting_id=meeting.id, member_id=m) for m in member_ids)
        if data.materials_file:
            # The form's file is the meeting's first material; more are added from its card.
            session.add(
                MeetingMaterial(
                    meeting_id=meeting.id,
                    file_key=data.materials_file,
                    name=data.materials_name or data.materials_file,
                    added_by_staff_id=staff_id,
                    created_at=now,
                )
            )
        urgent = meeting.starts_at - now <= URGENT_WITHIN
        folded = Folded.at(meeting.starts_at, reminders or ReminderSettings(), now)
        for chats in (await member_chats(session, member_ids)).values():
            for identity in chats:
                await _queue_invitation(
                    session, meeting, identity, now, notifier, urgent=urgent, folded=folded
                )
        audit(
            session,
            actor=actor or Actor.cli(),
            action="meeting.create",
            object_kind="meeting",
            object_id=meeting.id,
            after={
                "kind": meeting.kind,
                "title": meeting.title,
                "starts_at": meeting.starts_at.isoformat(),
                "venue": meeting.venue,
                "audience": meeting.audience,
                "invited": len(member_ids),
            },
            now=now,
        )
    return meeting


async def _queue_invitation(
    session: AsyncSession,
    meeting: Meeting,
    identity: ChatIdentity,
    now: dt.datetime,
    notifier: Notifier,
    *,
    urgent: bool,
    folded: Folded,
) -> None:
    to = Recipient.of(identity)
    await add(
        session,
        to=to,
        message=notifier.render("meeting-invitation", identity, meeting=meeting, folded=folded),
        dedupe_key=f"meeting:{meeting.id}:invite:{to.identity_id}",
        now=now,
        urgent=urgent,
        expires_at=meeting.starts_at,
        kind="meeting-invitation",
    )
    if meeting.materials_file:
        await add(
            session,
            to=to,
            message=notifier.render("meeting-materials", identity, meeting=meeting),
            dedupe_key=f"meeting:{meeting.id}:materials:{to.identity_id}",
            now=now,
            urgent=urgent,
            priority=2,
            # Like the invitation it goes with: useful until the start, released early with it.
            expires_at=meeting.starts_at,
            kind="meeting-materials",
        )


async def member_meeting(
    session: AsyncSession, *, member_id: int, meeting_id: int
) -> tuple[Meeting, MeetingInvitee] | None:
    """A meeting the member is invited to, with their invitation; None otherwise."""
    row = (
        await session.execute(
            select(Meeting, MeetingInvitee)
            .join(MeetingInvitee, col(MeetingInvitee.meeting_id) == col(Meeting.id))
            .where(col(Meeting.id) == meeting_id, col(MeetingInvitee.member_id) == member_id)
        )
    ).first()
    return (row[0], row[1]) if row else None


async def upcoming_for_member(
    session: AsyncSession, *, member_id: int, now: dt.datetime
) -> list[tuple[Meeting, MeetingInvitee]]:
    """The member's meetings that have not ended, soonest first."""
    rows = (
        await session.execute(
            select(Meeting, MeetingInvitee)
            .join(MeetingInvitee, col(MeetingInvitee.meeting_id) == col(Meeting.id))
            .where(
                col(MeetingInvitee.member_id) == member_id,
                col(Meeting.ends_at) > now,
                col(Meeting.cancelled_at).is_(None),
            )
            .order_by(col(Meeting.starts_at))
        )
    ).all()
    return [(meeting, invitee) for meeting, invitee in rows]


def ics(meeting: Meeting, *, domain: str = "liaison-bot") -> str:
    """The meeting as an iCalendar (RFC 5545) file, times in UTC, lines folded at 75 octets.

    The UID is stable, so a calendar app that imported the file once updates the event
    rather than adding a second one: each edit raises the SEQUENCE, and a cancelled meeting
    carries a higher SEQUENCE, METHOD:CANCEL and STATUS:CANCELLED, so the app drops it.
    """
    cancelled = meeting.cancelled_at is not None
    event = Event()
    event.add("uid", f"meeting-{meeting.id}@{domain}")
    event.add("dtstamp", meeting.created_at.astimezone(dt.UTC))
    event.add("dtstart", meeting.starts_at.astimezone(dt.UTC))
    event.add("dtend", meeting.ends_at.astimezone(dt.UTC))
    event.add("sequence", max(meeting.sequence, 1) if cancelled else meeting.sequence)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("summary", meeting.title)
    event.add("location", meeting.venue)
    if meeting.agenda:
        event.add("description", meeting.agenda)
    calendar = Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", "-//liaison-bot//meetings//EN")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
    calendar.add_component(event)
    ical: bytes = calendar.to_ical()
    return ical.decode()
