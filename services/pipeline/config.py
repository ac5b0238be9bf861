"""The ``[pipeline]`` section of a year's rules: due dates, chasing, look back, submission.

Every key has a default, so a year without the section still runs the pipeline the way the
source documents describe it: proposals answered within three months, a second round of a
month after "not satisfied", chasing every quarter, a look back after six months.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Recipient = Literal["party_committee", "government", "department"]

SUBMIT_TO: dict[str, Recipient] = {
    "plenary": "party_committee",
    "standing": "party_committee",
    "thematic": "government",
    "bimonthly": "government",
    "research": "government",
    "sector": "department",
    "talk-it-over": "department",
    "report": "department",
}


class PipelineRules(BaseModel):
    """How long departments have, how often they are chased, where outcomes go."""

    model_config = ConfigDict(frozen=True)

    proposal_due_days: int = Field(default=90, ge=1, le=366)
    rehandle_days: int = Field(default=30, ge=1, le=366)
    outcome_due_days: int = Field(default=60, ge=1, le=366)
    extension_max_days: int = Field(default=60, ge=1, le=366)
    chase_every_months: int = Field(default=3, ge=1, le=12)
    lookback_months: int = Field(default=6, ge=1, le=36)
    # Where an outcome's suggestions are submitted, by the kind of consultation (a meeting
    # kind, or ``research`` / ``report``); anything unlisted goes to ``default_recipient``.
    submit_to: dict[str, Recipient] = Field(default_factory=lambda: dict(SUBMIT_TO))
    default_recipient: Recipient = "government"
    # Meeting kinds an outcome may be formed from.
    consultation_kinds: tuple[str, ...] = (
        "plenary",
        "standing",
        "thematic",
        "bimonthly",
        "sector",
        "talk-it-over",
    )

    def recipient(self, consultation: str) -> Recipient:
        """Where the suggestions of a consultation of this kind are submitted."""
        return self.submit_to.get(consultation, self.default_recipient)
