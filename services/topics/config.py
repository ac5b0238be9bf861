"""The ``[plan]`` section of a year's rules: how large the year's consultation plan may grow.

Every key has a default from the source documents: at most 10 key topics a year, and "6+X",
six plan consultations a year plus extra ones held by sectors and committees. A year without
the section plans under those numbers.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class PlanRules(BaseModel):
    """The limits of one year's consultation plan and of residents' suggestions."""

    model_config = ConfigDict(frozen=True)

    max_key_topics: int = Field(default=10, ge=0, le=100)
    # The "6" of "6+X": the plan's own consultations.
    plan_consultations: int = Field(default=6, ge=0, le=100)
    # The "X": extra consultations by sectors and committees.
    max_extra: int = Field(default=6, ge=0, le=100)
    # Planned consultations one month may hold, whatever their slot.
    max_per_month: int = Field(default=2, ge=1, le=100)
    # The forms a planned topic may take (consultation kinds); empty: the pipeline's kinds.
    forms: tuple[str, ...] = ()
    # Topics one resident may suggest in a day (a flood guard).
    resident_daily_suggestions: int = Field(default=3, ge=1, le=100)

    def allowed_forms(self, consultation_kinds: tuple[str, ...]) -> tuple[str, ...]:
        """The forms to offer: this section's list, else every consultation kind."""
        return self.forms or consultation_kinds
