"""A member writes, saves, resumes and sends a proposal; co-signs; rates; forged presses refused."""

from __future__ import annotations

import pytest
from aiogram.methods import AnswerCallbackQuery
from sqlalchemy import select

from handlers.pipeline_callbacks import ProposalCB
from storage.db import Database, write_transaction
from storage.models import (
    PipelineRating,
    Proposal,
    ProposalCosigner,
    ProposalFile,
    Sector,
    Suggestion,
)
from tests.support.chat import ChatUser, forged
from tests.support.notices import button_data, outbox
from tests.support.proposals import answered, member_id, written

NOT_AVAILABLE = "This proposal is not available."


def alert(sent: list[object]) -> str:
    answers = [r for r in sent if isinstance(r, AnswerCallbackQuery) and r.text]
    assert answers, sent
    return str(answers[-1].text)


async def stored(db: Database) -> Proposal:
    async with db.session() as session:
        return (
            (await session.execute(select(Proposal).order_by(Proposal.id.desc()))).scalars().first()
        )  # type: ignore[union-attr,return-value]


async def test_write_save_resume_and_send(
    member: ChatUser, second_member: ChatUser, roster: Database
) -> None:
    await member.send("📜 Proposals")
    await member.tap("New proposal")
    sent = await member.send("x" * 201)
    assert "too long" in member.texts(sent)[-1]
    await member.send("关于加快老旧小区改造的提案")
    await member.send("老旧小区设施陈旧，<居民>反映强烈。")
    sent = await member.send("1. 加装电梯\n2. 改造雨污管网")
    assert "2 of at most" in member.texts(sent)[-1]
    await member.send("增设停车位")
    await member.tap("Done")
    await member.send("李")
    await member.tap("李文静")
    await member.tap("Done")
    sent = await member.sticker()
    assert "photo or a document" in member.texts(sent)[-1]
    await member.photo("plan-1")
    sent = await member.tap("Done")
    review = member.texts(sent)[-1]
    assert "&lt;居民&gt;" in review and "3. 增设停车位" in review and "李文静" in review
    sent = await member.tap("Save draft")
    assert "Draft saved" in member.texts(sent)[-1]
    draft = await stored(roster)
    assert draft.state == "draft"
    async with roster.session() as session:
        items = await session.scalars(
            select(Suggestion.text)
            .where(Suggestion.proposal_id == draft.id)
            .order_by(Suggestion.position)
        )
        assert list(items) == ["加装电梯", "改造雨污管网", "增设停车位"]
        assert len((await session.execute(select(ProposalFile))).scalars().all()) == 1
    # Later: the list, the draft, go on writing, send.
    await member.send("/proposals")
    await member.tap("关于加快")
    sent = await member.tap("Attachments (1)")
    assert any(getattr(r, "photo", None) == "plan-1" for r in sent)
    await member.tap("Go on writing")
    await member.tap("Title")
    sent = await member.send("关于老旧小区改造的提案")
    assert "关于老旧小区改造的提案" in member.texts(sent)[-1]
    sent = await member.tap("Send")
    assert "was sent to the office" in member.texts(sent)[-1]
    proposal = await stored(roster)
    assert (proposal.id, proposal.state, proposal.title) == (
        draft.id,
        "submitted",
        "关于老旧小区改造的提案",
    )
    # The co-signer confirms from their own chat; the author hears of it.
    [invitation] = await outbox(roster, "proposal-cosign")
    sent = await second_member.press(button_data(invitation, "Co-sign"))
    assert "You co-signed" in second_member.texts(sent)[-1]
    async with roster.session() as session:
        [row] = (await session.execute(select(ProposalCosigner))).scalars().all()
        assert row.state == "confirmed"
    sent = await second_member.press(button_data(invitation, "Decline"))
    assert "answered this invitation already" in alert(sent)
    assert len(await outbox(roster, "proposal-cosign-answer")) == 1
    # The co-signer reads it, but has no buttons to change it.
    sent = await second_member.press(ProposalCB(action="open", id=proposal.id or 0).pack())
    assert "关于老旧小区改造的提案" in second_member.texts(sent)[-1]
    assert not any("Take it back" in text for text, _ in second_member.inline_buttons())


