"""The shapes of a member's yearly archive (see :mod:`services.assessment.archive`).

Names are kept in both languages (:class:`Named`) so one archive renders in either; points
are integer hundredths, as stored.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from services.assessment.types import AttendanceFigures


@dataclass(frozen=True)
class Named:
    """A code with its Chinese and English names."""

    code: str
    name_zh: str
    name_en: str

    def name(self, locale: str) -> str:
        """The name in ``locale`` (Chinese for any ``zh`` locale)."""
        return self.name_zh if locale.startswith("zh") else self.name_en


@dataclass(frozen=True)
class ArchiveItem:
    """An item's capped points in the year, and how many ledger lines gave them."""

    item: Named
    kind: str
    points_c: int
    lines: int


@dataclass(frozen=True)
class ArchiveActivity:
    """An activity, the people it reached and the paired people among them."""

    occurred_on: dt.date
    kind: Named
    people_count: int
    place: str
    summary: str
    paired: tuple[str, ...]
    points_c: int


@dataclass(frozen=True)
class ArchiveMeeting:
    """An invitation: ``attendance`` is None until the meeting was closed."""

    starts_on: dt.date
    title: str
    kind: Named
    attendance: str | None
    response: str
    leave_reason: str
    points_c: int


@dataclass(frozen=True)
class ArchiveReport:
    """A social-conditions report and what the office decided (``state``, ``note``)."""

    submitted_on: dt.date
    title: str
    state: str
    note: str
    points_c: int


@dataclass(frozen=True)
class ArchiveProposal:
    """A proposal led (``lead``) or co-signed, with its year-end rating."""

    number: str
    title: str
    submitted_on: dt.date
    lead: bool
    rating: str
    withdrawn: bool
    points_c: int


@dataclass(frozen=True)
class ArchiveEntry:
    """An entry the office recorded (a speech, an adopted report, an article...)."""

    occurred_on: dt.date
    item: Named
    quality: bool
    level: str
    title: str
    reference: str
    points_c: int


@dataclass(frozen=True)
class Archive:
    """One member's year, as the printable record and the year-end summary show it."""

    year: int
    state: str
    rules_version: int
    member_code: str
    member_name: str
    term: str
    sector: Named | None
    group: Named | None
    total_c: int
    ranked: bool
    rank: int | None
    group_size: int
    in_pool: bool
    excellent: bool | None
    items: tuple[ArchiveItem, ...]
    activities: tuple[ArchiveActivity, ...]
    studies: tuple[ArchiveActivity, ...]
    meetings: tuple[ArchiveMeeting, ...]
    reports: tuple[ArchiveReport, ...]
    proposals: tuple[ArchiveProposal, ...]
    entries: tuple[ArchiveEntry, ...]
    six_ones: tuple[tuple[Named, bool], ...]
    attendance: dict[str, AttendanceFigures] = field(default_factory=dict)

    @property
    def people_reached(self) -> int:
        """Person-times of the year's activities (training and research included)."""
        return sum(a.people_count for a in (*self.activities, *self.studies))

    @property
    def paired_reached(self) -> tuple[str, ...]:
        """The paired people reached at least once, in the order first reached."""
        seen: dict[str, None] = {}
        for activity in (*self.activities, *self.studies):
            for name in activity.paired:
                seen.setdefault(name, None)
        return tuple(seen)

    def top_items(self, count: int = 3) -> tuple[ArchiveItem, ...]:
        """The items that gave the most points (positive only), best first."""
        positive = [item for item in self.items if item.points_c > 0]
        return tuple(sorted(positive, key=lambda i: -i.points_c)[:count])
