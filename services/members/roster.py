"""Importing the roster of members: idempotent, row by row checked, all valid rows at once."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.translation import gettext as _
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
class PairedEntry:
    """A paired person as the roster lists them: column (1 to 4), name, affiliation."""

    position: int
    name: str
    affiliation: str


def name_key(name: str) -> str:
    """A name with its whitespace normalised, so "王 丽" and "王  丽" are one person."""
    return " ".join(name.split())


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
    paired: tuple[PairedEntry, ...]


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
            raise ValueError(_("{column} is empty").format(column=column))
    code, name = row["code"], row["name"]
    if len(code) > 40 or len(name) > 60:
        raise ValueError(_("code or name is too long"))
    sector_id = _find(lookup.sectors, row["sector"])
    if sector_id is None:
        raise ValueError(_("unknown sector '{value}'").format(value=row["sector"]))
    group = GROUP_NAMES.get(row["group"].lower())
    if group is None:
        raise ValueError(
            _("unknown group '{value}' ({choices})").format(
                value=row["group"], choices="standing, local, nonlocal, hkmo"
            )
        )
    committee_id = None
    if row.get("committee"):
        committee_id = _find(lookup.committees, row["committee"])
        if committee_id is None:
            raise ValueError(
                _("unknown special committee '{value}'").format(value=row["committee"])
            )
    status = STATUS_NAMES.get(row.get("status", "").lower())
    if status is None:
        raise ValueError(
            _("unknown status '{value}' ({choices})").format(
                value=row["status"], choices="active, suspended, left"
            )
        )
    station_ids = []
    for station_code in filter(None, _SPLIT.split(row.get("stations", ""))):
        station_id = lookup.stations.get(station_code)
        if station_id is None:
            raise ValueError(_("unknown station '{value}'").format(value=station_code))
        station_ids.append(station_id)
    paired = []
    for position, column in enumerate(PAIRED_COLUMNS, start=1):
        value = row.get(column, "").strip()
        if not value:
            continue
        match = _PAIRED.match(value)
        if match is None or len(match["name"]) > 60:
            raise ValueError(
                _("{column}: write a name, optionally with (affiliation)").format(column=column)
            )
        affiliation = (match["aff"] or match["aff2"] or "").strip()[:120]
        paired.append(PairedEntry(position, name_key(match["name"]), affiliation))
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
            report.errors.append(
                (number, _("code '{code}' appears twice").format(code=record.code))
            )
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
    paired_changed = await _sync_paired(session, member.id, record.paired, now)
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
