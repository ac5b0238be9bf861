"""The yearly rules of members' duties, read from versioned TOML files (configuration, not code)."""

from __future__ import annotations

import hashlib
import json
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from services.assessment.config import AssessmentRules
from services.pipeline.config import PipelineRules
from services.topics.config import PlanRules

RULES_DIR = Path(__file__).resolve().parent.parent / "data" / "rules"
SIX_ONES_SLOTS = 6


class ActivityKind(BaseModel):
    """A kind of activity a member can log."""

    model_config = ConfigDict(frozen=True)

    code: str
    name_zh: str
    name_en: str


class SixOne(BaseModel):
    """One of the yearly "six ones" and the kinds of activity that fulfil it."""

    model_config = ConfigDict(frozen=True)

    code: str
    name_zh: str
    name_en: str
    kinds: tuple[str, ...]
    # A check-in at a meeting of one of these kinds fulfils it too, unlogged.
    meeting_kinds: tuple[str, ...] = ()


class Campaign(BaseModel):
    """A yearly campaign month's theme (e.g. visiting sector groups in May)."""

    model_config = ConfigDict(frozen=True)

    name_zh: str = Field(min_length=1)
    name_en: str = Field(min_length=1)


class Counts(BaseModel):
    """Which kinds count towards the quarterly minimum and the yearly person-times."""

    model_config = ConfigDict(frozen=True)

    quarter: tuple[str, ...]
    person_times: tuple[str, ...]


class Rules(BaseModel):
    """One year's rules."""

    model_config = ConfigDict(frozen=True)

    year: int
    version: int = Field(ge=1)
    quarter_minimum_activities: int = Field(ge=0)
    year_minimum_person_times: int = Field(ge=0)
    paired_people_per_member: int = Field(ge=0, le=20)
    default_kind: str
    edit_window_days: int = Field(ge=0, le=366)
    campaign_months: dict[int, Campaign] = Field(default_factory=dict)
    counts: Counts
    six_ones: tuple[SixOne, ...] = Field(max_length=SIX_ONES_SLOTS)
    activity_kinds: tuple[ActivityKind, ...] = Field(min_length=1)
    # None: the year has no assessment.
    assessment: AssessmentRules | None = None
    pipeline: PipelineRules = PipelineRules()
    plan: PlanRules = PlanRules()

    @field_validator("campaign_months", mode="before")
    @classmethod
    def _bilingual_campaigns(cls, value: Any) -> Any:
        # Files of version 3 and older name a campaign in one language: it stands for both.
        if isinstance(value, dict):
            return {
                month: {"name_zh": name, "name_en": name} if isinstance(name, str) else name
                for month, name in value.items()
            }
        return value

    @field_validator("campaign_months")
    @classmethod
    def _months_exist(cls, value: dict[int, Campaign]) -> dict[int, Campaign]:
        wrong = sorted(month for month in value if not 1 <= month <= 12)
        if wrong:
            raise ValueError(f"campaign months must be 1 to 12, not {wrong}")
        return value

    @model_validator(mode="after")
    def _kinds_are_known(self) -> Rules:
        known = {kind.code for kind in self.activity_kinds}
        if len(known) != len(self.activity_kinds):
            raise ValueError("activity kind codes must be unique")
        used = {self.default_kind, *self.counts.quarter, *self.counts.person_times}
        for item in self.six_ones:
            used.update(item.kinds)
        if self.assessment is not None:
            used.update(self.assessment.activity_kinds())
        unknown = used - known
        if unknown:
            raise ValueError(f"unknown activity kinds: {sorted(unknown)}")
        if len({item.code for item in self.six_ones}) != len(self.six_ones):
            raise ValueError("six ones codes must be unique")
        return self

    @property
    def fingerprint(self) -> str:
        """A short hash of everything that decides how activities are counted."""
        counted = {
            "quarter": sorted(self.counts.quarter),
            "person_times": sorted(self.counts.person_times),
            "six_ones": [[item.code, sorted(item.kinds)] for item in self.six_ones],
        }
        return hashlib.sha256(json.dumps(counted).encode()).hexdigest()[:16]

    def kind(self, code: str) -> ActivityKind | None:
        """A kind by its code, or None."""
        return next((kind for kind in self.activity_kinds if kind.code == code), None)

    def six_ones_of_meeting(self, kind: str) -> list[int]:
        """The positions (0 to 5) of the six ones that a check-in at a ``kind`` meeting fulfils."""
        return [index for index, item in enumerate(self.six_ones) if kind in item.meeting_kinds]

    def six_ones_of(self, kind: str) -> list[int]:
        """The positions (0 to 5) of the six ones that an activity of ``kind`` fulfils."""
        return [index for index, item in enumerate(self.six_ones) if kind in item.kinds]


class RuleBook:
    """Every year's rules found in a folder, one ``<year>.toml`` each."""

    def __init__(self, folder: Path = RULES_DIR) -> None:
        self.folder = folder
        self._years: dict[int, Rules] = {}
        for path in sorted(folder.glob("*.toml")):
            rules = load_rules(path)
            if path.stem != str(rules.year):
                raise ValueError(f"{path.name} holds the rules of {rules.year}")
            self._years[rules.year] = rules
        if not self._years:
            raise ValueError(f"no rules in {folder}")

    @property
    def years(self) -> list[int]:
        """The years that have rules of their own."""
        return sorted(self._years)

    def for_year(self, year: int) -> Rules:
        """The rules of a year; a year without a file keeps the latest earlier year's rules."""
        if year in self._years:
            return self._years[year]
        earlier = [known for known in self._years if known < year]
        chosen = max(earlier) if earlier else min(self._years)
        return self._years[chosen].model_copy(update={"year": year})


def load_rules(path: Path) -> Rules:
    """Parse and check one rules file."""
    with path.open("rb") as handle:
        return Rules.model_validate(tomllib.load(handle))
