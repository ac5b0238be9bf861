"""Importing the roster of members: idempotent, row by row checked, all valid rows at once.

Reading a row is ``roster_rows``; this module writes the members, their stations, their
paired people and their WeCom userids.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.audit import Actor, audit
from services.members.roster_rows import (
    GROUP_NAMES,
    STATUS_NAMES,
    WECOM_COLUMN,
    PairedEntry,
    RosterRecord,
    load_lookup,
    name_key,
    parse_row,
)
from services.members.rules import Rules
from services.translation import gettext as _
from storage.db import write_transaction
from storage.models import Member, MemberStation, PairedPerson, WeComPerson

# Kept importable from here, where they lived before ``roster_rows``.
__all__ = ["GROUP_NAMES", "STATUS_NAMES", "ImportReport", "import_roster"]


@dataclass
class ImportReport:
    """What an import did, and the rows it refused with why."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


async def import_roster(
    session: AsyncSession, rows: list[dict[str, str]], *, now: dt.datetime, rules: Rules
) -> ImportReport:
    """Create or update members by code; report bad rows (numbered as in the sheet).

    ``rules`` (the year's) say how many paired people each member has.

    Every valid row is written in one transaction, so a crash leaves the roster as it was.
    Importing the same file again changes nothing.
    """
    report = ImportReport()
    lookup = await load_lookup(session)
    records: list[RosterRecord] = []
    seen: set[str] = set()
    # The WeCom userids named so far, and the code of the member each is for.
    userids: dict[str, str] = {}
    for number, row in enumerate(rows, start=2):
        if not any(row.values()):
            continue
        try:
            record = parse_row(row, lookup, paired_people=rules.paired_people_per_member)
        except ValueError as error:
            report.errors.append((number, str(error)))
            continue
        if record.code in seen:
            report.errors.append(
                (number, _("code '{code}' appears twice").format(code=record.code))
            )
            continue
        refusal = await _userid_refusal(session, record, userids)
        if refusal is not None:
            report.errors.append((number, refusal))
            continue
        seen.add(record.code)
        if record.wecom_userid is not None:
            userids[record.wecom_userid] = record.code
        records.append(record)
    async with write_transaction(session):
        for record in records:
            outcome = await _apply(session, record, now)
            setattr(report, outcome, getattr(report, outcome) + 1)
    return report


async def _apply(session: AsyncSession, record: RosterRecord, now: dt.datetime) -> str:
    member = (
        await session.execute(select(Member).where(col(Member.code) == record.code))
    ).scalar_one_or_none()
    outcome = "unchanged"
    fields: dict[str, Any] = {
        "name": record.name,
        "sector_id": record.sector_id,
        "assessment_group": record.assessment_group,
        "special_committee_id": record.special_committee_id,
        "status": record.status,
        "term": record.term,
        "office": record.office,
    }
    if member is None:
        member = Member(code=record.code, created_at=now, updated_at=now, **fields)
        session.add(member)
        await session.flush()
        outcome = "created"
    elif any(getattr(member, key) != value for key, value in fields.items()):
        for key, value in fields.items():
            setattr(member, key, value)
        outcome = "updated"
    assert member.id is not None
    stations_changed = await _sync_stations(session, member.id, record.station_ids)
    paired_changed = await _sync_paired(session, member.id, record.paired, now)
    userid_changed = await _sync_wecom_userid(session, member.id, record.wecom_userid, now)
    if outcome == "unchanged" and (stations_changed or paired_changed or userid_changed):
        outcome = "updated"
    if outcome == "updated":
        member.updated_at = now
    return outcome


async def _userid_refusal(
    session: AsyncSession, record: RosterRecord, userids: dict[str, str]
) -> str | None:
    """Why the row's WeCom userid cannot be the member's, or None: it is someone else's."""
    userid = record.wecom_userid
    if userid is None:
        return None
    owner: str | None = userids.get(userid)
    if owner is None:
        person = await session.get(WeComPerson, userid)
        if person is None:
            return None
        member = await session.get(Member, person.member_id) if person.member_id else None
        owner = member.code if member is not None else ""
    if owner == record.code:
        return None
    return _("{column} '{value}' belongs to someone else").format(column=WECOM_COLUMN, value=userid)


