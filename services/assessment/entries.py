"""Staff entries: the quality items and the work done off the bot, each with its evidence.

An entry is added by an administrator (in the chat, from a sheet or at the command line)
and counted in the ledger in the same write transaction, so the member's total is right the
moment the entry is saved. An entry is never erased: removing it stamps ``deleted_at`` and
the ledger forgets it, the audit log keeps both steps.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.accounts.scope import StaffScope
from services.assessment.admin import require_admin
from services.assessment.config import AssessmentRules, Item
from services.assessment.ledger import check_open, refresh_source
from services.audit import Actor, audit
from services.errors import DomainError, NotFoundError
from services.members.rules import RuleBook
from storage.db import write_transaction
from storage.models import AssessmentEntry, AssessmentLine, Member, Sector

CHANNELS = ("chat", "import", "cli", "correction")
TITLE_MAX = 200
EVIDENCE_MAX = 2000
REFERENCE_MAX = 80
QUANTITY_MAX = 100


@dataclass(frozen=True)
class EntryDraft:
    """What an entry says, before it is checked: the fields the chat, a sheet or the CLI fill."""

    year: int
    item_code: str
    level: str
    occurred_on: dt.date
    title: str
    evidence: str = ""
    reference: str = ""
    quantity: int = 1
    member_id: int | None = None
    sector_id: int | None = None
    evidence_file_key: str | None = None


def assessment_of(rulebook: RuleBook, year: int) -> AssessmentRules:
    """The year's ``[assessment]`` section; refused when the year's rules have none."""
    section = rulebook.for_year(year).assessment
    if section is None:
        raise DomainError("no_assessment", year=year)
    return section


def entry_items(section: AssessmentRules, subject: str | None = None) -> list[Item]:
    """The items staff enter (``from = "entry"``): member items, sector items, or both."""
    member = [i for i in section.member_items if i.source.origin == "entry"]
    sector = [i for i in section.sector_items if i.source.origin == "entry"]
    if subject == "member":
        return member
    if subject == "sector":
        return sector
    return member + sector


def check_draft(section: AssessmentRules, draft: EntryDraft) -> Item:
    """Refuse a draft that does not fit the year's rules; return its item.

    Pure (no database): a sheet's rows are all checked before anything is written.
    """
    item = section.item(draft.item_code)
    if item is None:
        raise DomainError("entry_item_unknown", item=draft.item_code)
    if item.source.origin != "entry":
        # Counted from records (meetings, activities, proposals): an entry would double it.
        raise DomainError("entry_item_not_staff", item=draft.item_code)
    is_member_item = item in section.member_items
    if (draft.member_id is None) == (draft.sector_id is None):
        raise DomainError("entry_subject")
    if is_member_item and draft.member_id is None:
        raise DomainError("entry_needs_member", item=item.code)
    if not is_member_item and draft.sector_id is None:
        raise DomainError("entry_needs_sector", item=item.code)
    if item.levels and draft.level not in item.levels:
        raise DomainError("entry_level", item=item.code, levels=", ".join(item.levels))
    if not item.levels and draft.level:
        raise DomainError("entry_no_level", item=item.code)
    if draft.occurred_on.year != draft.year:
        raise DomainError("entry_date_year", year=draft.year)
    if not draft.title.strip():
        raise DomainError("entry_title_missing")
    for value, maximum, code in (
        (draft.title, TITLE_MAX, "entry_title_length"),
        (draft.evidence, EVIDENCE_MAX, "entry_evidence_length"),
        (draft.reference, REFERENCE_MAX, "entry_reference_length"),
    ):
        if len(value) > maximum:
            raise DomainError(code, maximum=maximum)
    if not 1 <= draft.quantity <= QUANTITY_MAX:
        raise DomainError("entry_quantity", maximum=QUANTITY_MAX)
    return item


async def _subject_exists(session: AsyncSession, draft: EntryDraft) -> None:
    if draft.member_id is not None and await session.get(Member, draft.member_id) is None:
        raise NotFoundError("member")
    if draft.sector_id is not None and await session.get(Sector, draft.sector_id) is None:
        raise NotFoundError("sector")


async def insert_entry(
    session: AsyncSession,
    draft: EntryDraft,
    *,
    actor: Actor,
    channel: str,
    now: dt.datetime,
    import_batch: str = "",
) -> AssessmentEntry:
    """Add a checked entry and its audit row to the caller's write transaction (no refresh)."""
    entry = AssessmentEntry(
        year=draft.year,
        item_code=draft.item_code,
        level=draft.level,
        member_id=draft.member_id,
        sector_id=draft.sector_id,
        occurred_on=draft.occurred_on,
        title=draft.title.strip(),
        evidence=draft.evidence.strip(),
        evidence_file_key=draft.evidence_file_key,
        reference=draft.reference.strip(),
        quantity=draft.quantity,
        recorded_by_staff_id=actor.id if actor.kind == "staff" else None,
        channel=channel,
        import_batch=import_batch,
        created_at=now,
    )
    session.add(entry)
    await session.flush()
    audit(
        session,
        actor=actor,
        action="assessment.entry.add",
        object_kind="assessment_entry",
        object_id=entry.id,
        after={
            "year": draft.year,
            "item": draft.item_code,
            "level": draft.level,
            "member_id": draft.member_id,
            "sector_id": draft.sector_id,
            "occurred_on": draft.occurred_on,
            "title": entry.title,
            "reference": entry.reference,
            "quantity": draft.quantity,
            "channel": channel,
            "import_batch": import_batch,
        },
        now=now,
    )
    return entry


