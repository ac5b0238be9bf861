"""Ranking inside one group: competition ranks, the cut, and how a tie at the cut is settled.

Pure functions, no database: the live standings and the frozen results of a closed year both
rank through :func:`rank_group`, so a member's rank is the same wherever it is shown. Ranks
are "competition" ranks (1, 2, 2, 4) by total, highest first. The cut is the group's size
times the fraction, rounded by the year's ``rounding``; a tie across the cut is settled by the
year's ``tie_rule`` and written down as a :class:`TieNote`, which staff read as a sentence.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from services.assessment.config import Rounding, TieBreaker, TieRule
from services.translation import N_
from services.translation import gettext as _

_BREAKER_NAMES: dict[str, str] = {
    "quality": N_("more quality points"),
    "attendance_rate": N_("a higher attendance rate"),
    "fewer_absences": N_("fewer absences"),
}


@dataclass(frozen=True)
class Candidate:
    """A subject to rank: its total and what a tie-breaker may look at (points in hundredths).

    ``attendance`` is the share of invitations attended (None: never invited). A subject
    that is not ``ranked`` (suspended, left, too short a year) is listed after the others.
    """

    subject_id: int
    total_c: int
    ranked: bool = True
    quality_c: int = 0
    attendance: Fraction | None = None
    absences: int = 0


@dataclass(frozen=True)
class TieNote:
    """How a tie across the cut was settled for one subject, kept as data, read as a sentence.

    ``outcome`` is ``in`` or ``out``; ``breaker`` is the tie-breaker that decided (``""`` when
    the rule itself decided, ``"still"`` when every tie-breaker left it tied).
    """

    rule: str
    outcome: str
    total_c: int
    count: int
    breaker: str = ""

    def encode(self) -> str:
        """A compact form for ``assessment_result.tie_note``; read back with :meth:`decode`."""
        return "|".join([self.rule, self.outcome, str(self.total_c), str(self.count), self.breaker])

    @classmethod
    def decode(cls, text: str) -> TieNote | None:
        """The note kept by :meth:`encode`; None for an empty or unreadable one."""
        parts = text.split("|")
        if len(parts) != 5 or not parts[2].lstrip("-").isdigit() or not parts[3].isdigit():
            return None
        return cls(parts[0], parts[1], int(parts[2]), int(parts[3]), parts[4])

    def text(self) -> str:
        """The note as a sentence in the current language."""
        points = points_text(self.total_c)
        if self.rule == "include_all":
            return _(
                "{count} tied at {points} points across the cut: all are in the pool "
                "(everyone tied is in)."
            ).format(count=self.count, points=points)
        if self.rule == "exclude_all":
            return _(
                "{count} tied at {points} points across the cut: all are out of the pool "
                "(everyone tied is out)."
            ).format(count=self.count, points=points)
        if self.breaker == "still":
            return _(
                "{count} tied at {points} points across the cut; still tied after every "
                "tie-breaker: in the pool."
            ).format(count=self.count, points=points)
        breaker = _(_BREAKER_NAMES.get(self.breaker, self.breaker))
        if self.outcome == "in":
            return _(
                "{count} tied at {points} points across the cut; settled by {breaker}: in the pool."
            ).format(count=self.count, points=points, breaker=breaker)
        return _(
            "{count} tied at {points} points across the cut; settled by {breaker}: out of the pool."
        ).format(count=self.count, points=points, breaker=breaker)


@dataclass(frozen=True)
class RankedRow:
    """A subject's place in its group: rank (None if unranked), in the pool or not, tie note."""

    subject_id: int
    total_c: int
    ranked: bool
    rank: int | None
    in_pool: bool
    tie: TieNote | None = None

    @property
    def tie_note(self) -> str:
        """The tie note as a sentence in the current language; empty when there was no tie."""
        return self.tie.text() if self.tie is not None else ""


def points_text(value_c: int) -> str:
    """Hundredths of a point as the points people read: ``12``, ``12.5``, ``-0.25``."""
    sign = "-" if value_c < 0 else ""
    whole, rest = divmod(abs(value_c), 100)
    if not rest:
        return f"{sign}{whole}"
    return f"{sign}{whole}.{rest:02d}".rstrip("0")


def cut_size(size: int, fraction: Fraction, rounding: Rounding) -> int:
    """How many of ``size`` make the pool: ``size × fraction`` rounded, never above ``size``."""
    exact = size * fraction
    if rounding == "ceil":
        cut = math.ceil(exact)
    elif rounding == "floor":
        cut = math.floor(exact)
    else:
        # Half up: Python's round() would send 2.5 to 2.
        cut = math.floor(exact + Fraction(1, 2))
    return max(0, min(size, cut))


