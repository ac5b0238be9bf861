"""Reminder talks (提醒谈话), suspensions and removals: who is listed, what was recorded.

The list follows the year's ``[assessment.reminder_talk]`` thresholds: a ranked member whose
total is below ``score_below``, or whose attendance rate is below ``attendance_below``. The
seeds give no numbers, so a threshold left out of the file lists no one by it. Recording a
suspension, a removal or a reinstatement changes the member's status as well: a suspended
member is no longer invited to meetings nor reminded of the minimums (they are not active).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.accounts.scope import StaffScope
from services.assessment.admin import require_admin
from services.assessment.config import hundredths
from services.assessment.rates import presence
from services.assessment.standings import MEMBER, assessment_rules, ensure_current
from services.audit import Actor, audit
from services.errors import DomainError, NotFoundError
from services.members.rules import Rules
from storage.db import write_transaction
from storage.enums import MemberStatus
from storage.models import AssessmentTotal, Member, MemberConduct

NOTE_MAX = 2000


class ConductKind(StrEnum):
    """What was recorded about a member's conduct."""

    TALK = "talk"
    SUSPENSION = "suspension"
    REMOVAL = "removal"
    REINSTATED = "reinstated"


# The status each kind leaves the member in; a talk leaves it as it is.
STATUS_AFTER = {
    ConductKind.SUSPENSION: MemberStatus.SUSPENDED,
    ConductKind.REMOVAL: MemberStatus.LEFT,
    ConductKind.REINSTATED: MemberStatus.ACTIVE,
}


@dataclass(frozen=True)
class ReminderRow:
    """A member listed for a reminder talk, and why (a low total, a low attendance, or both)."""

    member: Member
    total_c: int
    attendance: Fraction | None
    low_score: bool
    low_attendance: bool


async def reminder_list(
    session: AsyncSession, *, year: int, rules: Rules, tz: dt.tzinfo
) -> list[ReminderRow]:
    """Ranked members below either threshold of the year, lowest total first."""
    section = assessment_rules(rules)
    talk = section.reminder_talk
    if talk.score_below is None and talk.attendance_below is None:
        return []
    await ensure_current(session, year=year, rules=rules, tz=tz)
    rows = (
        await session.execute(
            select(AssessmentTotal, Member)
            .join(Member, col(Member.id) == col(AssessmentTotal.subject_id))
            .where(
                col(AssessmentTotal.year) == year,
                col(AssessmentTotal.subject_kind) == MEMBER,
                col(AssessmentTotal.ranked).is_(True),
            )
            .order_by(col(AssessmentTotal.total_c), col(Member.code))
        )
    ).all()
    rates = await presence(session, year=year, tz=tz)
    below_c = hundredths(talk.score_below) if talk.score_below is not None else None
    line = Fraction(str(talk.attendance_below)) if talk.attendance_below is not None else None
    listed = []
    for total, member in rows:
        rate = rates[member.id].rate if member.id in rates else None
        low_score = below_c is not None and total.total_c < below_c
        # Never invited to a closed meeting: nothing says the member stays away.
        low_attendance = line is not None and rate is not None and rate < line
        if low_score or low_attendance:
            listed.append(ReminderRow(member, total.total_c, rate, low_score, low_attendance))
    return listed


async def record_conduct(
    session: AsyncSession,
    *,
    member_id: int,
    kind: str,
    note: str,
    actor: Actor,
    now: dt.datetime,
    scope: StaffScope | None = None,
    tz: dt.tzinfo,
) -> MemberConduct:
    """Record a talk, a suspension, a removal or a reinstatement, and set the member's status."""
    require_admin(actor, scope)
    if kind not in set(ConductKind):
        raise DomainError("conduct_kind", kind=kind)
    if len(note) > NOTE_MAX:
        raise DomainError("note_length", maximum=NOTE_MAX)
    async with write_transaction(session):
        member = await session.get(Member, member_id)
        if member is None:
            raise NotFoundError("member")
        before = member.status
        after = STATUS_AFTER.get(ConductKind(kind), before)
        member.status = after
        member.updated_at = now
        entry = MemberConduct(
            member_id=member_id,
            year=now.astimezone(tz).year,
            kind=kind,
            note=note.strip(),
            staff_id=actor.id if actor.kind == "staff" else None,
            at=now,
        )
        session.add(entry)
        audit(
            session,
            actor=actor,
            action=f"member.conduct.{kind}",
            object_kind="member",
            object_id=member_id,
            before={"status": before},
            after={"status": after, "note": note.strip()},
            now=now,
        )
    return entry