async def test_rate_with_a_reason_then_a_stale_rate_is_refused(
    member: ChatUser, roster: Database
) -> None:
    proposal_id = await written(roster)
    await answered(roster, proposal_id)
    sent = await member.press(ProposalCB(action="rate", id=proposal_id, v="answered-1").pack())
    assert "How satisfied" in member.texts(sent)[-1]
    await member.tap("not satisfied")
    sent = await member.send("没有<时间表>")
    assert "&lt;时间表&gt;" in member.texts(sent)[-1]
    sent = await member.tap("Confirm")
    assert "rating was recorded" in alert(sent)
    proposal = await stored(roster)
    assert (proposal.state, proposal.handling_round, proposal.satisfaction_note) == (
        "rehandling",
        2,
        "没有<时间表>",
    )
    sent = await member.press(ProposalCB(action="rate", id=proposal_id, v="answered-1").pack())
    assert "out of date" in alert(sent)
    assert "being handled again" in member.texts(sent)[-1]
    async with roster.session() as session:
        assert len((await session.execute(select(PipelineRating))).scalars().all()) == 1


@pytest.mark.parametrize("action", ["open", "rate", "cosign", "decline", "edit"])
async def test_forged_proposal_buttons_from_another_members_chat(
    member: ChatUser, second_member: ChatUser, roster: Database, action: str
) -> None:
    draft = await written(roster, submit=False)
    sent_one = await written(roster)
    await answered(roster, sent_one)
    for proposal_id in (draft, sent_one, 99999):
        sent = await second_member.press(
            ProposalCB(action=action, id=proposal_id, v="answered-1").pack()
        )
        assert alert(sent) == NOT_AVAILABLE
    proposal = await stored(roster)
    assert proposal.state == "answered"


async def at_cosigners(member: ChatUser) -> None:
    await member.send("/proposals")
    await member.tap("New proposal")
    await member.send("关于社区养老的提案")
    await member.send("养老服务不足。")
    await member.send("建设日间照料中心")
    await member.tap("Done")


@pytest.mark.parametrize(
    ("widget", "expected"),
    [("pick:424242", "This button is not valid."), ("drop:1", "This button is not valid.")],
)
async def test_forged_buttons_inside_the_form(member: ChatUser, widget: str, expected: str) -> None:
    await at_cosigners(member)
    sent = await member.press(forged(member, widget))
    assert alert(sent) == expected
    # Nothing typed so far is lost.
    await member.tap("Done")
    sent = await member.tap("Done")
    assert "建设日间照料中心" in member.texts(sent)[-1]


async def test_a_forged_rating_value_is_refused(member: ChatUser, roster: Database) -> None:
    proposal_id = await written(roster)
    await answered(roster, proposal_id)
    await member.press(ProposalCB(action="rate", id=proposal_id, v="answered-1").pack())
    sent = await member.press(forged(member, "value:great"))
    assert alert(sent) == "This button is not valid."
    assert (await stored(roster)).state == "answered"


async def test_take_back_a_sent_proposal(member: ChatUser, roster: Database) -> None:
    proposal_id = await written(roster)
    await member.press(ProposalCB(action="open", id=proposal_id).pack())
    # Buttons this card does not draw for a sent proposal are refused.
    for widget in ("edit", "rate"):
        sent = await member.press(forged(member, widget))
        assert alert(sent) == "This button is not valid."
    sent = await member.tap("Take it back")
    assert "draft again" in alert(sent)
    proposal = await stored(roster)
    assert (proposal.state, proposal.withdrawn_at is not None) == ("draft", True)
    assert any("Go on writing" in text for text, _ in member.inline_buttons())


async def test_the_offices_review_button_is_not_the_members(
    member: ChatUser, office: ChatUser, roster: Database
) -> None:
    await written(roster)
    [notice] = await outbox(roster, "proposal-submitted")
    sent = await office.press(button_data(notice, "Review the proposal"))
    assert any(isinstance(r, AnswerCallbackQuery) for r in sent)


async def test_a_convenor_writes_in_the_sectors_name(member: ChatUser, roster: Database) -> None:
    await at_cosigners(member)
    await member.tap("Done")
    await member.tap("Done")
    assert not any("sector's name" in text for text, _ in member.inline_buttons())
    await member.tap("Cancel")
    author = await member_id(roster, "M001")
    async with roster.session() as session, write_transaction(session):
        sector = (await session.execute(select(Sector).order_by(Sector.id))).scalars().first()
        assert sector is not None
        sector.convenor_member_id = author
    await at_cosigners(member)
    await member.tap("Done")
    await member.tap("Done")
    sent = await member.tap("sector's name")
    assert "In the name of" in member.texts(sent)[-1]
    await member.tap("Send")
    proposal = await stored(roster)
    assert (proposal.member_id, proposal.sector_id, proposal.author_member_id) == (
        None,
        sector.id,
        author,
    )
