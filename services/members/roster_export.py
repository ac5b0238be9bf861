"""The roster as a file again: every member in the columns the import reads, round-trip safe."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.members.roster_rows import paired_columns, roster_columns
from services.members.rules import Rules
from storage.models import Member, MemberStation, PairedPerson, Sector, SpecialCommittee, Station


def paired_cell(person: PairedPerson) -> str:
    """A paired person as the roster writes them: ``王丽（敬德街小学教师）`` or ``王丽``."""
    return f"{person.name}（{person.affiliation}）" if person.affiliation else person.name


async def roster_export(session: AsyncSession, *, rules: Rules) -> list[dict[str, str]]:
    """Every member as a roster row under ``rules`` (their count of paired columns).

    Codes rather than names, so importing the file again changes nothing. A person listed
    in a column past the rules' count (the count was lowered) is left out, as the next import
    would retire them.
    """
    sectors = {s.id: s.code for s in (await session.execute(select(Sector))).scalars()}
    committees = {c.id: c.code for c in (await session.execute(select(SpecialCommittee))).scalars()}
    stations: defaultdict[int, list[str]] = defaultdict(list)
    station_rows = await session.execute(
        select(col(MemberStation.member_id), col(Station.code))
        .join(Station, col(Station.id) == col(MemberStation.station_id))
        .order_by(col(Station.code))
    )
    for member_id, code in station_rows.all():
        stations[member_id].append(code)
    columns = paired_columns(rules.paired_people_per_member)
    paired: defaultdict[int, dict[str, str]] = defaultdict(dict)
    people = await session.execute(
        select(PairedPerson).where(
            col(PairedPerson.retired_at).is_(None),
            col(PairedPerson.position).between(1, len(columns)),
        )
    )
    for person in people.scalars():
        paired[person.member_id][columns[person.position - 1]] = paired_cell(person)
    rows = []
    for member in (await session.execute(select(Member).order_by(col(Member.code)))).scalars():
        assert member.id is not None
        row = dict.fromkeys(roster_columns(rules), "")
        row.update(
            code=member.code,
            name=member.name,
            sector=sectors[member.sector_id],
            group=member.assessment_group,
            committee=committees.get(member.special_committee_id or 0, ""),
            stations=";".join(stations[member.id]),
            status=member.status,
            term=member.term,
            office="yes" if member.office else "no",
        )
        row.update(paired[member.id])
        rows.append(row)
    return rows
