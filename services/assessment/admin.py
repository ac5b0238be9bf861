"""Who may act on the assessment, and in which state of the year.

Closing, deciding, publishing and recording a member's conduct are the administrators' work:
station staff see only their stations' cases and never members' figures. The command line's
operator holds the database itself and acts as ``Actor.cli()`` without a scope.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.accounts.scope import StaffScope
from services.assessment.standings import CLOSED, OPEN, PUBLISHED, year_row
from services.audit import Actor
from services.errors import DomainError
from storage.models import AssessmentYear


def require_admin(actor: Actor, scope: StaffScope | None) -> None:
    """Refuse a staff actor who is not an administrator (or whose scope is not given)."""
    if actor.kind == "staff" and (scope is None or not scope.admin):
        raise DomainError("out_of_scope")


async def closed_year(session: AsyncSession, year: int) -> AssessmentYear:
    """The year's row when it is closed and not yet published; refused otherwise."""
    known = await year_row(session, year)
    if known is None or known.state == OPEN:
        raise DomainError("year_not_closed", year=year)
    if known.state == PUBLISHED:
        raise DomainError("year_published", year=year)
    assert known.state == CLOSED
    return known
