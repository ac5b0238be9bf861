"""The office's review of a submitted proposal: register it (立案) or not, and say why.

Only administrators decide; station staff never see proposals. Registration gives the year's
next ``T`` number, counts the proposal in the ledger and tells the author and the confirmed
co-signers. Not registering needs a reason and may turn the text into a social-conditions
report for the author or a letter to a department; the author is told. A proposal that is no
longer ``submitted`` was decided already, so a second decision (another administrator, a
replayed press) is refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.accounts.scope import StaffScope
from services.assessment.admin import require_admin
from services.audit import Actor, audit
from services.calendar import local_today
from services.errors import DomainError
from services.meetings.invitations import member_chats
from services.members.rules import RuleBook
from services.outbox.notices import Notifier
from services.outbox.queue import Recipient, add
from services.pipeline.numbers import next_number
from services.pipeline.timeline import add_line
from services.proposals.records import refresh_proposal
from storage.db import write_transaction
from storage.enums import CosignerState, ProposalState, ReportState
from storage.models import (
    ConditionsReport,
    Department,
    Proposal,
    ProposalCosigner,
    Suggestion,
)

REASON_MIN, REASON_MAX = 2, 500
CONVERSIONS = ("report", "letter", "")
REPORT_TITLE_MAX = 120
# The review note's last line links what a refused proposal became: ``#report:12``.
LINK_PREFIX = "#"


async def load_for_staff(
    session: AsyncSession, *, proposal_id: int, actor: Actor, scope: StaffScope | None
) -> Proposal:
    """The proposal, for an administrator; drafts are the member's own and never shown."""
    require_admin(actor, scope)
    proposal = await session.get(Proposal, proposal_id, populate_existing=True)
    if proposal is None or proposal.state == ProposalState.DRAFT:
        raise DomainError("proposal_not_found")
    return proposal


def check_expected(proposal: Proposal, expected_state: str | None) -> None:
    """Refuse a press on a card drawn for another state of the proposal."""
    if expected_state is not None and proposal.state != expected_state:
        raise DomainError("proposal_stale", state=proposal.state)


def author_id(proposal: Proposal) -> int | None:
    """The member who wrote it: the lead member, or the sector's convenor."""
    return proposal.author_member_id or proposal.member_id


async def confirmed_cosigners(session: AsyncSession, proposal_id: int) -> list[int]:
    """Members who confirmed their co-signature."""
    rows = await session.execute(
        select(col(ProposalCosigner.member_id)).where(
            col(ProposalCosigner.proposal_id) == proposal_id,
            col(ProposalCosigner.state) == CosignerState.CONFIRMED,
        )
    )
    return sorted(rows.scalars())


async def tell_members(
    session: AsyncSession,
    proposal: Proposal,
    member_ids: Sequence[int],
    *,
    kind: str,
    key: str,
    notifier: Notifier,
    now: dt.datetime,
    **data: Any,
) -> int:
    """Queue a notice about the proposal to each member's chats; ``key`` names the occasion."""
    queued = 0
    chats = await member_chats(session, list(dict.fromkeys(member_ids)))
    for member_id, identities in chats.items():
        for identity in identities:
            queued += await add(
                session,
                to=Recipient.of(identity),
                message=notifier.render(kind, identity, proposal=proposal, **data),
                dedupe_key=f"proposal:{proposal.id}:{key}:{member_id}:{identity.id}",
                now=now,
                kind=kind,
            )
    return queued


def split_review_note(note: str | None) -> tuple[str, str | None, int | None]:
    """The reason, and what the proposal became (``report`` or ``department``) with its id."""
    if not note:
        return "", None, None
    head, _sep, last = note.rpartition("\n")
    if head and last.startswith(LINK_PREFIX) and ":" in last:
        kind, _colon, ident = last[len(LINK_PREFIX) :].partition(":")
        if ident.isdigit():
            return head, kind, int(ident)
    return note, None, None


