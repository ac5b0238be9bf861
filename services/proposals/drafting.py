"""A member writing a proposal: the draft, its items, co-signers and files; submitting it.

A draft is its author's alone: nobody else sees it, co-signers included. Saving replaces the
draft's items, co-signers and files with what was given, so the chat's form is the one
source of the draft's content. Sending it is :mod:`services.proposals.submission`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, func, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.audit import Actor
from services.clock import local_date
from services.errors import DomainError, NotFoundError
from storage.db import write_transaction
from storage.enums import CosignerState, MemberStatus, ProposalState
from storage.models import Member, Proposal, ProposalCosigner, ProposalFile, Sector, Suggestion

TITLE_MAX = 200
SITUATION_MAX = 4000
SUGGESTION_MAX = 1000
SUGGESTIONS_MAX = 20
COSIGNERS_MAX = 30
FILES_MAX = 10
FILE_BYTES_MAX = 20 * 1024 * 1024
FILE_KINDS = ("photo", "document")

# "1." "2、" "(3)" "（4）" "5)" "一、": how members number their suggestions in one message.


@dataclass(frozen=True)
class AttachedFile:
    """A photo or document as the channel handed it over."""

    kind: str
    channel: str
    file_id: str
    file_unique_id: str = ""
    file_name: str | None = None
    mime_type: str | None = None
    file_size: int | None = None


@dataclass(frozen=True)
class DraftInput:
    """What the member has written so far; ``sector_id`` when writing in a sector's name."""

    title: str
    situation: str = ""
    suggestions: tuple[str, ...] = ()
    cosigner_ids: tuple[int, ...] = ()
    files: tuple[AttachedFile, ...] = ()
    sector_id: int | None = None


def member_actor(member_id: int) -> Actor:
    """A member acting in their own chat."""
    return Actor("member", member_id)


def check_draft(draft: DraftInput, *, submitting: bool) -> None:
    """Refuse what no draft may hold; on submitting, also what a proposal must have."""
    if not draft.title.strip():
        raise DomainError("proposal_title_missing")
    if len(draft.title.strip()) > TITLE_MAX:
        raise DomainError("proposal_title_length", maximum=TITLE_MAX)
    if len(draft.situation) > SITUATION_MAX:
        raise DomainError("proposal_situation_length", maximum=SITUATION_MAX)
    if len(draft.suggestions) > SUGGESTIONS_MAX:
        raise DomainError("proposal_suggestions_many", maximum=SUGGESTIONS_MAX)
    for position, text in enumerate(draft.suggestions, start=1):
        if not text.strip() or len(text) > SUGGESTION_MAX:
            raise DomainError(
                "proposal_suggestion_length", position=position, maximum=SUGGESTION_MAX
            )
    if len(set(draft.cosigner_ids)) > COSIGNERS_MAX:
        raise DomainError("proposal_cosigners_many", maximum=COSIGNERS_MAX)
    check_files(draft.files)
    if submitting and not draft.situation.strip():
        raise DomainError("proposal_situation_missing")
    if submitting and not draft.suggestions:
        raise DomainError("proposal_suggestions_missing")


def check_files(files: tuple[AttachedFile, ...]) -> None:
    """Refuse too many files, a kind other than photo or document, or one too large."""
    if len(files) > FILES_MAX:
        raise DomainError("proposal_files_many", maximum=FILES_MAX)
    for attached in files:
        if attached.kind not in FILE_KINDS:
            raise DomainError("proposal_file_kind")
        if (attached.file_size or 0) > FILE_BYTES_MAX:
            raise DomainError("proposal_file_size", maximum=FILE_BYTES_MAX // (1024 * 1024))


async def convenor_sectors(session: AsyncSession, *, member_id: int) -> list[Sector]:
    """The sectors this member may write for (as their convenor)."""
    rows = await session.execute(
        select(Sector)
        .where(col(Sector.convenor_member_id) == member_id)
        .order_by(col(Sector.sort_order), col(Sector.id))
    )
    return list(rows.scalars())


async def find_members(
    session: AsyncSession, *, text: str, exclude: tuple[int, ...] = (), limit: int = 8
) -> list[Member]:
    """Serving members whose name contains ``text`` (or whose code it is), by name."""
    needle = text.strip()
    if not needle:
        return []
    pattern = "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    rows = await session.execute(
        select(Member)
        .where(
            col(Member.status) == MemberStatus.ACTIVE,
            or_(col(Member.name).ilike(pattern, escape="\\"), col(Member.code) == needle),
            col(Member.id).not_in(list(exclude)),
        )
        .order_by(col(Member.name), col(Member.id))
        .limit(limit)
    )
    return list(rows.scalars())


