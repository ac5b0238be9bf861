"""Co-signing: an invited member confirms or declines in their own chat; the author is told.

Only a member invited to the proposal answers, once. A proposal taken back by its author (a
draft again) or not registered by the office takes no answers. A confirmation on a
registered proposal counts at once for the co-signer's duty assessment.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from services.assessment.ledger import refresh_source
from services.errors import DomainError, NotFoundError
from services.meetings.invitations import member_chats
from services.members.rules import RuleBook
from services.outbox.notices import Notifier
from services.outbox.queue import Recipient, add
from services.pipeline.timeline import add_line
from services.proposals.drafting import member_actor
from storage.db import write_transaction
from storage.enums import REGISTERED_PROPOSAL_STATES, CosignerState, ProposalState
from storage.models import Member, Proposal, ProposalCosigner


async def answer_invitation(
    session: AsyncSession,
    *,
    member_id: int,
    proposal_id: int,
    confirm: bool,
    notifier: Notifier,
    now: dt.datetime,
    rulebook: RuleBook,
    tz: dt.tzinfo,
) -> ProposalCosigner:
    """Record the invited member's answer and tell the proposal's author."""
    async with write_transaction(session):
        proposal = await session.get(Proposal, proposal_id)
        row = await session.get(ProposalCosigner, (proposal_id, member_id))
        # A draft is its author's alone: an invitation to it is as good as none.
        if proposal is None or row is None or proposal.state == ProposalState.DRAFT:
            if proposal is not None and proposal.withdrawn_at is not None and row is not None:
                raise DomainError("proposal_cosign_closed")
            raise NotFoundError("proposal")
        if proposal.state == ProposalState.NOT_REGISTERED:
            raise DomainError("proposal_cosign_closed")
        if row.state != CosignerState.INVITED:
            raise DomainError("proposal_cosign_answered", state=row.state)
        row.state = CosignerState.CONFIRMED if confirm else CosignerState.DECLINED
        row.answered_at = now
        add_line(
            session,
            kind="cosign" if confirm else "decline",
            actor=member_actor(member_id),
            now=now,
            proposal_id=proposal_id,
        )
        cosigner = await session.get(Member, member_id)
        author_id = proposal.author_member_id or proposal.member_id
        if author_id is not None:
            for identity in (await member_chats(session, [author_id]))[author_id]:
                await add(
                    session,
                    to=Recipient.of(identity),
                    message=notifier.render(
                        "proposal-cosign-answer",
                        identity,
                        proposal=proposal,
                        cosigner=cosigner,
                        confirmed=confirm,
                    ),
                    dedupe_key=f"proposal:{proposal_id}:cosigned:{member_id}:{identity.id}:"
                    f"{now.isoformat()}",
                    now=now,
                    kind="proposal-cosign-answer",
                )
        await session.flush()
        if proposal.state in REGISTERED_PROPOSAL_STATES:
            await refresh_source(
                session,
                source_kind="proposal",
                source_id=proposal_id,
                year=proposal.year,
                rules=rulebook.for_year(proposal.year),
                tz=tz,
                now=now,
            )
    return row
