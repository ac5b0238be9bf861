"""One row of a roster file checked and resolved: the columns, their values, the paired people.

How many paired people a member has (``paired_1`` … ``paired_N``) is the year's rules'
``paired_people_per_member``; the optional ``office`` column marks members working in the
committee office, who are assessed apart; the optional ``wecom_userid`` column names the
member's WeCom userid, so their first message in WeCom links them (empty: left as it is).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.chats.wecom_users import clean_userid
from services.errors import DomainError
from services.members.rules import Rules
from services.translation import gettext as _
from storage.enums import MemberGroup, MemberStatus
from storage.models import Sector, SpecialCommittee, Station

REQUIRED = ("code", "name", "sector", "group")
OPTIONAL = ("committee", "stations", "status", "term")
OFFICE_COLUMN = "office"
WECOM_COLUMN = "wecom_userid"
OFFICE_NAMES = {
    "": False,
    "no": False,
    "否": False,
    "false": False,
    "0": False,
    "yes": True,
    "是": True,
    "true": True,
    "1": True,
}
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
_PAIRED_COLUMN = re.compile(r"^paired_(?P<position>\d+)$")
_PAIRED = re.compile(r"^(?P<name>[^(（|]+?)\s*(?:[(（](?P<aff>[^)）]*)[)）]|\|\s*(?P<aff2>.*))?$")


@dataclass(frozen=True)
class PairedEntry:
    """A paired person as the roster lists them: column (1 to N), name, affiliation."""

    position: int
    name: str
    affiliation: str


def paired_columns(count: int) -> tuple[str, ...]:
    """The paired people's columns, ``paired_1`` to ``paired_<count>``."""
    return tuple(f"paired_{position}" for position in range(1, count + 1))


def roster_columns(rules: Rules) -> tuple[str, ...]:
    """Every column of a roster file under ``rules``, in the order the export writes them."""
    return (*REQUIRED, *OPTIONAL, *paired_columns(rules.paired_people_per_member), OFFICE_COLUMN)


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
    office: bool
    station_ids: tuple[int, ...]
    paired: tuple[PairedEntry, ...]
    wecom_userid: str | None = None


class Lookup:
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


def parse_row(row: dict[str, str], lookup: Lookup, *, paired_people: int) -> RosterRecord:
    """Check one row; raise ValueError with a message naming the bad column.

    ``paired_people`` is how many paired columns the year's rules allow.
    """
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
    office = OFFICE_NAMES.get(row.get(OFFICE_COLUMN, "").strip().lower())
    if office is None:
        raise ValueError(
            _("unknown office value '{value}' ({choices})").format(
                value=row[OFFICE_COLUMN], choices="yes, no"
            )
        )
    wecom_userid = None
    if row.get(WECOM_COLUMN, "").strip():
        try:
            wecom_userid = clean_userid(row[WECOM_COLUMN])
        except DomainError:
            raise ValueError(
                _("{column}: 1 to 64 letters, digits and the characters _-.@").format(
                    column=WECOM_COLUMN
                )
            ) from None
    return RosterRecord(
        code=code,
        name=name,
        sector_id=int(sector_id),
        assessment_group=group,
        special_committee_id=committee_id,
        status=status,
        term=row.get("term", "")[:40],
        office=office,
        station_ids=tuple(dict.fromkeys(station_ids)),
        paired=_paired_entries(row, paired_people),
        wecom_userid=wecom_userid,
    )


def _paired_entries(row: dict[str, str], paired_people: int) -> tuple[PairedEntry, ...]:
    # A column past the rules' count would be dropped unseen: refuse the row instead.
    for column, value in row.items():
        match = _PAIRED_COLUMN.match(column)
        if match and int(match["position"]) > paired_people and value.strip():
            raise ValueError(
                _("{column}: the rules pair each member with {count} people").format(
                    column=column, count=paired_people
                )
            )
    paired = []
    for position, column in enumerate(paired_columns(paired_people), start=1):
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
    return tuple(paired)


async def load_lookup(session: AsyncSession) -> Lookup:
    """The sectors, special committees and stations a roster may name."""
    return Lookup(
        list((await session.execute(select(Sector))).scalars()),
        list((await session.execute(select(SpecialCommittee))).scalars()),
        list((await session.execute(select(Station))).scalars()),
    )
