"""The member's rating of a proposal's handling: closing it, or one more round, then closing."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from services.accounts.identities import touch_identity
from services.audit import list_entries
from services.errors import DomainError, NotFoundError
from services.members.rules import RuleBook
from services.proposals.member_views import drawn_version, get_member_proposal
from services.proposals.satisfaction import rate_handling
from storage.db import Database, write_transaction
from storage.enums import ProposalState
from storage.models import DepartmentBinding, Handling, PipelineRating, Proposal
from tests.support.members import NOW
from tests.support.notices import message_of, notifier, outbox
from tests.support.proposals import answered, member_id, written

BOOK = RuleBook()


async def rate(db: Database, who: int, proposal_id: int, value: str, reason: str | None = None,
               drawn: str | None = None) -> Proposal:  # fmt: skip
    async with db.session() as session:
        proposal = await session.get(Proposal, proposal_id)
        assert proposal is not None
        return await rate_handling(
            session, member_id=who, proposal_id=proposal_id, value=value, reason=reason,
            drawn=drawn or drawn_version(proposal), notifier=notifier(), now=NOW, rulebook=BOOK,
        )  # fmt: skip


async def test_satisfied_closes_and_is_kept(roster: Database) -> None:
    author = await member_id(roster, "M001")
    proposal_id = await written(roster)
    await answered(roster, proposal_id)
    async with roster.session() as session:
        view = await get_member_proposal(session, member_id=author, proposal_id=proposal_id)
        assert view is not None and view.rateable
        assert [len(item.answers) for item in view.items] == [2, 2, 2]
    proposal = await rate(roster, author, proposal_id, "basic")
    assert (proposal.state, proposal.satisfaction, proposal.rated_at) == ("closed", "basic", NOW)
    async with roster.session() as session:
        [rating] = (await session.execute(select(PipelineRating))).scalars().all()
        assert (rating.subject, rating.purpose, rating.round, rating.rater_kind, rating.value) == (
            f"proposal:{proposal_id}",
            "handling",
            1,
            "member",
            "basic",
        )
        assert len(await list_entries(session, action="proposal.satisfaction")) == 1
    [told] = await outbox(roster, "proposal-rated")
    assert told.chat_id == 99 and "basically satisfied" in message_of(told).text


async def test_unsatisfied_sends_it_back_once_then_closes(roster: Database) -> None:
    author = await member_id(roster, "M001")
    proposal_id = await written(roster)
    lead, co = await answered(roster, proposal_id)
    async with roster.session() as session:
        chat = await touch_identity(
            session, channel="telegram", chat_id=501, chat_type="private", now=NOW
        )
        async with write_transaction(session):
            session.add(
                DepartmentBinding(
                    department_id=co, channel="telegram", identity_id=chat.id or 0, bound_at=NOW
                )
            )
    with pytest.raises(DomainError, match="proposal_reason_missing"):
        await rate(roster, author, proposal_id, "unsatisfied", "  ")
    proposal = await rate(roster, author, proposal_id, "unsatisfied", "没有时间表")
    assert (proposal.state, proposal.handling_round) == (ProposalState.REHANDLING, 2)
    assert proposal.due_at == NOW + dt.timedelta(days=BOOK.for_year(2026).pipeline.rehandle_days)
    async with roster.session() as session:
        second = (
            (await session.execute(select(Handling).where(Handling.round == 2))).scalars().all()
        )
        assert len(second) == 6 and {h.department_id for h in second if h.lead} == {lead}
        assert {h.due_at for h in second} == {proposal.due_at}
    [back] = await outbox(roster, "proposal-rehandling")
    assert back.chat_id == 501 and "hd:open:p:" in message_of(back).buttons[0][0]["callback_data"]
    # The departments answer the second round; not satisfied again closes it.
    async with roster.session() as session, write_transaction(session):
        stored = await session.get(Proposal, proposal_id)
        assert stored is not None
        stored.state = ProposalState.ANSWERED
    proposal = await rate(roster, author, proposal_id, "unsatisfied", "仍未解决")
    assert (proposal.state, proposal.handling_round, proposal.satisfaction) == (
        "closed",
        2,
        "unsatisfied",
    )
    async with roster.session() as session:
        rounds = (
            (await session.execute(select(PipelineRating.round).order_by(PipelineRating.round)))
            .scalars()
            .all()
        )
        assert list(rounds) == [1, 2]
    assert len(await outbox(roster, "proposal-rehandling")) == 1
    assert len(await outbox(roster, "proposal-rated")) == 2


async def test_only_the_member_rates_an_answered_card_as_drawn(roster: Database) -> None:
    author, second = await member_id(roster, "M001"), await member_id(roster, "M002")
    proposal_id = await written(roster, cosigners=("M002",))
    with pytest.raises(DomainError, match="proposal_not_answered"):
        await rate(roster, author, proposal_id, "satisfied")
    await answered(roster, proposal_id)
    with pytest.raises(NotFoundError):
        await rate(roster, second, proposal_id, "satisfied")
    with pytest.raises(DomainError, match="proposal_stale"):
        await rate(roster, author, proposal_id, "satisfied", drawn="submitted-0")
    with pytest.raises(DomainError, match="proposal_satisfaction_value"):
        await rate(roster, author, proposal_id, "great")
    await rate(roster, author, proposal_id, "satisfied")
    with pytest.raises(DomainError, match="proposal_stale"):
        await rate(roster, author, proposal_id, "satisfied", drawn="answered-1")
