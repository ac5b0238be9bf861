"""The "proposal" duty of the six ones, met by a registered proposal the member leads.

Nothing is logged for it: the registered proposal itself is the proof, like a plenary
check-in. Co-signing does not count, and a sector's proposal counts for nobody.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.members.rules import Rules
from storage.enums import REGISTERED_PROPOSAL_STATES
from storage.models import Proposal

DUTY = "proposal"


async def proposal_six_ones(
    session: AsyncSession,
    *,
    rules: Rules,
    year: int,
    until: dt.date | None = None,
    member_ids: Sequence[int] | None = None,
) -> dict[int, set[int]]:
    """Each member's six ones (positions) met by a registered proposal of ``year``.

    ``until`` leaves out proposals submitted after that day (a past quarter's report).
    """
    slots = [index for index, item in enumerate(rules.six_ones) if item.code == DUTY]
    if not slots:
        return {}
    stmt = (
        select(col(Proposal.member_id))
        .where(
            col(Proposal.member_id).is_not(None),
            col(Proposal.year) == year,
            col(Proposal.withdrawn_at).is_(None),
            col(Proposal.state).in_(REGISTERED_PROPOSAL_STATES),
        )
        .distinct()
    )
    if until is not None:
        stmt = stmt.where(
            or_(col(Proposal.submitted_on).is_(None), col(Proposal.submitted_on) <= until)
        )
    if member_ids is not None:
        stmt = stmt.where(col(Proposal.member_id).in_(list(member_ids)))
    return {member_id or 0: set(slots) for member_id in (await session.execute(stmt)).scalars()}
