"""Members' requests to correct their ledger, and the administrators' decisions on them.

A request names one of the member's own ledger lines, or only an item when something is
missing from it. It is refused once the year is closed (the ledger is then the record), and a
line has at most one pending request. Deciding is the administrators' work; accepting records
the decision and the note only: the fix itself (an attendance fix, a staff entry) is a separate
staff action, so the ledger never changes behind the office's back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.accounts.scope import StaffScope
from services.accounts.staff import staff_recipients
from services.assessment.admin import require_admin
from services.assessment.ledger import is_frozen
from services.assessment.sources import MEMBER
from services.audit import Actor, audit
from services.errors import DomainError, NotFoundError
from services.meetings.invitations import member_chats
from services.outbox.notices import Notifier
from services.outbox.queue import Recipient, add
from storage.db import write_transaction
from storage.models import AssessmentCorrection, AssessmentLine, Member

PENDING, ACCEPTED, REFUSED = "pending", "accepted", "refused"
REASON_MIN, REASON_MAX = 2, 500
NOTE_MAX = 500


@dataclass(frozen=True)
class CorrectionView:
    """A request with the member who asked and the line it names (None: gone, or item only)."""

    correction: AssessmentCorrection
    member: Member
    line: AssessmentLine | None


def clean_reason(reason: str) -> str:
    """The reason on one line; refused when empty or longer than the limit."""
    text = " ".join(reason.split())
    if not REASON_MIN <= len(text) <= REASON_MAX:
        raise DomainError("reason_length", minimum=REASON_MIN, maximum=REASON_MAX)
    return text


async def own_line(
    session: AsyncSession, *, member_id: int, line_id: int, year: int | None = None
) -> AssessmentLine:
    """One of the member's own lines; anyone else's is "not found", never "not yours"."""
    line = await session.get(AssessmentLine, line_id)
    if (
        line is None
        or line.subject_kind != MEMBER
        or line.subject_id != member_id
        or (year is not None and line.year != year)
    ):
        raise NotFoundError("line")
    return line


async def pending_for(
    session: AsyncSession, *, member_id: int, line_id: int | None, item_code: str
) -> AssessmentCorrection | None:
    """The member's pending request on this line (or on this item, when no line is named)."""
    stmt = select(AssessmentCorrection).where(
        col(AssessmentCorrection.member_id) == member_id,
        col(AssessmentCorrection.state) == PENDING,
    )
    if line_id is not None:
        stmt = stmt.where(col(AssessmentCorrection.line_id) == line_id)
    else:
        stmt = stmt.where(
            col(AssessmentCorrection.line_id).is_(None),
            col(AssessmentCorrection.item_code) == item_code,
        )
    return (await session.execute(stmt.limit(1))).scalar_one_or_none()


async def request_correction(
    session: AsyncSession,
    *,
    member_id: int,
    year: int,
    reason: str,
    now: dt.datetime,
    notifier: Notifier,
    line_id: int | None = None,
    item_code: str | None = None,
) -> AssessmentCorrection:
    """Store a member's request on one of their lines (or an item) and tell the administrators."""
    text = clean_reason(reason)
    async with write_transaction(session):
        if await is_frozen(session, year=year):
            raise DomainError("year_closed", year=year)
        line = None
        if line_id is not None:
            line = await own_line(session, member_id=member_id, line_id=line_id, year=year)
            item_code = line.item_code
        if not item_code or len(item_code) > 10:
            raise NotFoundError("item")
        if await pending_for(session, member_id=member_id, line_id=line_id, item_code=item_code):
            raise DomainError("correction_pending")
        correction = AssessmentCorrection(
            year=year,
            member_id=member_id,
            line_id=line_id,
            item_code=item_code,
            source_kind=line.source_kind if line else "",
            source_id=line.source_id if line else None,
            reason=text,
            created_at=now,
        )
        session.add(correction)
        await session.flush()
        member = await session.get(Member, member_id)
        for _staff, to, identity in await staff_recipients(session):
            await add(
                session,
                to=to,
                message=notifier.render(
                    "correction-request", identity, correction=correction, member=member
                ),
                dedupe_key=f"correction:{correction.id}:request:{to.identity_id}",
                now=now,
                kind="correction-request",
            )
    return correction


async def pending_corrections(session: AsyncSession, *, scope: StaffScope) -> list[CorrectionView]:
    """Every request waiting for a decision, oldest first; for administrators only."""
    if not scope.admin:
        raise DomainError("out_of_scope")
    rows = await session.execute(
        select(AssessmentCorrection, Member)
        .join(Member, col(Member.id) == col(AssessmentCorrection.member_id))
        .where(col(AssessmentCorrection.state) == PENDING)
        .order_by(col(AssessmentCorrection.created_at), col(AssessmentCorrection.id))
    )
    views = []
    for correction, member in rows.all():
        line = await session.get(AssessmentLine, correction.line_id) if correction.line_id else None
        views.append(CorrectionView(correction, member, line))
    return views


async def get_correction(
    session: AsyncSession, *, correction_id: int, scope: StaffScope
) -> CorrectionView | None:
    """One request in any state, for an administrator; None when there is no such request."""
    if not scope.admin:
        raise DomainError("out_of_scope")
    correction = await session.get(AssessmentCorrection, correction_id)
    if correction is None:
        return None
    member = await session.get(Member, correction.member_id)
    assert member is not None
    line = await session.get(AssessmentLine, correction.line_id) if correction.line_id else None
    return CorrectionView(correction, member, line)


async def decide_correction(
    session: AsyncSession,
    *,
    correction_id: int,
    accept: bool,
    note: str,
    actor: Actor,
    scope: StaffScope | None,
    now: dt.datetime,
    notifier: Notifier,
) -> AssessmentCorrection:
    """Accept or refuse a pending request with a note; audited, and the member told.

    A refusal needs a note (the member must learn why). Accepting is refused once the year is
    closed: no fix can follow then; refusing stays possible so the queue never sticks.
    """
    require_admin(actor, scope)
    text = " ".join(note.split())
    if len(text) > NOTE_MAX or (not accept and len(text) < REASON_MIN):
        raise DomainError("note_length", minimum=REASON_MIN, maximum=NOTE_MAX)
    async with write_transaction(session):
        correction = await session.get(AssessmentCorrection, correction_id)
        if correction is None:
            raise NotFoundError("correction")
        if correction.state != PENDING:
            raise DomainError("decided_already", state=correction.state)
        if accept and await is_frozen(session, year=correction.year):
            raise DomainError("year_closed", year=correction.year)
        correction.state = ACCEPTED if accept else REFUSED
        correction.staff_note = text
        correction.decided_by_staff_id = actor.id if actor.kind == "staff" else None
        correction.decided_at = now
        await session.flush()
        audit(
            session,
            actor=actor,
            action="assessment.correction",
            object_kind="assessment_correction",
            object_id=correction_id,
            before={"state": PENDING},
            after={"state": correction.state, "note": text, "member_id": correction.member_id},
            now=now,
        )
        chats = (await member_chats(session, [correction.member_id]))[correction.member_id]
        for identity in chats:
            to = Recipient.of(identity)
            await add(
                session,
                to=to,
                message=notifier.render("correction-decision", identity, correction=correction),
                dedupe_key=f"correction:{correction_id}:decision:{to.identity_id}",
                now=now,
                kind="correction-decision",
            )
    return correction