def _breaker_value(candidate: Candidate, breaker: str) -> Fraction:
    """Bigger is better for every breaker, so they sort alike."""
    if breaker == "quality":
        return Fraction(candidate.quality_c)
    if breaker == "attendance_rate":
        # Never invited: behind anyone who was, as nothing shows they came.
        return candidate.attendance if candidate.attendance is not None else Fraction(-1)
    return Fraction(-candidate.absences)


def rank_group(
    rows: Sequence[Candidate],
    *,
    fraction: Fraction,
    rounding: Rounding,
    tie_rule: TieRule,
    tie_breakers: Sequence[TieBreaker] = (),
) -> list[RankedRow]:
    """Rank a group, mark its pool and note how a tie at the cut was settled.

    Ranked subjects come first, by total (highest first, then by id so the order is stable),
    then the unranked ones, without rank, never in the pool.
    """
    ranked = sorted((r for r in rows if r.ranked), key=lambda r: (-r.total_c, r.subject_id))
    unranked = sorted((r for r in rows if not r.ranked), key=lambda r: (-r.total_c, r.subject_id))
    ranks: dict[int, int] = {}
    for index, row in enumerate(ranked):
        previous = ranked[index - 1] if index else None
        same = previous is not None and previous.total_c == row.total_c
        ranks[row.subject_id] = ranks[previous.subject_id] if same and previous else index + 1
    cut = cut_size(len(ranked), fraction, rounding)
    pool, notes = _pool(ranked, cut, tie_rule, tie_breakers)
    result = [
        RankedRow(
            subject_id=row.subject_id,
            total_c=row.total_c,
            ranked=True,
            rank=ranks[row.subject_id],
            in_pool=row.subject_id in pool,
            tie=notes.get(row.subject_id),
        )
        for row in ranked
    ]
    result.extend(
        RankedRow(
            subject_id=row.subject_id, total_c=row.total_c, ranked=False, rank=None, in_pool=False
        )
        for row in unranked
    )
    return result


def _pool(
    ranked: list[Candidate], cut: int, tie_rule: TieRule, breakers: Sequence[TieBreaker]
) -> tuple[set[int], dict[int, TieNote]]:
    """Who is in the pool, and the notes of the subjects tied across the cut."""
    if cut == 0:
        return set(), {}
    line = ranked[cut - 1].total_c
    above = [r for r in ranked if r.total_c > line]
    tied = [r for r in ranked if r.total_c == line]
    if len(above) + len(tied) <= cut:
        # The tie, if any, sits inside the cut: nothing to settle.
        return {r.subject_id for r in ranked[:cut]}, {}
    pool = {r.subject_id for r in above}
    count = len(tied)
    if tie_rule == "include_all":
        pool.update(r.subject_id for r in tied)
        return pool, {r.subject_id: TieNote(tie_rule, "in", line, count) for r in tied}
    if tie_rule == "exclude_all":
        return pool, {r.subject_id: TieNote(tie_rule, "out", line, count) for r in tied}

    # break_by: the free places go to the best by the breakers; whoever still ties with the
    # last of them is in as well.
    def key(candidate: Candidate) -> tuple[Fraction, ...]:
        return tuple(_breaker_value(candidate, b) for b in breakers)

    order = sorted(tied, key=key, reverse=True)
    free = cut - len(above)
    last = key(order[free - 1])
    inside = [r for r in order if key(r) >= last]
    first_out = next((key(r) for r in order if key(r) < last), None)
    notes: dict[int, TieNote] = {}
    for row in order:
        mine = key(row)
        if mine >= last:
            pool.add(row.subject_id)
        if mine == last and len(inside) > free:
            decided = "still"
        else:
            # What parts this subject from the other side of the line.
            other = first_out if mine == last else last
            decided = _first_difference(mine, other, breakers)
        notes[row.subject_id] = TieNote(
            tie_rule, "in" if mine >= last else "out", line, count, decided
        )
    return pool, notes


def _first_difference(
    mine: tuple[Fraction, ...], other: tuple[Fraction, ...] | None, breakers: Sequence[str]
) -> str:
    """The first breaker on which two subjects differ; ``still`` if none does."""
    if other is not None:
        for index, breaker in enumerate(breakers):
            if mine[index] != other[index]:
                return breaker
    return "still"
