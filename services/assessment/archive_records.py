"""The records of a member's archive the office decides on: reports, proposals, entries.

Split from :mod:`services.assessment.archive`; each read takes the member's points per
source record so a row shows what it earned.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.assessment.archive_types import ArchiveEntry, ArchiveProposal, ArchiveReport, Named
from services.assessment.attendance import year_bounds
from services.assessment.standings import YearStandings
from storage.enums import REGISTERED_PROPOSAL_STATES, CosignerState
from storage.models import AssessmentEntry, ConditionsReport, Proposal, ProposalCosigner


async def member_reports(
    session: AsyncSession,
    member_id: int,
    year: int,
    tz: dt.tzinfo,
    points: dict[tuple[str, int], int],
) -> tuple[ArchiveReport, ...]:
    """The year's social-conditions reports and the office's decision on each."""
    start, end = year_bounds(year, tz)
    rows = (
        await session.execute(
            select(ConditionsReport)
            .where(
                col(ConditionsReport.member_id) == member_id,
                col(ConditionsReport.submitted_at) >= start,
                col(ConditionsReport.submitted_at) < end,
            )
            .order_by(col(ConditionsReport.submitted_at))
        )
    ).scalars()
    return tuple(
        ArchiveReport(
            submitted_on=report.submitted_at.astimezone(tz).date(),
            title=report.title,
            state=report.state,
            note=report.staff_note or "",
            points_c=points.get(("report", report.id or 0), 0),
        )
        for report in rows
    )


async def member_proposals(
    session: AsyncSession, member_id: int, year: int, points: dict[tuple[str, int], int]
) -> tuple[ArchiveProposal, ...]:
    """Proposals of the year the member led or co-signed, with their rating."""
    cosigned = select(col(ProposalCosigner.proposal_id)).where(
        col(ProposalCosigner.member_id) == member_id,
        col(ProposalCosigner.state) == CosignerState.CONFIRMED,
    )
    rows = (
        await session.execute(
            select(Proposal)
            .where(
                col(Proposal.year) == year,
                col(Proposal.state).in_(REGISTERED_PROPOSAL_STATES),
                or_(col(Proposal.member_id) == member_id, col(Proposal.id).in_(cosigned)),
            )
            .order_by(col(Proposal.submitted_on), col(Proposal.number))
        )
    ).scalars()
    result = []
    for proposal in rows:
        lead = proposal.member_id == member_id
        source = ("proposal" if lead else "cosign", proposal.id or 0)
        result.append(
            ArchiveProposal(
                number=proposal.number or "",
                title=proposal.title,
                submitted_on=proposal.submitted_on or dt.date(year, 1, 1),
                lead=lead,
                rating=proposal.rating,
                withdrawn=proposal.withdrawn_at is not None,
                points_c=points.get(source, 0),
            )
        )
    return tuple(result)


async def member_entries(
    session: AsyncSession,
    member_id: int,
    year: int,
    standings: YearStandings,
    points: dict[tuple[str, int], int],
) -> tuple[ArchiveEntry, ...]:
    """What the office recorded for the member this year (not removed)."""
    rows = (
        await session.execute(
            select(AssessmentEntry)
            .where(
                col(AssessmentEntry.member_id) == member_id,
                col(AssessmentEntry.year) == year,
                col(AssessmentEntry.deleted_at).is_(None),
            )
            .order_by(col(AssessmentEntry.occurred_on), col(AssessmentEntry.id))
        )
    ).scalars()
    result = []
    for entry in rows:
        item = standings.rules.item(entry.item_code)
        result.append(
            ArchiveEntry(
                occurred_on=entry.occurred_on,
                item=Named(item.code, item.name_zh, item.name_en)
                if item
                else Named(entry.item_code, entry.item_code, entry.item_code),
                quality=item is not None and item.kind == "quality",
                level=entry.level,
                title=entry.title,
                reference=entry.reference,
                points_c=points.get(("entry", entry.id or 0), 0),
            )
        )
    return tuple(result)
