"""Importing the roster of members: idempotent, row by row checked, all valid rows at once."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.db import write_transaction
from storage.enums import MemberGroup, MemberStatus
from storage.models import Member, MemberStation, PairedPerson, Sector, SpecialCommittee, Station

REQUIRED = ("code", "name", "sector", "group")
PAIRED_COLUMNS = ("paired_1", "paired_2", "paired_3", "paired_4")
GROUP_NAMES = {
    "standing": MemberGroup.STANDING,
    "常委": MemberGroup.STANDING,
    "local": MemberGroup.LOCAL,
    "住市委员": MemberGroup.LOCAL,
    "nonlocal": MemberGroup.NONLOCAL,
    "市外委员": MemberGroup.NONLOCAL,
    "hkmo": MemberGroup.HKMO,
    "住港澳委员": MemberGroup.HKMO,
}
STATUS_NAMES = {
    "": MemberStatus.ACTIVE,
    "active": MemberStatus.ACTIVE,
    "在任": MemberStatus.ACTIVE,
    "suspended": MemberStatus.SUSPENDED,
    "暂停": MemberStatus.SUSPENDED,
    "left": MemberStatus.LEFT,
    "离任": MemberStatus.LEFT,
}
_SPLIT = re.compile(r"[;；,，、\s]+")
_PAIRED = re.compile(r"^(?P<name>[^(（|]+?)\s*(?:[(（](?P<aff>[^)）]*)[)）]|\|\s*(?P<aff2>.*))?$")


@dataclass(frozen=True)
class RosterRecord:
    """A valid row, resolved to ids."""

    code: str
    name: str
    sector_id: int
    assessment_group: str
    special_committee_id: int | None
    status: str
    term: str
    station_ids: tuple[int, ...]
    paired: tuple[tuple[str, str], ...]


@dataclass
class ImportReport:
    """What an import did, and the rows it refused with why."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


class _Lookup:
    """Reference data by code and by name."""

    def __init__(
        self,
        sectors: list[Sector],
        committees: list[SpecialCommittee],
        stations: list[Station],
    ) -> None:
        self.sectors = {
            key: s.id for s in sectors for key in (s.code, s.name_zh, s.name_en.lower())
        }
        self.committees = {
            key: c.id for c in committees for key in (c.code, c.name_zh, c.name_en.lower())
        }
        self.stations = {s.code: s.id for s in stations}


def _find(table: dict[str, int | None], value: str) -> int | None:
    return table.get(value) or table.get(value.lower())


def parse_row(row: dict[str, str], lookup: _Lookup) -> RosterRecord:
    """Check one row; raise ValueError with a message naming the bad column."""
    for column in REQUIRED:
        if not row.get(column):
            raise ValueError(f"{column} is empty")
    code, name = row["code"], row["name"]
    if len(code) > 40 or len(name) > 60:
        raise ValueError("code or name is too long")
    sector_id = _find(lookup.sectors, row["sector"])
    if sector_id is None:
        raise ValueError(f"unknown sector {row['sector']!r}")
    group = GROUP_NAMES.get(row["group"].lower())
    if group is None:
        raise ValueError(f"unknown group {row['group']!r} (standing, local, nonlocal, hkmo)")
    committee_id = None
    if row.get("committee"):
        committee_id = _find(lookup.committees, row["committee"])
        if committee_id is None:
            raise ValueError(f"unknown special committee {row['committee']!r}")
    status = STATUS_NAMES.get(row.get("status", "").lower())
    if status is None:
        raise ValueError(f"unknown status {row['status']!r} (active, suspended, left)")
    station_ids = []
    for station_code in filter(None, _SPLIT.split(row.get("stations", ""))):
        station_id = lookup.stations.get(station_code)
        if station_id is None:
            raise ValueError(f"unknown station {station_code!r}")
        station_ids.append(station_id)
    paired = []
    for column in PAIRED_COLUMNS:
        value = row.get(column, "")
        if not value:
            continue
        match = _PAIRED.match(value)
        if match is None or len(match["name"]) > 60:
            raise ValueError(f"{column}: write a name, optionally with (affiliation)")
        affiliation = (match["aff"] or match["aff2"] or "").strip()[:120]
        paired.append((match["name"].strip(), affiliation))
    return RosterRecord(
        code=code,
        name=name,
        sector_id=int(sector_id),
        assessment_group=group,
        special_committee_id=committee_id,
        status=status,
        term=row.get("term", "")[:40],
        station_ids=tuple(dict.fromkeys(station_ids)),
        paired=tuple(paired),
    )


async def _lookup(session: AsyncSession) -> _Lookup:
    return _Lookup(
        list((await session.execute(select(Sector))).scalars()),
        list((await session.execute(select(SpecialCommittee))).scalars()),
        list((await session.execute(select(Station))).scalars()),
    )


async def import_roster(
    session: AsyncSession, rows: list[dict[str, str]], *, now: dt.datetime
) -> ImportReport:
    """Create or update members by code; report bad rows (numbered as in the sheet).

    Every valid row is written in one transaction, so a crash leaves the roster as it was.
    Importing the same file again changes nothing.
    """
    report = ImportReport()
    lookup = await _lookup(session)
    records: list[RosterRecord] = []
    seen: set[str] = set()
    for number, row in enumerate(rows, start=2):
        if not any(row.values()):
            continue
        try:
            record = parse_row(row, lookup)
        except ValueError as error:
            report.errors.append((number, str(error)))
            continue
        if record.code in seen:
            report.errors.append((number, f"code {record.code!r} appears twice"))
            continue
        seen.add(record.code)
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
    paired_changed = await _sync_paired(session, member.id, record.paired)
    if outcome == "unchanged" and (stations_changed or paired_changed):
        outcome = "updated"
    if outcome == "updated":
        member.updated_at = now
    return outcome


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
    session: AsyncSession, member_id: int, wanted: tuple[tuple[str, str], ...]
) -> bool:
    """Paired people keep their rows (and their contact history) while names stay."""
    current = {
        person.position: person
        for person in (
            await session.execute(
                select(PairedPerson).where(col(PairedPerson.member_id) == member_id)
            )
        ).scalars()
    }
    changed = False
    for position, (name, affiliation) in enumerate(wanted, start=1):
        person = current.pop(position, None)
        if person is None:
            session.add(
                PairedPerson(
                    member_id=member_id, position=position, name=name, affiliation=affiliation
                )
            )
            changed = True
        elif (person.name, person.affiliation) != (name, affiliation):
            person.name, person.affiliation = name, affiliation
            changed = True
    for person in current.values():
        await session.delete(person)
        changed = True
    await session.flush()
    return changed
