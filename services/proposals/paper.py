"""Proposals received on paper: the office types them in, registered at once.

The member (or the sector) signed the paper, so the co-signers are confirmed as entered and
the proposal takes the year's next number straight away, with ``source`` ``paper``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.accounts.scope import StaffScope
from services.assessment.admin import require_admin
from services.assessment.ledger import check_open
from services.audit import Actor, audit
from services.errors import DomainError
from services.members.rules import RuleBook
from services.pipeline.numbers import next_number
from services.pipeline.timeline import add_line
from services.proposals.records import TITLE_MAX, refresh_proposal
from storage.db import write_transaction
from storage.enums import CosignerState, ProposalState
from storage.models import Proposal, ProposalCosigner, Suggestion

SITUATION_MAX = 5000
SUGGESTION_MAX = 2000
SUGGESTIONS_MAX = 30
# Items are written one a line or separated by the full-width semicolon; a leading "1." or
# "（1）" is the writer's numbering, which the position already keeps.
ITEM_SEPARATORS = re.compile(r"[\n；]+")
LEADING_NUMBER = re.compile(r"^\s*(?:\d+\s*[.、．)）]|[（(]\d+[）)])\s*")


def split_suggestions(text: str) -> list[str]:
    """The items of a block of text: one a line or separated by "；", numbering dropped."""
    items = (LEADING_NUMBER.sub("", part).strip() for part in ITEM_SEPARATORS.split(text))
    return [item for item in items if item]


def check_suggestions(items: Sequence[str]) -> list[str]:
    """Refuse no items, too many, or an over-long one; returns them stripped."""
    cleaned = [item.strip() for item in items if item.strip()]
    if not cleaned:
        raise DomainError("proposal_suggestions_missing")
    if len(cleaned) > SUGGESTIONS_MAX:
        raise DomainError("proposal_suggestions_many", maximum=SUGGESTIONS_MAX)
    for position, item in enumerate(cleaned, start=1):
        if len(item) > SUGGESTION_MAX:
            raise DomainError("proposal_suggestion_length", item=position, maximum=SUGGESTION_MAX)
    return cleaned


async def add_suggestions(
    session: AsyncSession, *, proposal_id: int, items: Sequence[str], now: dt.datetime
) -> None:
    """The numbered items of a proposal, in the caller's transaction."""
    rows = [
        {
            "proposal_id": proposal_id,
            "position": position,
            "text": text,
            "stage": "formed",
            "stage_at": now,
        }
        for position, text in enumerate(items, start=1)
    ]
    if rows:
        await session.execute(insert(Suggestion), rows)


async def enter_paper_proposal(
    session: AsyncSession,
    *,
    year: int,
    title: str,
    situation: str,
    suggestions: Sequence[str],
    submitted_on: dt.date,
    member_id: int | None = None,
    sector_id: int | None = None,
    author_member_id: int | None = None,
    cosigner_ids: Sequence[int] = (),
    actor: Actor,
    scope: StaffScope | None,
    now: dt.datetime,
    rulebook: RuleBook,
    tz: dt.tzinfo,
) -> Proposal:
    """Record a paper proposal of a member xor a sector, registered under the next number."""
    require_admin(actor, scope)
    title, situation = title.strip(), situation.strip()
    if (member_id is None) == (sector_id is None):
        raise DomainError("entry_subject")
    if not title:
        raise DomainError("entry_title_missing")
    if len(title) > TITLE_MAX:
        raise DomainError("entry_title_length", maximum=TITLE_MAX)
    if len(situation) > SITUATION_MAX:
        raise DomainError("proposal_situation_length", maximum=SITUATION_MAX)
    items = check_suggestions(suggestions)
    cosigners = sorted(set(cosigner_ids))
    if member_id is not None and member_id in cosigners:
        raise DomainError("proposal_cosigner_lead", value=member_id)
    async with write_transaction(session):
        await check_open(session, years=[year])
        proposal = Proposal(
            year=year,
            number=await next_number(session, year=year, series="T"),
            title=title,
            situation=situation,
            submitted_on=submitted_on,
            state=ProposalState.REGISTERED,
            source="paper",
            member_id=member_id,
            sector_id=sector_id,
            author_member_id=author_member_id or member_id,
            reviewed_at=now,
            reviewed_by_staff_id=actor.id if actor.kind == "staff" else None,
            recorded_by_staff_id=actor.id if actor.kind == "staff" else None,
            created_at=now,
            updated_at=now,
        )
        session.add(proposal)
        await session.flush()
        assert proposal.id is not None
        session.add_all(
            ProposalCosigner(
                proposal_id=proposal.id,
                member_id=member,
                state=CosignerState.CONFIRMED,
                invited_at=now,
                answered_at=now,
            )
            for member in cosigners
        )
        await add_suggestions(session, proposal_id=proposal.id, items=items, now=now)
        await session.flush()
        add_line(
            session,
            kind="state",
            actor=actor,
            now=now,
            proposal_id=proposal.id,
            to_stage=ProposalState.REGISTERED,
            body=proposal.number,
        )
        audit(
            session,
            actor=actor,
            action="proposal.paper",
            object_kind="proposal",
            object_id=proposal.id,
            after={
                "number": proposal.number,
                "title": title,
                "member_id": member_id,
                "sector_id": sector_id,
                "cosigners": cosigners,
                "suggestions": len(items),
            },
            now=now,
        )
        await refresh_proposal(session, proposal, rulebook=rulebook, tz=tz, now=now)
    return proposal
