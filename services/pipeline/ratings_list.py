"""The satisfaction list (满意清单): every rating of handling given in a period.

The members' ratings of their proposals, residents' ratings of the suggestions their cases
fed, look-back ratings; each with the subject's final satisfaction, the rater's latest word
(a proposal's own ``satisfaction`` for its member). Quality evaluations rate one
department's handling and are left to their own table.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.pipeline.lists import origin_number, origin_title, with_origin
from services.reports.cases import Period
from storage.enums import RatingPurpose
from storage.models import Outcome, PipelineRating, Proposal, Suggestion

# Ratings of one department's handling, listed in the quality table, not here.
QUALITY_PURPOSE = RatingPurpose.QUALITY
# The purpose of a member's own rating of their proposal's handling.
MEMBER_PURPOSE = RatingPurpose.HANDLING


@dataclass(frozen=True, slots=True)
class RatingRow:
    """A rating given in the period; ``position`` is None when a whole proposal was rated."""

    number: str
    title: str
    position: int | None
    purpose: str
    rater_kind: str
    value: str
    reason: str | None
    rated_at: dt.datetime
    final: str | None


def _subject_id(subject: str, kind: str) -> int | None:
    prefix, _sep, value = subject.partition(":")
    return int(value) if prefix == kind and value.isdigit() else None


async def satisfaction_list(
    session: AsyncSession, *, period: Period, tz: dt.tzinfo
) -> list[RatingRow]:
    """Every rating of handling given in ``period``, oldest first, with the final satisfaction.

    A member's rating of a proposal is the proposal's own ``satisfaction``; when a rating row
    records it too, the row is listed and the proposal's field is its final value.
    """
    start, end = period.bounds(tz)
    ratings = list(
        (
            await session.execute(
                select(PipelineRating).where(
                    col(PipelineRating.created_at) >= start,
                    col(PipelineRating.created_at) < end,
                    col(PipelineRating.purpose) != QUALITY_PURPOSE,
                )
            )
        ).scalars()
    )
    proposal_ids = {i for r in ratings if (i := _subject_id(r.subject, "proposal")) is not None}
    suggestion_ids = {i for r in ratings if (i := _subject_id(r.subject, "suggestion")) is not None}
    outcome_ids = {i for r in ratings if (i := _subject_id(r.subject, "outcome")) is not None}
    outcomes: dict[int, tuple[str, str, int | None]] = {}
    if outcome_ids:
        found = await session.execute(
            select(col(Outcome.id), col(Outcome.number), col(Outcome.title)).where(
                col(Outcome.id).in_(outcome_ids)
            )
        )
        outcomes = {oid or 0: (number, title, None) for oid, number, title in found}
    rated_proposals = select(Proposal).where(
        or_(
            col(Proposal.id).in_(proposal_ids),
            and_(
                col(Proposal.rated_at) >= start,
                col(Proposal.rated_at) < end,
                col(Proposal.satisfaction).is_not(None),
            ),
        )
    )
    proposals = {p.id: p for p in (await session.execute(rated_proposals)).scalars()}
    suggestions: dict[int, tuple[str, str, int]] = {}
    if suggestion_ids:
        query = with_origin(
            select(col(Suggestion.id), origin_number(), origin_title(), col(Suggestion.position))
        ).where(col(Suggestion.id).in_(suggestion_ids))
        suggestions = {sid: (n, t, p) for sid, n, t, p in await session.execute(query)}
    # A rater's final word on a subject is their latest rating of it (a second round's).
    latest: dict[tuple[str, str, str, int], str] = {}
    for rating in sorted(ratings, key=lambda r: (r.created_at, r.round, r.id or 0)):
        latest[(rating.subject, rating.purpose, rating.rater_kind, rating.rater_id)] = rating.value
    listed: list[RatingRow] = []
    member_rows: set[int] = set()
    for rating in ratings:
        if (pid := _subject_id(rating.subject, "proposal")) is not None and pid in proposals:
            proposal = proposals[pid]
            member_rows.add(pid)
            final = proposal.satisfaction if rating.purpose == MEMBER_PURPOSE else None
            head: tuple[str, str, int | None] = (proposal.number or "", proposal.title, None)
        elif (sid := _subject_id(rating.subject, "suggestion")) is not None and sid in suggestions:
            head = suggestions[sid]
            final = None
        elif (oid := _subject_id(rating.subject, "outcome")) is not None and oid in outcomes:
            head = outcomes[oid]
            final = None
        else:
            continue
        listed.append(
            RatingRow(
                *head,
                purpose=rating.purpose,
                rater_kind=rating.rater_kind,
                value=rating.value,
                reason=rating.reason,
                rated_at=rating.created_at,
                final=final
                or latest[(rating.subject, rating.purpose, rating.rater_kind, rating.rater_id)],
            )
        )
    for proposal in proposals.values():
        if proposal.id in member_rows or proposal.satisfaction is None:
            continue
        if proposal.rated_at is None or not start <= proposal.rated_at < end:
            continue
        listed.append(
            RatingRow(
                proposal.number or "",
                proposal.title,
                None,
                purpose=MEMBER_PURPOSE,
                rater_kind="member",
                value=proposal.satisfaction,
                reason=proposal.satisfaction_note,
                rated_at=proposal.rated_at,
                final=proposal.satisfaction,
            )
        )
    listed.sort(key=lambda r: (r.rated_at, r.number, r.position or 0))
    return listed
