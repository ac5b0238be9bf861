"""Who may reach outcomes (administrators only) and loading them fresh for a change."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.accounts.scope import StaffScope
from services.errors import DomainError
from storage.models import Outcome, Suggestion


def require_admin(scope: StaffScope) -> None:
    """Refuse station staff: outcomes are the office's, and reading them is refused alike."""
    if not scope.admin:
        raise DomainError("outcome_unknown")


async def lock_suggestion(session: AsyncSession, suggestion_id: int) -> tuple[Suggestion, Outcome]:
    """An outcome's suggestion and its outcome, fresh (and the suggestion locked on PostgreSQL)."""
    stmt = (
        select(Suggestion)
        .where(col(Suggestion.id) == suggestion_id, col(Suggestion.outcome_id).is_not(None))
        .execution_options(populate_existing=True)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    suggestion = (await session.execute(stmt)).scalar_one_or_none()
    if suggestion is None or suggestion.outcome_id is None:
        raise DomainError("outcome_unknown")
    outcome = await session.get(Outcome, suggestion.outcome_id)
    if outcome is None:  # pragma: no cover - the foreign key cascades
        raise DomainError("outcome_unknown")
    return suggestion, outcome


def suggestion_label(outcome: Outcome, suggestion: Suggestion) -> str:
    """How the audit log names a suggestion: its outcome's number and its position."""
    return f"{outcome.number}#{suggestion.position}"
