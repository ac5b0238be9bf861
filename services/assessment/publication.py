"""The year's life: close (freeze the standings), reopen, publish to every member.

``open`` → ``closed``: the live standings are written to ``assessment_result`` with each
item's capped points, and the year keeps the rules version, fingerprint and a JSON snapshot
of the ``[assessment]`` section it was closed with. An administrator may reopen a closed
year (the results are dropped; recommendations and decisions are made again after the next
close). ``closed`` → ``published``: once the chairs' meeting decided (see
:mod:`services.assessment.decisions`), every bound member is told the excellent lists and
their own line, through the outbox; a published year is frozen for good.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.accounts.scope import StaffScope
from services.assessment.admin import closed_year, require_admin
from services.assessment.config import AssessmentRules
from services.assessment.standings import (
    CLOSED,
    MEMBER,
    OPEN,
    PUBLISHED,
    SECTOR,
    assessment_rules,
    closed_standings,
    ensure_current,
    year_row,
    year_standings,
)
from services.audit import Actor, audit
from services.errors import DomainError
from services.meetings.invitations import member_chats
from services.members.rules import Rules
from services.outbox.notices import Notifier
from services.outbox.queue import Recipient, add
from storage.db import write_transaction
from storage.enums import MemberStatus
from storage.models import AssessmentLine, AssessmentResult, AssessmentYear, Member, Sector

PUBLISHED_KIND = "assessment-published"
OWN_LINE_KIND = "assessment-own-line"


async def close_year(
    session: AsyncSession,
    *,
    year: int,
    rules: Rules,
    actor: Actor,
    now: dt.datetime,
    tz: dt.tzinfo,
    scope: StaffScope | None = None,
) -> AssessmentYear:
    """Freeze the year's standings and rules; refused unless the year is open."""
    require_admin(actor, scope)
    section = assessment_rules(rules)
    if year > now.astimezone(tz).year:
        raise DomainError("year_future", year=year)
    await ensure_current(session, year=year, rules=rules, tz=tz)
    async with write_transaction(session):
        known = await year_row(session, year)
        if known is not None and known.state == CLOSED:
            raise DomainError("year_closed", year=year)
        if known is not None and known.state == PUBLISHED:
            raise DomainError("year_published", year=year)
        standings = await year_standings(session, year=year, rules=rules, tz=tz, ensure=False)
        items = await _item_points(session, year, section)
        await session.execute(delete(AssessmentResult).where(col(AssessmentResult.year) == year))
        written = 0
        for group in (*standings.members, *standings.sectors):
            for row in group.rows:
                key = (group.subject_kind, row.subject_id)
                session.add(
                    AssessmentResult(
                        year=year,
                        subject_kind=group.subject_kind,
                        subject_id=row.subject_id,
                        group_code=group.code,
                        ranked=row.ranked,
                        total_c=row.total_c,
                        rank=row.rank,
                        group_size=group.size,
                        in_pool=row.in_pool,
                        tie_note=row.tie.encode() if row.tie is not None else "",
                        items=json.dumps(items.get(key, {}), sort_keys=True),
                    )
                )
                written += 1
        if not written:
            # Nothing was counted for this year: there is nothing to freeze.
            raise DomainError("year_empty", year=year)
        if known is None:
            known = AssessmentYear(year=year)
            session.add(known)
        known.state = CLOSED
        known.rules_version = rules.version
        known.fingerprint = section.fingerprint
        known.rules_snapshot = section.model_dump_json()
        known.closed_at = now
        known.closed_by_staff_id = actor.id if actor.kind == "staff" else None
        audit(
            session,
            actor=actor,
            action="assessment.close",
            object_kind="assessment_year",
            object_id=year,
            after={"results": written, "rules_version": rules.version},
            now=now,
        )
    return known


async def _item_points(
    session: AsyncSession, year: int, section: AssessmentRules
) -> dict[tuple[str, int], dict[str, int]]:
    """Each subject's points per item, each item's sum bounded by its cap and floor."""
    rows = await session.execute(
        select(
            col(AssessmentLine.subject_kind),
            col(AssessmentLine.subject_id),
            col(AssessmentLine.item_code),
            func.sum(col(AssessmentLine.points_c)),
        )
        .where(col(AssessmentLine.year) == year)
        .group_by(
            col(AssessmentLine.subject_kind),
            col(AssessmentLine.subject_id),
            col(AssessmentLine.item_code),
        )
    )
    points: dict[tuple[str, int], dict[str, int]] = defaultdict(dict)
    for kind, subject, code, total in rows.all():
        item = section.item(code)
        summed = int(total or 0)
        points[(kind, subject)][code] = item.clamp_c(summed) if item is not None else summed
    return points


