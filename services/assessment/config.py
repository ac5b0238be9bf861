"""The ``[assessment]`` section of a year's rules file: items, points, groups and the cut.

Points in the file are decimals (``0.1`` a person-time); everything stored or compared is
in hundredths (:func:`hundredths`), so sums and ties are exact. The section's
:attr:`AssessmentRules.fingerprint` covers only what changes counting or ranking: editing a
name or a reminder threshold does not recount the year.
"""

from __future__ import annotations

import hashlib
import json
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SourceKind = Literal[
    "invitation", "activity", "report", "proposal", "cosign", "entry", "members", "attendance"
]
Measure = Literal["count", "people", "average_total", "rate"]
TieRule = Literal["include_all", "exclude_all", "break_by"]
TieBreaker = Literal["quality", "attendance_rate", "fewer_absences"]
Rounding = Literal["ceil", "floor", "round"]

MEMBER_SOURCES = frozenset({"invitation", "activity", "report", "proposal", "cosign", "entry"})
SECTOR_SOURCES = frozenset({"members", "attendance", "proposal", "entry"})


def hundredths(value: Decimal | int | float) -> int:
    """``value`` in hundredths of a point, rounded half up."""
    scaled = Decimal(str(value)) * 100
    return int(scaled.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def parse_fraction(text: str) -> Fraction:
    """``"1/2"``, ``"0.5"`` or ``"0"`` as a fraction between 0 and 1."""
    value = Fraction(text)
    if not 0 <= value <= 1:
        raise ValueError(f"a fraction between 0 and 1, not {text!r}")
    return value


class ItemSource(BaseModel):
    """What an item counts.

    - ``invitation``: meeting invitations whose attendance is ``attendance``, of the
      ``meeting_kinds`` (every kind if empty);
    - ``activity``: the member's activities of ``kinds``; ``measure = "people"`` counts the
      people reached instead of the activities;
    - ``report``: social-conditions reports in ``states``;
    - ``proposal`` / ``cosign``: proposals led / co-signed (a sector's own, for sectors);
      ``ratings`` limits them to those rated so (the quality items);
    - ``entry``: staff entries of this item;
    - ``members`` (sectors): the average total of the sector's ranked members;
    - ``attendance`` (sectors): the sector's members' attendance rate, 0 to 1.
    """

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    origin: SourceKind = Field(alias="from")
    meeting_kinds: tuple[str, ...] = ()
    attendance: Literal["attended", "excused", "absent"] | None = None
    kinds: tuple[str, ...] = ()
    measure: Measure = "count"
    states: tuple[str, ...] = ()
    ratings: tuple[str, ...] = ()
    # Counts the same records as another item on purpose (people reached by activities that
    # an activity item counts too).
    shared: bool = False


class Item(BaseModel):
    """One assessment item: its code, names, points per unit, cap and source.

    ``points`` is per unit; an item with ``levels`` gives the points of the record's level
    instead (an oral or a written speech). ``cap`` bounds the item's yearly sum from above,
    ``floor`` from below (for negative items).
    """

    model_config = ConfigDict(frozen=True)

    code: str = Field(min_length=1, max_length=10)
    name_zh: str
    name_en: str
    kind: Literal["quantity", "quality"] = "quantity"
    points: Decimal | None = None
    levels: dict[str, Decimal] = Field(default_factory=dict)
    cap: Decimal | None = None
    floor: Decimal | None = None
    source: ItemSource

    @model_validator(mode="after")
    def _points_or_levels(self) -> Item:
        if (self.points is None) == (not self.levels):
            raise ValueError(f"item {self.code}: give either points or levels")
        return self

    def points_c(self, level: str = "") -> int:
        """Points of one unit (of ``level``, for an item with levels), in hundredths."""
        if self.levels:
            if level not in self.levels:
                raise KeyError(f"item {self.code} has no level {level!r}")
            return hundredths(self.levels[level])
        assert self.points is not None
        return hundredths(self.points)

    def clamp_c(self, total_c: int) -> int:
        """The item's yearly sum bounded by its cap and floor, in hundredths."""
        if self.cap is not None:
            total_c = min(total_c, hundredths(self.cap))
        if self.floor is not None:
            total_c = max(total_c, hundredths(self.floor))
        return total_c

    def name(self, locale: str) -> str:
        """The item's name in ``locale`` (Chinese for any ``zh`` locale)."""
        return self.name_zh if locale.startswith("zh") else self.name_en


class MemberGroupRule(BaseModel):
    """A group members are ranked in: roster groups it takes, and office members or not.

    ``office`` is true for the group of members working in the committee office, false for
    groups that leave them out, ``"any"`` for a group that takes both.
    """

    model_config = ConfigDict(frozen=True)

    code: str = Field(min_length=1, max_length=20)
    name_zh: str
    name_en: str
    roster: tuple[str, ...] = Field(min_length=1)
    office: bool | Literal["any"] = False
    pool_fraction: str | None = None

    def takes(self, assessment_group: str, office: bool) -> bool:
        """Whether a member of roster group ``assessment_group`` belongs here."""
        if assessment_group not in self.roster:
            return False
        return self.office == "any" or self.office == office

    def name(self, locale: str) -> str:
        """The group's name in ``locale``."""
        return self.name_zh if locale.startswith("zh") else self.name_en


class SectorGroupRule(BaseModel):
    """A group sectors are ranked in.

    It holds the sectors whose ``group_no`` is ``group``, or the listed ``sectors`` codes.
    """

    model_config = ConfigDict(frozen=True)

    group: int = Field(ge=1)
    name_zh: str
    name_en: str
    sectors: tuple[str, ...] = ()

    @property
    def code(self) -> str:
        """The group's code in the ledger: ``sector-<group>``."""
        return f"sector-{self.group}"

    def name(self, locale: str) -> str:
        """The group's name in ``locale``."""
        return self.name_zh if locale.startswith("zh") else self.name_en


class ReminderTalk(BaseModel):
    """Who is listed for a reminder talk: a total or an attendance rate below the line."""

    model_config = ConfigDict(frozen=True)

    score_below: Decimal | None = None
    attendance_below: float | None = Field(default=None, ge=0, le=1)


class AssessmentRules(BaseModel):
    """A year's assessment."""

    model_config = ConfigDict(frozen=True)

    pool_fraction: str = "1/2"
    recommend_fraction: str = "1/3"
    rounding: Rounding = "ceil"
    tie_rule: TieRule = "include_all"
    tie_breakers: tuple[TieBreaker, ...] = ()
    undecided_leave: Literal["excused", "absent"] = "excused"
    min_months_served: int = Field(default=6, ge=0, le=12)
    term_award_years: int = Field(default=3, ge=1, le=5)
    total_floor: Decimal | None = Decimal(0)
    reminder_talk: ReminderTalk = Field(default_factory=ReminderTalk)
    member_groups: tuple[MemberGroupRule, ...] = Field(min_length=1)
    sector_groups: tuple[SectorGroupRule, ...] = ()
    member_items: tuple[Item, ...] = Field(min_length=1)
    sector_items: tuple[Item, ...] = ()

    @field_validator("pool_fraction", "recommend_fraction")
    @classmethod
    def _fraction(cls, value: str) -> str:
        parse_fraction(value)
        return value

    @model_validator(mode="after")
    def _consistent(self) -> AssessmentRules:
        codes = [item.code for item in (*self.member_items, *self.sector_items)]
        if len(set(codes)) != len(codes):
            raise ValueError("assessment item codes must be unique")
        for item in self.member_items:
            if item.source.origin not in MEMBER_SOURCES:
                raise ValueError(f"member item {item.code}: a member has no {item.source.origin}")
        for item in self.sector_items:
            if item.source.origin not in SECTOR_SOURCES:
                raise ValueError(f"sector item {item.code}: a sector has no {item.source.origin}")
        groups = [group.code for group in self.member_groups]
        if len(set(groups)) != len(groups):
            raise ValueError("member group codes must be unique")
        for group in self.member_groups:
            if group.pool_fraction is not None:
                parse_fraction(group.pool_fraction)
        if self.tie_rule == "break_by" and not self.tie_breakers:
            raise ValueError("tie_rule break_by needs tie_breakers")
        return self

    @property
    def items(self) -> tuple[Item, ...]:
        """Member items, then sector items."""
        return (*self.member_items, *self.sector_items)

    def item(self, code: str) -> Item | None:
        """An item by its code, or None."""
        return next((item for item in self.items if item.code == code), None)

    def activity_kinds(self) -> set[str]:
        """Every activity kind an item names."""
        return {kind for item in self.items for kind in item.source.kinds}

    def meeting_kinds(self) -> set[str]:
        """Every meeting kind an item names."""
        return {kind for item in self.items for kind in item.source.meeting_kinds}

    def group_of(self, assessment_group: str, office: bool) -> MemberGroupRule | None:
        """The first group that takes a member of ``assessment_group`` (office or not)."""
        return next(
            (group for group in self.member_groups if group.takes(assessment_group, office)),
            None,
        )

    def pool_fraction_of(self, group: MemberGroupRule) -> Fraction:
        """The share of ``group`` that makes the pool for "excellent member"."""
        return parse_fraction(group.pool_fraction or self.pool_fraction)

    @property
    def fingerprint(self) -> str:
        """A short hash of what decides the points and the ranking (names left out)."""
        counted = self.model_dump(
            mode="json",
            exclude={
                "reminder_talk": True,
                "term_award_years": True,
                "member_items": {"__all__": {"name_zh", "name_en"}},
                "sector_items": {"__all__": {"name_zh", "name_en"}},
                "member_groups": {"__all__": {"name_zh", "name_en"}},
                "sector_groups": {"__all__": {"name_zh", "name_en"}},
            },
        )
        return hashlib.sha256(json.dumps(counted, sort_keys=True).encode()).hexdigest()[:16]
