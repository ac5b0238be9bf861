"""Sending a proposal to the office, and taking it back before it is registered.

Submitting invites the co-signers (each confirms in their own chat) and tells the
administrators, in the transaction of the change. A submitted proposal may be withdrawn by its
author until the office registers it: it is a draft again (``withdrawn_at`` says it was), to be
changed and sent again, and its co-signers are asked afresh then.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.accounts.staff import staff_recipients
from services.clock import local_date
from services.errors import DomainError, NotFoundError
from services.meetings.invitations import member_chats
from services.outbox.notices import Notifier
from services.outbox.queue import Recipient, add
from services.pipeline.timeline import add_line
from services.proposals.drafting import check_draft, member_actor, own_draft, stored_draft
from storage.db import write_transaction
from storage.enums import CosignerState, ProposalState
from storage.models import Member, Proposal, ProposalCosigner


async def submit_proposal(
    session: AsyncSession,
    *,
    member_id: int,
    proposal_id: int,
    notifier: Notifier,
    now: dt.datetime,
    tz: dt.tzinfo,
) -> Proposal:
    """Send the member's draft to the office: co-signers invited, administrators told."""
    async with write_transaction(session):
        proposal = await own_draft(session, member_id=member_id, proposal_id=proposal_id)
        check_draft(await stored_draft(session, proposal), submitting=True)
        today = local_date(now, tz)
        proposal.state = ProposalState.SUBMITTED
        proposal.submitted_on = today
        proposal.year = today.year
        proposal.updated_at = now
        invited = list(
            (
                await session.execute(
                    select(ProposalCosigner).where(col(ProposalCosigner.proposal_id) == proposal_id)
                )
            ).scalars()
        )
        for row in invited:
            row.state, row.invited_at, row.answered_at = CosignerState.INVITED, now, None
        author = await session.get(Member, member_id)
        chats = await member_chats(session, [row.member_id for row in invited])
        for row in invited:
            for identity in chats[row.member_id]:
                await add(
                    session,
                    to=Recipient.of(identity),
                    message=notifier.render(
                        "proposal-cosign", identity, proposal=proposal, author=author
                    ),
                    dedupe_key=f"proposal:{proposal_id}:cosign:{identity.id}:{now.isoformat()}",
                    now=now,
                    kind="proposal-cosign",
                )
        for _staff, to, identity in await staff_recipients(session):
            await add(
                session,
                to=to,
                message=notifier.render(
                    "proposal-submitted", identity, proposal=proposal, author=author
                ),
                dedupe_key=f"proposal:{proposal_id}:submitted:{identity.id}:{now.isoformat()}",
                now=now,
                kind="proposal-submitted",
            )
        add_line(
            session, kind="submitted", actor=member_actor(member_id), now=now,
            proposal_id=proposal_id, from_stage=ProposalState.DRAFT,
            to_stage=ProposalState.SUBMITTED,
        )  # fmt: skip
        await session.flush()
    return proposal


async def withdraw_proposal(
    session: AsyncSession, *, member_id: int, proposal_id: int, now: dt.datetime
) -> Proposal:
    """Take a submitted proposal back before it is registered; it is a draft again."""
    async with write_transaction(session):
        proposal = await session.get(Proposal, proposal_id)
        if proposal is None or proposal.author_member_id != member_id:
            raise NotFoundError("proposal")
        if proposal.state != ProposalState.SUBMITTED:
            raise DomainError("proposal_not_withdrawable")
        proposal.state = ProposalState.DRAFT
        proposal.withdrawn_at = now
        proposal.updated_at = now
        # Co-signers confirmed the text as it was; they are asked again when it is sent again.
        for row in (
            await session.execute(
                select(ProposalCosigner).where(col(ProposalCosigner.proposal_id) == proposal_id)
            )
        ).scalars():
            row.state, row.invited_at, row.answered_at = CosignerState.INVITED, None, None
        add_line(
            session, kind="withdrawn", actor=member_actor(member_id), now=now,
            proposal_id=proposal_id, from_stage=ProposalState.SUBMITTED,
            to_stage=ProposalState.DRAFT,
        )  # fmt: skip
        await session.flush()
    return proposal