async def _sync_wecom_userid(
    session: AsyncSession, member_id: int, userid: str | None, now: dt.datetime
) -> bool:
    """Name the member's WeCom userid (replacing an older one); audited. True if it changed."""
    if userid is None or await session.get(WeComPerson, userid) is not None:
        return False
    await session.execute(delete(WeComPerson).where(col(WeComPerson.member_id) == member_id))
    session.add(WeComPerson(userid=userid, member_id=member_id, created_at=now))
    audit(
        session,
        actor=Actor.cli("roster"),
        action="wecom.userid",
        object_kind="member",
        object_id=member_id,
        after={"userid": userid},
        now=now,
    )
    return True


async def _sync_stations(session: AsyncSession, member_id: int, wanted: tuple[int, ...]) -> bool:
    current = set(
        (
            await session.execute(
                select(col(MemberStation.station_id)).where(
                    col(MemberStation.member_id) == member_id
                )
            )
        ).scalars()
    )
    if current == set(wanted):
        return False
    await session.execute(delete(MemberStation).where(col(MemberStation.member_id) == member_id))
    session.add_all(MemberStation(member_id=member_id, station_id=sid) for sid in wanted)
    await session.flush()
    return True


async def _sync_paired(
    session: AsyncSession, member_id: int, wanted: tuple[PairedEntry, ...], now: dt.datetime
) -> bool:
    """Match the listed people to the member's by name; retire those no longer listed.

    A person keeps their row, and so the activities that reached them, whichever column they
    move to; a new name is a new person, never an old row renamed. Someone listed again after
    being retired comes back with their history. Nothing is deleted.
    """
    people = list(
        (
            await session.execute(
                select(PairedPerson)
                .where(col(PairedPerson.member_id) == member_id)
                .order_by(col(PairedPerson.id))
            )
        ).scalars()
    )
    # Listed people first, then the most recently retired, so a name matches the row shown.
    people.sort(key=lambda p: (p.retired_at is not None, -(p.retired_at or now).timestamp()))
    by_name: dict[str, list[PairedPerson]] = {}
    for person in people:
        by_name.setdefault(name_key(person.name), []).append(person)
    plan: list[tuple[PairedPerson, PairedEntry]] = []
    new: list[PairedEntry] = []
    for entry in wanted:
        candidates = by_name.get(name_key(entry.name))
        if candidates:
            # Two people of one name: the affiliation tells them apart.
            same = [p for p in candidates if p.affiliation == entry.affiliation]
            person = (same or candidates)[0]
            candidates.remove(person)
            plan.append((person, entry))
        else:
            new.append(entry)
    matched = {id(person) for person, _entry in plan}
    leaving = [p for p in people if id(p) not in matched and p.retired_at is None]
    moving = [person for person, entry in plan if person.position != entry.position]
    changed = bool(new or leaving or moving)
    # Slots are unique per member: vacate every slot that changes hands before filling any.
    for person in [*leaving, *moving]:
        assert person.id is not None
        person.position = -person.id
    for person in leaving:
        person.retired_at = now
    if leaving or moving:
        await session.flush()
    for person, entry in plan:
        fields = {
            "position": entry.position,
            "name": entry.name,
            "affiliation": entry.affiliation,
            "retired_at": None,
        }
        if any(getattr(person, key) != value for key, value in fields.items()):
            for key, value in fields.items():
                setattr(person, key, value)
            changed = True
    session.add_all(
        PairedPerson(
            member_id=member_id,
            position=entry.position,
            name=entry.name,
            affiliation=entry.affiliation,
        )
        for entry in new
    )
    await session.flush()
    return changed
