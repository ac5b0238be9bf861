"""A member's proposal: drafts and their limits, sending, taking back, co-signing, who sees it."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from services.errors import DomainError, NotFoundError
from services.members.rules import RuleBook
from services.pipeline.items import split_numbered
from services.proposals.cosigning import answer_invitation
from services.proposals.drafting import (
    FILE_BYTES_MAX,
    FILES_MAX,
    SUGGESTIONS_MAX,
    AttachedFile,
    DraftInput,
    convenor_sectors,
    find_members,
    save_draft,
    stored_draft,
)
from services.proposals.member_views import get_member_proposal, list_member_proposals
from services.proposals.submission import withdraw_proposal
from storage.db import Database, write_transaction
from storage.models import Member, PipelineEvent, Proposal, ProposalCosigner, Sector, Suggestion
from tests.support.members import NOW, TZ
from tests.support.notices import message_of, notifier, outbox
from tests.support.proposals import member_id, written

BOOK = RuleBook()


def test_numbered_lines_become_items() -> None:
    text = "1. 加装电梯\n2、改造管网\n   并分期实施\n（3）增设停车位"
    assert split_numbered(text) == ["加装电梯", "改造管网\n并分期实施", "增设停车位"]
    assert split_numbered("1. Build more lifts for old blocks.") == [
        "1. Build more lifts for old blocks."
    ]
    assert split_numbered("  ") == []


@pytest.mark.parametrize(
    ("draft", "code"),
    [
        (DraftInput(title=" "), "proposal_title_missing"),
        (DraftInput(title="x" * 201), "proposal_title_length"),
        (DraftInput(title="t", situation="x" * 4001), "proposal_situation_length"),
        (
            DraftInput(title="t", suggestions=("a",) * (SUGGESTIONS_MAX + 1)),
            "proposal_suggestions_many",
        ),
        (DraftInput(title="t", suggestions=("x" * 1001,)), "proposal_suggestion_length"),
        (
            DraftInput(
                title="t", files=(AttachedFile("photo", "telegram", "f"),) * (FILES_MAX + 1)
            ),
            "proposal_files_many",
        ),
        (
            DraftInput(
                title="t",
                files=(AttachedFile("document", "telegram", "f", file_size=FILE_BYTES_MAX + 1),),
            ),
            "proposal_file_size",
        ),
        (
            DraftInput(title="t", files=(AttachedFile("video", "telegram", "f"),)),
            "proposal_file_kind",
        ),
    ],
)
async def test_draft_limits(roster: Database, draft: DraftInput, code: str) -> None:
    author = await member_id(roster, "M001")
    async with roster.session() as session:
        with pytest.raises(DomainError) as refused:
            await save_draft(session, member_id=author, draft=draft, now=NOW, tz=TZ)
    assert refused.value.code == code


async def test_a_draft_is_saved_resumed_and_the_authors_alone(roster: Database) -> None:
    author, other = await member_id(roster, "M001"), await member_id(roster, "M002")
    proposal_id = await written(roster, cosigners=("M002",), submit=False)
    async with roster.session() as session:
        proposal = await session.get(Proposal, proposal_id)
        assert proposal is not None and proposal.state == "draft"
        assert (proposal.member_id, proposal.author_member_id, proposal.year) == (
            author,
            author,
            2026,
        )
        again = await stored_draft(session, proposal)
        assert again.suggestions[0] == "加装电梯" and again.cosigner_ids == (other,)
        items = (
            (await session.execute(select(Suggestion).where(Suggestion.proposal_id == proposal_id)))
            .scalars()
            .all()
        )
        assert [(s.position, s.stage, s.stage_at) for s in items] == [
            (1, "formed", NOW),
            (2, "formed", NOW),
            (3, "formed", NOW),
        ]
        # The invited co-signer does not see a draft; nor can anyone else change it.
        assert await get_member_proposal(session, member_id=other, proposal_id=proposal_id) is None
        with pytest.raises(NotFoundError):
            await save_draft(
                session, member_id=other, draft=DraftInput(title="x"), now=NOW, tz=TZ,
                proposal_id=proposal_id,
            )  # fmt: skip
        changed = DraftInput(title="改后的标题", suggestions=("只一条",))
        await save_draft(
            session, member_id=author, draft=changed, now=NOW, tz=TZ, proposal_id=proposal_id
        )
        fresh = await get_member_proposal(session, member_id=author, proposal_id=proposal_id)
        assert fresh is not None and fresh.proposal.title == "改后的标题"
        assert [item.suggestion.text for item in fresh.items] == ["只一条"] and not fresh.cosigners
    assert not await outbox(roster)


async def test_cosigners_must_be_serving_members_other_than_the_author(roster: Database) -> None:
    author = await member_id(roster, "M001")
    async with roster.session() as session:
        for cosigners, code in (
            ((author,), "proposal_cosigner_self"),
            ((99999,), "proposal_cosigner_unknown"),
        ):
            with pytest.raises(DomainError) as refused:
                await save_draft(
                    session, member_id=author, draft=DraftInput(title="t", cosigner_ids=cosigners),
                    now=NOW, tz=TZ,
                )  # fmt: skip
            assert refused.value.code == code
        found = await find_members(session, text="李", exclude=(author,))
        assert found and all("李" in m.name for m in found)
        assert await find_members(session, text="%") == []


async def test_submit_invites_cosigners_and_tells_the_office(roster: Database) -> None:
    proposal_id = await written(roster, cosigners=("M002", "M003"))
    async with roster.session() as session:
        proposal = await session.get(Proposal, proposal_id)
        assert proposal is not None
        assert (proposal.state, proposal.submitted_on) == ("submitted", dt.date(2026, 11, 20))
        rows = (await session.execute(select(ProposalCosigner))).scalars().all()
        assert {(r.state, r.invited_at) for r in rows} == {("invited", NOW)}
    invitations = await outbox(roster, "proposal-cosign")
    assert sorted(row.chat_id for row in invitations) == [2, 3]
    assert "invites you to co-sign" in message_of(invitations[0]).text
    [staff] = await outbox(roster, "proposal-submitted")
    assert staff.chat_id == 99 and "pp:review:" in message_of(staff).buttons[0][0]["callback_data"]


async def test_submit_needs_the_situation_and_an_item(roster: Database) -> None:
    author = await member_id(roster, "M001")
    async with roster.session() as session:
        draft = await save_draft(
            session, member_id=author, draft=DraftInput(title="t"), now=NOW, tz=TZ
        )
        from services.proposals.submission import submit_proposal

        with pytest.raises(DomainError, match="proposal_situation_missing"):
            await submit_proposal(
                session, member_id=author, proposal_id=draft.id or 0, notifier=notifier(),
                now=NOW, tz=TZ,
            )  # fmt: skip


async def test_withdraw_before_registration_only(roster: Database) -> None:
    author, other = await member_id(roster, "M001"), await member_id(roster, "M002")
    proposal_id = await written(roster, cosigners=("M002",))
    async with roster.session() as session:
        with pytest.raises(NotFoundError):
            await withdraw_proposal(session, member_id=other, proposal_id=proposal_id, now=NOW)
        proposal = await withdraw_proposal(
            session, member_id=author, proposal_id=proposal_id, now=NOW
        )
        assert (proposal.state, proposal.withdrawn_at) == ("draft", NOW)
        # The invitation still in the co-signer's chat is refused now.
        with pytest.raises(DomainError, match="proposal_cosign_closed"):
            await answer_invitation(
                session, member_id=other, proposal_id=proposal_id, confirm=True,
                notifier=notifier(), now=NOW, rulebook=BOOK, tz=TZ,
            )  # fmt: skip
        with pytest.raises(DomainError, match="proposal_not_withdrawable"):
            await withdraw_proposal(session, member_id=author, proposal_id=proposal_id, now=NOW)
        lines = (
            (
                await session.execute(
                    select(PipelineEvent.kind).where(PipelineEvent.proposal_id == proposal_id)
                )
            )
            .scalars()
            .all()
        )
        assert list(lines) == ["submitted", "withdrawn"]


async def test_cosign_answers_and_refusals(roster: Database) -> None:
    second, third = await member_id(roster, "M002"), await member_id(roster, "M003")
    proposal_id = await written(roster, cosigners=("M002", "M003"))
    async with roster.session() as session:

        async def answer(who: int, confirm: bool) -> ProposalCosigner:
            return await answer_invitation(
                session, member_id=who, proposal_id=proposal_id, confirm=confirm,
                notifier=notifier(), now=NOW, rulebook=BOOK, tz=TZ,
            )  # fmt: skip

        assert (await answer(second, True)).state == "confirmed"
        with pytest.raises(DomainError, match="proposal_cosign_answered"):
            await answer(second, False)
        outsider = (
            await session.execute(select(Member.id).where(Member.code == "M004"))
        ).scalar_one()
        with pytest.raises(NotFoundError):
            await answer(outsider, True)
        async with write_transaction(session):
            proposal = await session.get(Proposal, proposal_id)
            assert proposal is not None
            proposal.state = "not_registered"
        with pytest.raises(DomainError, match="proposal_cosign_closed"):
            await answer(third, False)
    [told] = await outbox(roster, "proposal-cosign-answer")
    assert told.chat_id == 1 and "co-signed your proposal" in message_of(told).text


async def test_a_member_sees_own_and_cosigned_proposals_only(roster: Database) -> None:
    author, second, third = [await member_id(roster, c) for c in ("M001", "M002", "M003")]
    mine = await written(roster, cosigners=("M002",))
    draft = await written(roster, submit=False)
    theirs = await written(roster, "M003")
    async with roster.session() as session:
        page = await list_member_proposals(session, member_id=author)
        assert {p.id for p in page.items} == {mine, draft}
        page = await list_member_proposals(session, member_id=second)
        assert [p.id for p in page.items] == [mine]
        view = await get_member_proposal(session, member_id=second, proposal_id=mine)
        assert view is not None and not view.own and not view.rateable
        assert await get_member_proposal(session, member_id=second, proposal_id=theirs) is None
        assert await get_member_proposal(session, member_id=author, proposal_id=99999) is None
        assert (await list_member_proposals(session, member_id=third)).total == 1


async def test_a_convenor_writes_in_the_sectors_name(roster: Database) -> None:
    author, other = await member_id(roster, "M001"), await member_id(roster, "M002")
    async with roster.session() as session:
        sector = (await session.execute(select(Sector).order_by(Sector.id))).scalars().first()
        assert sector is not None and sector.id is not None
        draft = DraftInput(title="界别提案", sector_id=sector.id)
        with pytest.raises(DomainError, match="proposal_sector_not_convenor"):
            await save_draft(session, member_id=author, draft=draft, now=NOW, tz=TZ)
        async with write_transaction(session):
            sector.convenor_member_id = author
        assert [s.id for s in await convenor_sectors(session, member_id=author)] == [sector.id]
        assert await convenor_sectors(session, member_id=other) == []
        proposal = await save_draft(session, member_id=author, draft=draft, now=NOW, tz=TZ)
        assert (proposal.member_id, proposal.sector_id, proposal.author_member_id) == (
            None,
            sector.id,
            author,
        )
