"""Moves that departments' answers make: an outcome suggestion handled once all answered."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from services.audit import Actor
from services.pipeline.timeline import add_line
from storage.enums import Stage
from storage.models import Suggestion


def mark_handled(
    session: AsyncSession,
    suggestion: Suggestion,
    *,
    adoption: str,
    actor: Actor,
    now: dt.datetime,
) -> None:
    """Move an assigned outcome suggestion to ``handled`` with the lead's adoption.

    The departments' answers make this move, not staff: it is the one stage change the
    stage machine does not offer as a button.
    """
    previous = suggestion.stage
    suggestion.stage = Stage.HANDLED
    suggestion.stage_at = now
    suggestion.adoption = adoption
    add_line(
        session,
        kind="stage",
        actor=actor,
        now=now,
        outcome_id=suggestion.outcome_id,
        suggestion_id=suggestion.id,
        from_stage=previous,
        to_stage=Stage.HANDLED,
    )