async def reopen_year(
    session: AsyncSession,
    *,
    year: int,
    actor: Actor,
    now: dt.datetime,
    scope: StaffScope | None = None,
) -> AssessmentYear:
    """Open a closed year again; a published year stays frozen."""
    require_admin(actor, scope)
    async with write_transaction(session):
        known = await closed_year(session, year)
        dropped = await session.execute(
            delete(AssessmentResult).where(col(AssessmentResult.year) == year)
        )
        known.state = OPEN
        known.closed_at = None
        known.closed_by_staff_id = None
        audit(
            session,
            actor=actor,
            action="assessment.reopen",
            object_kind="assessment_year",
            object_id=year,
            before={"state": CLOSED, "results": getattr(dropped, "rowcount", 0)},
            after={"state": OPEN},
            now=now,
        )
    return known


async def publish_year(
    session: AsyncSession,
    *,
    year: int,
    actor: Actor,
    now: dt.datetime,
    notifier: Notifier,
    scope: StaffScope | None = None,
) -> int:
    """Publish a decided year and queue its notices; returns how many notices were queued."""
    require_admin(actor, scope)
    async with write_transaction(session):
        known = await closed_year(session, year)
        decided = await session.scalar(
            select(func.count())
            .select_from(AssessmentResult)
            .where(
                col(AssessmentResult.year) == year, col(AssessmentResult.decided_at).is_not(None)
            )
        )
        if not decided:
            raise DomainError("not_decided", year=year)
        known.state = PUBLISHED
        known.published_at = now
        known.published_by_staff_id = actor.id if actor.kind == "staff" else None
        await session.flush()
        queued = await queue_publication(session, year=year, now=now, notifier=notifier)
        audit(
            session,
            actor=actor,
            action="assessment.publish",
            object_kind="assessment_year",
            object_id=year,
            before={"state": CLOSED},
            after={"state": PUBLISHED, "notices": queued},
            now=now,
        )
    return queued


async def queue_publication(
    session: AsyncSession, *, year: int, now: dt.datetime, notifier: Notifier
) -> int:
    """Queue a published year's notices in the caller's transaction; returns how many were new.

    Every bound member (not one who left) gets the excellent lists, and each member with a
    result their own line. The dedupe keys make a replay queue nothing twice.
    """
    known = await year_row(session, year)
    if known is None or known.state != PUBLISHED:
        raise DomainError("year_not_published", year=year)
    standings = await closed_standings(session, year=year)
    members = {
        m.id: m
        for m in (
            await session.execute(select(Member).where(col(Member.status) != MemberStatus.LEFT))
        ).scalars()
    }
    sectors = {s.id: s for s in (await session.execute(select(Sector))).scalars()}
    excellent = [
        members[subject]
        for (kind, subject), decision in sorted(standings.decisions.items())
        if kind == MEMBER and decision.excellent and subject in members
    ]
    excellent_sectors = [
        sectors[subject]
        for (kind, subject), decision in sorted(standings.decisions.items())
        if kind == SECTOR and decision.excellent and subject in sectors
    ]
    queued = 0
    chats = await member_chats(session, [m for m in members if m is not None])
    for member_id, identities in chats.items():
        place = standings.place(MEMBER, member_id)
        for identity in identities:
            to = Recipient.of(identity)
            message = notifier.render(
                PUBLISHED_KIND,
                identity,
                year=year,
                members=[(m.name, sectors.get(m.sector_id)) for m in excellent],
                sectors=excellent_sectors,
            )
            key = f"assessment:{year}:published:{to.identity_id}"
            queued += await add(
                session, to=to, message=message, dedupe_key=key, now=now, kind=PUBLISHED_KIND
            )
            if place is None:
                continue
            group, row = place
            message = notifier.render(
                OWN_LINE_KIND,
                identity,
                year=year,
                group=group,
                row=row,
                excellent=standings.decision(MEMBER, member_id).excellent,
            )
            key = f"assessment:{year}:own:{to.identity_id}"
            queued += await add(
                session, to=to, message=message, dedupe_key=key, now=now, kind=OWN_LINE_KIND
            )
    return queued


async def term_award_candidates(
    session: AsyncSession, *, years: list[int], needed: int
) -> list[tuple[Member, list[int]]]:
    """Members decided excellent in at least ``needed`` of ``years`` (a term's years)."""
    rows = await session.execute(
        select(col(AssessmentResult.subject_id), col(AssessmentResult.year)).where(
            col(AssessmentResult.subject_kind) == MEMBER,
            col(AssessmentResult.year).in_(years),
            col(AssessmentResult.excellent).is_(True),
        )
    )
    won: dict[int, list[int]] = defaultdict(list)
    for member_id, year in rows.all():
        won[member_id].append(year)
    chosen = {member_id: sorted(y) for member_id, y in won.items() if len(y) >= needed}
    if not chosen:
        return []
    members = (
        await session.execute(
            select(Member).where(col(Member.id).in_(sorted(chosen))).order_by(col(Member.code))
        )
    ).scalars()
    return [(member, chosen[member.id or 0]) for member in members]
