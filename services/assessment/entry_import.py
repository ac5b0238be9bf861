"""Importing staff entries from a sheet: every row checked first, then all written or none.

Columns: ``member_code`` or ``sector_code``, ``item``, ``level``, ``date``, ``title``,
``evidence``, ``reference``, ``quantity``. A row's key is a fingerprint of what it says (and
how many identical rows came before it in the file), kept in ``import_batch``: importing the
same file again finds every key and adds nothing; an entry removed since is not brought back.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.accounts.scope import StaffScope
from services.assessment.admin import require_admin
from services.assessment.entries import EntryDraft, assessment_of, check_draft, insert_entry
from services.assessment.entry_errors import refusal_text
from services.assessment.ledger import check_open, refresh_years
from services.audit import Actor, audit
from services.errors import DomainError
from services.members.roster import ImportReport
from services.members.rules import RuleBook
from storage.db import write_transaction
from storage.models import AssessmentEntry, Member, Sector

REQUIRED = ("item", "date", "title")
KEY_PREFIX = "row:"


def parse_day(value: str) -> dt.date:
    """``2026-03-15`` (a spreadsheet's ``2026-03-15 00:00:00`` too, or ``2026/3/15``)."""
    text = value.strip().split(" ")[0].replace("/", "-")
    try:
        year, month, day = (int(part) for part in text.split("-"))
        return dt.date(year, month, day)
    except ValueError:
        raise DomainError("entry_date", value=value) from None


def _quantity(value: str) -> int:
    try:
        return int(value or "1")
    except ValueError:
        raise DomainError("entry_quantity", maximum=100) from None


def row_key(row: dict[str, str], occurrence: int) -> str:
    """The stable key of a row: its normalized content and its place among identical rows."""
    fields = ("member_code", "sector_code", "item", "level", "date", "title", "reference")
    text = "\x1f".join(row.get(name, "").strip() for name in fields)
    text += f"\x1f{row.get('quantity', '').strip() or '1'}\x1f{occurrence}"
    return KEY_PREFIX + hashlib.sha256(text.encode()).hexdigest()[:32]


async def subject_codes(session: AsyncSession) -> tuple[dict[str, int], dict[str, int]]:
    """Member ids and sector ids by their codes."""
    members = await session.execute(select(col(Member.code), col(Member.id)))
    sectors = await session.execute(select(col(Sector.code), col(Sector.id)))
    return (
        {code: member_id or 0 for code, member_id in members.all()},
        {code: sector_id or 0 for code, sector_id in sectors.all()},
    )


async def search_members(session: AsyncSession, text: str, limit: int = 10) -> list[Member]:
    """Members by roster code (exactly, any case) or by a part of the name."""
    text = text.strip()
    exact = (
        (await session.execute(select(Member).where(func.upper(col(Member.code)) == text.upper())))
        .scalars()
        .all()
    )
    if exact or not text:
        return list(exact)
    found = await session.execute(
        select(Member)
        .where(col(Member.name).contains(text))
        .order_by(col(Member.code))
        .limit(limit)
    )
    return list(found.scalars())


def _draft(
    row: dict[str, str], members: dict[str, int], sectors: dict[str, int], rulebook: RuleBook
) -> EntryDraft:
    member_code, sector_code = row.get("member_code", ""), row.get("sector_code", "")
    if member_code and member_code not in members:
        raise DomainError("unknown_member", value=member_code)
    if sector_code and sector_code not in sectors:
        raise DomainError("unknown_sector", value=sector_code)
    occurred_on = parse_day(row.get("date", ""))
    draft = EntryDraft(
        year=occurred_on.year,
        item_code=row.get("item", "").upper(),
        level=row.get("level", "").lower(),
        occurred_on=occurred_on,
        title=row.get("title", ""),
        evidence=row.get("evidence", ""),
        reference=row.get("reference", ""),
        quantity=_quantity(row.get("quantity", "")),
        member_id=members[member_code] if member_code else None,
        sector_id=sectors[sector_code] if sector_code else None,
    )
    check_draft(assessment_of(rulebook, draft.year), draft)
    return draft


async def import_entries(
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
    """Check every row, then add the new ones in one transaction, or nothing if one is wrong.

    Rows are numbered as in the sheet (the header is row 1). ``created`` counts the rows
    added (or that would be, with ``dry_run``), ``unchanged`` those imported before.
    """
    require_admin(actor, scope)
    report = ImportReport()
    if rows and (missing := [name for name in REQUIRED if name not in rows[0]]):
        refused = DomainError("columns_missing", columns=", ".join(missing))
        report.errors.append((1, refusal_text(refused)))
        return report
    members, sectors = await subject_codes(session)
    seen: Counter[str] = Counter()
    drafts: list[tuple[str, EntryDraft]] = []
    for number, row in enumerate(rows, start=2):
        if not any(row.values()):
            continue
        fingerprint = row_key(row, 0)
        key = row_key(row, seen[fingerprint])
        seen[fingerprint] += 1
        try:
            drafts.append((key, _draft(row, members, sectors, rulebook)))
        except DomainError as error:
            report.errors.append((number, refusal_text(error)))
    if report.errors:
        return report
    keys = [key for key, _draft_ in drafts]
    async with write_transaction(session):
        known = set(
            (
                await session.execute(
                    select(col(AssessmentEntry.import_batch)).where(
                        col(AssessmentEntry.import_batch).in_(keys)
                    )
                )
            ).scalars()
        )
        fresh = [(key, draft) for key, draft in drafts if key not in known]
        report.unchanged = len(drafts) - len(fresh)
        report.created = len(fresh)
        years = {draft.year for _key, draft in fresh}
        try:
            await check_open(session, years=years)
        except DomainError as error:
            report.errors.append((0, refusal_text(error)))
            report.created = 0
            return report
        if dry_run or not fresh:
            return report
        added = [
            await insert_entry(
                session, draft, actor=actor, channel="import", now=now, import_batch=key
            )
            for key, draft in fresh
        ]
        audit(
            session,
            actor=actor,
            action="assessment.entry.import",
            object_kind="assessment_entry",
            after={"created": len(added), "unchanged": report.unchanged},
            now=now,
        )
        for entry in added:
            assert entry.id is not None
            await refresh_years(
                session,
                source_kind="entry",
                source_id=entry.id,
                years=[entry.year],
                rulebook=rulebook,
                tz=tz,
                now=now,
            )
    return report
