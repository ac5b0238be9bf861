"""Importing proposals from a sheet, all rows or none, idempotent by (year, number).

Columns: ``year``, ``number`` (``2026-T-0042``), ``title``, ``submitted_on``,
``member_code`` or ``sector_code``, ``cosigners`` (member codes separated by commas or 、),
and optionally ``rating`` and ``suggestions`` (the items, one a line or separated by "；").
A proposal already registered is updated when the row says something else, and left alone
when it says the same; its items are replaced only while no department has them.
"""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import delete, exists, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.accounts.scope import StaffScope
from services.assessment.admin import require_admin
from services.assessment.entry_errors import refusal_text
from services.assessment.entry_import import parse_day, subject_codes
from services.assessment.ledger import check_open, refresh_source
from services.audit import Actor
from services.errors import DomainError
from services.members.roster import ImportReport
from services.members.rules import RuleBook
from services.proposals.paper import add_suggestions, check_suggestions, split_suggestions
from services.proposals.records import ProposalDraft, check_proposal, save_proposal
from storage.db import write_transaction
from storage.models import Handling, Proposal, Suggestion

REQUIRED = ("year", "number", "title", "submitted_on")
SEPARATORS = re.compile(r"[,，、;；\s]+")


def _draft(row: dict[str, str], members: dict[str, int], sectors: dict[str, int]) -> ProposalDraft:
    try:
        year = int(row.get("year", ""))
    except ValueError:
        raise DomainError("proposal_number", value=row.get("number", ""), year="YYYY") from None
    member_code, sector_code = row.get("member_code", ""), row.get("sector_code", "")
    for code in (member_code, *SEPARATORS.split(row.get("cosigners", ""))):
        if code and code not in members:
            raise DomainError("unknown_member", value=code)
    if sector_code and sector_code not in sectors:
        raise DomainError("unknown_sector", value=sector_code)
    rating = row.get("rating", "").strip().lower()
    draft = ProposalDraft(
        year=year,
        number=row.get("number", "").strip(),
        title=row.get("title", ""),
        submitted_on=parse_day(row.get("submitted_on", "")),
        member_id=members[member_code] if member_code else None,
        sector_id=sectors[sector_code] if sector_code else None,
        cosigner_ids=tuple(
            members[code] for code in SEPARATORS.split(row.get("cosigners", "")) if code
        ),
        # An empty rating column leaves a rating given since (by `rate`) alone.
        rating=("" if rating == "none" else rating) or None,
    )
    if draft.member_id is not None and draft.member_id in draft.cosigner_ids:
        raise DomainError("proposal_cosigner_lead", value=member_code)
    check_proposal(draft)
    return draft


def _items(row: dict[str, str]) -> list[str] | None:
    """The row's items; None when the column is absent or empty (the items are left alone)."""
    text = row.get("suggestions", "")
    if not text.strip():
        return None
    return check_suggestions(split_suggestions(text))


async def _replace_items(
    session: AsyncSession, proposal: Proposal, items: list[str], now: dt.datetime
) -> bool:
    """Put the row's items on the proposal; False when they are the same already."""
    assert proposal.id is not None
    current = list(
        (
            await session.execute(
                select(col(Suggestion.text))
                .where(col(Suggestion.proposal_id) == proposal.id)
                .order_by(col(Suggestion.position))
            )
        ).scalars()
    )
    if current == items:
        return False
    handled = await session.scalar(
        select(
            exists().where(
                col(Handling.suggestion_id) == col(Suggestion.id),
                col(Suggestion.proposal_id) == proposal.id,
            )
        )
    )
    if handled:
        raise DomainError("proposal_items_handled", number=proposal.number or "")
    await session.execute(delete(Suggestion).where(col(Suggestion.proposal_id) == proposal.id))
    await add_suggestions(session, proposal_id=proposal.id, items=items, now=now)
    return True


async def import_proposals(
    session: AsyncSession,
    rows: list[dict[str, str]],
    *,
    actor: Actor,
    now: dt.datetime,
    rulebook: RuleBook,
    tz: dt.tzinfo,
    scope: StaffScope | None = None,
    dry_run: bool = False,
) -> ImportReport:
    """Check every row, then create or update the proposals at once; nothing if a row is bad."""
    require_admin(actor, scope)
    report = ImportReport()
    if rows and (missing := [name for name in REQUIRED if name not in rows[0]]):
        refused = DomainError("columns_missing", columns=", ".join(missing))
        report.errors.append((1, refusal_text(refused)))
        return report
    members, sectors = await subject_codes(session)
    drafts: list[ProposalDraft] = []
    items: list[list[str] | None] = []
    lines: list[int] = []
    seen: set[tuple[int, str]] = set()
    for number, row in enumerate(rows, start=2):
        if not any(row.values()):
            continue
        try:
            draft = _draft(row, members, sectors)
            if (draft.year, draft.number) in seen:
                raise DomainError("proposal_number_twice", number=draft.number)
            seen.add((draft.year, draft.number))
            items.append(_items(row))
            lines.append(number)
            drafts.append(draft)
        except DomainError as error:
            report.errors.append((number, refusal_text(error)))
    if report.errors or not drafts:
        return report
    async with write_transaction(session):
        try:
            await check_open(session, years={draft.year for draft in drafts})
        except DomainError as error:
            report.errors.append((0, refusal_text(error)))
            return report
        for line, draft, wanted_items in zip(lines, drafts, items, strict=True):
            proposal, outcome = await save_proposal(session, draft, actor=actor, now=now)
            if wanted_items is not None:
                try:
                    replaced = await _replace_items(session, proposal, wanted_items, now)
                except DomainError as error:
                    report.errors.append((line, refusal_text(error)))
                    break
                if replaced and outcome == "unchanged":
                    outcome = "updated"
            setattr(report, outcome, getattr(report, outcome) + 1)
            if outcome != "unchanged":
                assert proposal.id is not None
                await refresh_source(
                    session,
                    source_kind="proposal",
                    source_id=proposal.id,
                    year=proposal.year,
                    rules=rulebook.for_year(proposal.year),
                    tz=tz,
                    now=now,
                )
        if report.errors:
            report.created = report.updated = report.unchanged = 0
            await session.rollback()
        elif dry_run:
            # Everything was checked against the database; leave it as it was.
            await session.rollback()
    return report