async def register_proposal(
    session: AsyncSession,
    *,
    proposal_id: int,
    actor: Actor,
    scope: StaffScope | None,
    now: dt.datetime,
    rulebook: RuleBook,
    tz: dt.tzinfo,
    notifier: Notifier,
    expected_state: str | None = None,
) -> Proposal:
    """Register a submitted proposal under the year's next number; author and co-signers told."""
    async with write_transaction(session):
        proposal = await load_for_staff(session, proposal_id=proposal_id, actor=actor, scope=scope)
        check_expected(proposal, expected_state)
        if proposal.state != ProposalState.SUBMITTED:
            raise DomainError("proposal_not_submitted", state=proposal.state)
        assert proposal.id is not None
        proposal.number = await next_number(session, year=proposal.year, series="T")
        proposal.state = ProposalState.REGISTERED
        proposal.reviewed_at = now
        proposal.reviewed_by_staff_id = actor.id if actor.kind == "staff" else None
        proposal.submitted_on = proposal.submitted_on or local_today(now, tz)
        proposal.updated_at = now
        await session.flush()
        add_line(
            session,
            kind="state",
            actor=actor,
            now=now,
            proposal_id=proposal.id,
            from_stage=ProposalState.SUBMITTED,
            to_stage=ProposalState.REGISTERED,
            body=proposal.number,
        )
        audit(
            session,
            actor=actor,
            action="proposal.register",
            object_kind="proposal",
            object_id=proposal.id,
            before={"state": ProposalState.SUBMITTED},
            after={"state": ProposalState.REGISTERED, "number": proposal.number},
            now=now,
        )
        await refresh_proposal(session, proposal, rulebook=rulebook, tz=tz, now=now)
        told = [m for m in [author_id(proposal)] if m is not None]
        told += await confirmed_cosigners(session, proposal.id)
        await tell_members(
            session,
            proposal,
            told,
            kind="proposal-registered",
            key="registered",
            notifier=notifier,
            now=now,
        )
    return proposal


def _report_body(proposal: Proposal, suggestions: Sequence[Suggestion]) -> str:
    items = [f"{index}. {s.text}" for index, s in enumerate(suggestions, start=1)]
    return "\n\n".join(part for part in (proposal.situation.strip(), "\n".join(items)) if part)


async def refuse_proposal(
    session: AsyncSession,
    *,
    proposal_id: int,
    reason: str,
    converted_to: str = "",
    department_id: int | None = None,
    actor: Actor,
    scope: StaffScope | None,
    now: dt.datetime,
    notifier: Notifier,
    expected_state: str | None = None,
) -> Proposal:
    """Do not register: the reason, and the proposal turned into a report, a letter or nothing.

    ``converted_to`` ``report`` files a social-conditions report for the author from the title,
    the situation and the suggestions; ``letter`` needs the active department it is sent to.
    """
    reason = reason.strip()
    if not REASON_MIN <= len(reason) <= REASON_MAX:
        raise DomainError("proposal_reason_length", minimum=REASON_MIN, maximum=REASON_MAX)
    if converted_to not in CONVERSIONS:
        raise DomainError("proposal_conversion")
    async with write_transaction(session):
        proposal = await load_for_staff(session, proposal_id=proposal_id, actor=actor, scope=scope)
        check_expected(proposal, expected_state)
        if proposal.state != ProposalState.SUBMITTED:
            raise DomainError("proposal_not_submitted", state=proposal.state)
        assert proposal.id is not None
        link = ""
        department: Department | None = None
        if converted_to == "letter":
            department = await session.get(Department, department_id) if department_id else None
            if department is None or not department.active:
                raise DomainError("department_unknown")
            link = f"{LINK_PREFIX}department:{department.id}"
        elif converted_to == "report":
            author = author_id(proposal)
            if author is None:
                raise DomainError("proposal_no_author")
            suggestions = (
                await session.execute(
                    select(Suggestion)
                    .where(col(Suggestion.proposal_id) == proposal.id)
                    .order_by(col(Suggestion.position))
                )
            ).scalars()
            report = ConditionsReport(
                member_id=author,
                title=proposal.title.strip()[:REPORT_TITLE_MAX],
                body=_report_body(proposal, list(suggestions)),
                state=ReportState.SUBMITTED,
                submitted_at=now,
            )
            session.add(report)
            await session.flush()
            link = f"{LINK_PREFIX}report:{report.id}"
        proposal.state = ProposalState.NOT_REGISTERED
        proposal.review_note = f"{reason}\n{link}" if link else reason
        proposal.converted_to = converted_to or None
        proposal.reviewed_at = now
        proposal.reviewed_by_staff_id = actor.id if actor.kind == "staff" else None
        proposal.updated_at = now
        add_line(
            session,
            kind="state",
            actor=actor,
            now=now,
            proposal_id=proposal.id,
            from_stage=ProposalState.SUBMITTED,
            to_stage=ProposalState.NOT_REGISTERED,
            body=reason,
        )
        audit(
            session,
            actor=actor,
            action="proposal.refuse",
            object_kind="proposal",
            object_id=proposal.id,
            before={"state": ProposalState.SUBMITTED},
            after={
                "state": ProposalState.NOT_REGISTERED,
                "reason": reason,
                "converted_to": converted_to,
                "link": link,
            },
            now=now,
        )
        author = author_id(proposal)
        if author is not None:
            await tell_members(
                session,
                proposal,
                [author],
                kind="proposal-not-registered",
                key="not-registered",
                notifier=notifier,
                now=now,
                reason=reason,
                department=department,
            )
    return proposal