async def add_entry(
    session: AsyncSession,
    *,
    year: int,
    item_code: str,
    level: str = "",
    member_id: int | None = None,
    sector_id: int | None = None,
    occurred_on: dt.date,
    title: str,
    evidence: str = "",
    reference: str = "",
    quantity: int = 1,
    evidence_file_key: str | None = None,
    actor: Actor,
    scope: StaffScope | None,
    channel: str,
    now: dt.datetime,
    rulebook: RuleBook,
    tz: dt.tzinfo,
) -> AssessmentEntry:
    """Check, store, audit and count one entry; administrators (or the CLI) only."""
    draft = EntryDraft(
        year=year,
        item_code=item_code,
        level=level,
        occurred_on=occurred_on,
        title=title,
        evidence=evidence,
        reference=reference,
        quantity=quantity,
        member_id=member_id,
        sector_id=sector_id,
        evidence_file_key=evidence_file_key,
    )
    require_admin(actor, scope)
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    section = assessment_of(rulebook, draft.year)
    check_draft(section, draft)
    async with write_transaction(session):
        await check_open(session, years=[draft.year])
        await _subject_exists(session, draft)
        entry = await insert_entry(session, draft, actor=actor, channel=channel, now=now)
        assert entry.id is not None
        await refresh_source(
            session,
            source_kind="entry",
            source_id=entry.id,
            year=draft.year,
            rules=rulebook.for_year(draft.year),
            tz=tz,
            now=now,
        )
    return entry


async def remove_entry(
    session: AsyncSession,
    *,
    entry_id: int,
    actor: Actor,
    scope: StaffScope | None,
    now: dt.datetime,
    rulebook: RuleBook,
    tz: dt.tzinfo,
) -> AssessmentEntry:
    """Soft-delete an entry (its points leave the ledger); audited. Removing twice is refused."""
    require_admin(actor, scope)
    async with write_transaction(session):
        entry = await session.get(AssessmentEntry, entry_id)
        if entry is None or entry.deleted_at is not None:
            raise NotFoundError("entry")
        await check_open(session, years=[entry.year])
        entry.deleted_at = now
        audit(
            session,
            actor=actor,
            action="assessment.entry.remove",
            object_kind="assessment_entry",
            object_id=entry_id,
            before={"item": entry.item_code, "title": entry.title, "year": entry.year},
            now=now,
        )
        await session.flush()
        await refresh_source(
            session,
            source_kind="entry",
            source_id=entry_id,
            year=entry.year,
            rules=rulebook.for_year(entry.year),
            tz=tz,
            now=now,
        )
    return entry


async def item_total_c(
    session: AsyncSession, *, year: int, subject_kind: str, subject_id: int, item: Item
) -> int:
    """A subject's points on one item this year, bounded by the item's cap (hundredths)."""
    total = await session.scalar(
        select(func.coalesce(func.sum(col(AssessmentLine.points_c)), 0)).where(
            col(AssessmentLine.year) == year,
            col(AssessmentLine.subject_kind) == subject_kind,
            col(AssessmentLine.subject_id) == subject_id,
            col(AssessmentLine.item_code) == item.code,
        )
    )
    return item.clamp_c(int(total or 0))