async def own_draft(session: AsyncSession, *, member_id: int, proposal_id: int) -> Proposal:
    """The member's own draft; anything else is not found, a proposal sent is not a draft."""
    proposal = await session.get(Proposal, proposal_id)
    if proposal is None or proposal.author_member_id != member_id:
        raise NotFoundError("proposal")
    if proposal.state != ProposalState.DRAFT:
        raise DomainError("proposal_not_draft")
    return proposal


async def _check_people(
    session: AsyncSession, *, member_id: int, draft: DraftInput
) -> tuple[int, ...]:
    cosigners = tuple(dict.fromkeys(draft.cosigner_ids))
    if member_id in cosigners:
        raise DomainError("proposal_cosigner_self")
    if cosigners:
        known = await session.scalar(
            select(func.count())
            .select_from(Member)
            .where(col(Member.id).in_(cosigners), col(Member.status) == MemberStatus.ACTIVE)
        )
        if known != len(cosigners):
            raise DomainError("proposal_cosigner_unknown")
    if draft.sector_id is not None and draft.sector_id not in {
        sector.id for sector in await convenor_sectors(session, member_id=member_id)
    }:
        raise DomainError("proposal_sector_not_convenor")
    return cosigners


async def save_draft(
    session: AsyncSession,
    *,
    member_id: int,
    draft: DraftInput,
    now: dt.datetime,
    tz: dt.tzinfo,
    proposal_id: int | None = None,
) -> Proposal:
    """Create the member's draft, or replace the content of their draft ``proposal_id``."""
    check_draft(draft, submitting=False)
    async with write_transaction(session):
        cosigners = await _check_people(session, member_id=member_id, draft=draft)
        if proposal_id is None:
            proposal = Proposal(
                year=local_date(now, tz).year,
                title="",
                state=ProposalState.DRAFT,
                source="chat",
                author_member_id=member_id,
                created_at=now,
                updated_at=now,
            )
            session.add(proposal)
        else:
            proposal = await own_draft(session, member_id=member_id, proposal_id=proposal_id)
        proposal.title = draft.title.strip()
        proposal.situation = draft.situation.strip()
        proposal.sector_id = draft.sector_id
        proposal.member_id = None if draft.sector_id is not None else member_id
        proposal.updated_at = now
        await session.flush()
        await _replace_content(session, proposal, draft, cosigners, now)
    return proposal


async def _replace_content(
    session: AsyncSession,
    proposal: Proposal,
    draft: DraftInput,
    cosigners: tuple[int, ...],
    now: dt.datetime,
) -> None:
    proposal_id = proposal.id
    assert proposal_id is not None
    for table in (Suggestion, ProposalCosigner, ProposalFile):
        await session.execute(delete(table).where(col(table.proposal_id) == proposal_id))
    if draft.suggestions:
        await session.execute(
            insert(Suggestion),
            [
                {"proposal_id": proposal_id, "position": n, "text": text.strip(), "stage_at": now}
                for n, text in enumerate(draft.suggestions, start=1)
            ],
        )
    session.add_all(
        ProposalCosigner(proposal_id=proposal_id, member_id=m, state=CosignerState.INVITED)
        for m in cosigners
    )
    session.add_all(
        ProposalFile(proposal_id=proposal_id, position=n, **vars(attached))
        for n, attached in enumerate(draft.files, start=1)
    )
    await session.flush()


async def stored_draft(session: AsyncSession, proposal: Proposal) -> DraftInput:
    """A stored draft as the form holds it, to go on writing."""
    suggestions = await session.execute(
        select(col(Suggestion.text))
        .where(col(Suggestion.proposal_id) == proposal.id)
        .order_by(col(Suggestion.position))
    )
    cosigners = await session.execute(
        select(col(ProposalCosigner.member_id)).where(
            col(ProposalCosigner.proposal_id) == proposal.id
        )
    )
    files = await session.execute(
        select(ProposalFile)
        .where(col(ProposalFile.proposal_id) == proposal.id)
        .order_by(col(ProposalFile.position))
    )
    return DraftInput(
        title=proposal.title,
        situation=proposal.situation,
        suggestions=tuple(suggestions.scalars()),
        cosigner_ids=tuple(sorted(cosigners.scalars())),
        files=tuple(
            AttachedFile(
                kind=f.kind,
                channel=f.channel,
                file_id=f.file_id,
                file_unique_id=f.file_unique_id,
                file_name=f.file_name,
                mime_type=f.mime_type,
                file_size=f.file_size,
            )
            for f in files.scalars()
        ),
        sector_id=proposal.sector_id,
    )


async def delete_draft(session: AsyncSession, *, member_id: int, proposal_id: int) -> None:
    """Delete the member's draft with everything in it."""
    async with write_transaction(session):
        proposal = await own_draft(session, member_id=member_id, proposal_id=proposal_id)
        for table in (Suggestion, ProposalCosigner, ProposalFile):
            await session.execute(delete(table).where(col(table.proposal_id) == proposal_id))
        await session.delete(proposal)
        await session.flush()
