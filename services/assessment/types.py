"""Read-only shapes of the assessment, shared by every part that reads the ledger.

Points and units are integer hundredths (``*_c``), as stored.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class LedgerLine:
    """One line of the ledger: an item's points for a subject, and the record behind them."""

    id: int
    year: int
    subject_kind: str
    subject_id: int
    item_code: str
    source_kind: str
    source_id: int
    occurred_on: dt.date
    units_c: int
    points_c: int


@dataclass(frozen=True)
class ItemScore:
    """One item of a subject's year: the raw sum of its lines, and the sum after cap/floor."""

    code: str
    units_c: int
    raw_c: int
    points_c: int
    lines: int


@dataclass(frozen=True)
class MemberScore:
    """A member's live standing in a year.

    ``rank`` is 1 + the ranked members of the group with a higher total (None when the member
    is not ranked); ``pool_size`` is the k of the cut (the group size times the pool fraction,
    rounded as the rules say) and ``cut_c`` the total of the k-th member (None for an empty
    pool). ``in_pool`` counts everyone tied with the k-th member as inside.
    """

    member_id: int
    year: int
    total_c: int
    quality_c: int
    absences: int
    group_code: str
    ranked: bool
    rank: int | None
    group_size: int
    pool_size: int
    cut_c: int | None
    in_pool: bool
    items: tuple[ItemScore, ...]


@dataclass(frozen=True)
class TotalRow:
    """A subject's total in a year, with its rank in its group (None when unranked)."""

    subject_kind: str
    subject_id: int
    group_code: str
    ranked: bool
    total_c: int
    quality_c: int
    absences: int
    rank: int | None


@dataclass(frozen=True)
class AttendanceFigures:
    """Meetings attended, excused and missed, and their shares of the three together."""

    attended: int = 0
    excused: int = 0
    absent: int = 0

    @property
    def invited(self) -> int:
        """Invitations of closed meetings counted."""
        return self.attended + self.excused + self.absent

    @property
    def attended_share(self) -> float:
        """Attended ÷ invited (0 when nothing was counted)."""
        return self.attended / self.invited if self.invited else 0.0

    @property
    def excused_share(self) -> float:
        """Excused ÷ invited."""
        return self.excused / self.invited if self.invited else 0.0

    @property
    def absent_share(self) -> float:
        """Absent ÷ invited."""
        return self.absent / self.invited if self.invited else 0.0

    def __add__(self, other: AttendanceFigures) -> AttendanceFigures:
        return AttendanceFigures(
            self.attended + other.attended,
            self.excused + other.excused,
            self.absent + other.absent,
        )
