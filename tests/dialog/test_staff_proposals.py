"""The office's proposals desk: review, register, refuse with a conversion, assign, refusals."""

from __future__ import annotations

from aiogram import Bot, Dispatcher
from aiogram.methods import AnswerCallbackQuery
from sqlalchemy import select

from handlers.pipeline_callbacks import ProposalCB
from storage.db import Database
from storage.enums import ProposalState, StaffRole
from storage.models import ConditionsReport, Handling
from tests.support.chat import ChatUser
from tests.support.notices import TZ, outbox
from tests.support.proposal_staff import (
    department_id,
    reload,
    submitted_proposal,
)
from tests.support.proposal_staff import (
    office as add_office,
)

TITLE = "关于加快老旧小区改造的提案"


def alerts(sent: list[object]) -> list[str]:
    return [str(r.text) for r in sent if isinstance(r, AnswerCallbackQuery) and r.text]


async def open_card(office: ChatUser, shelf: str) -> str:
    await office.send("/proposals")
    await office.press(office.button(shelf))
    sent = await office.press(office.button(TITLE[:10]))
    return office.texts(sent)[-1]


async def test_review_then_register_and_a_stale_press(roster: Database, office: ChatUser) -> None:
    proposal_id = await submitted_proposal(roster)
    sent = await office.send("/proposals")
    assert "To review (1)" in office.texts(sent)[-1] or "To review (1)" in str(
        office.inline_buttons()
    )
    card = await open_card(office, "To review")
    assert TITLE in card and "submitted, awaiting review" in card
    register = office.button("Register")
    assert register.endswith(ProposalCB(action="register", id=proposal_id, v="submitted").pack())
    sent = await office.press(register)
    assert "Registered as 2026-T-0001; the member and co-signers are told." in office.texts(sent)
    assert (await reload(roster, proposal_id)).state == ProposalState.REGISTERED
    assert len(await outbox(roster, "proposal-registered")) == 0  # M001 has no chat here
    # The same button again: the card moved on, it is shown as it is now.
    sent = await office.press(register)
    assert any("out of date" in text for text in alerts(sent))
    assert "2026-T-0001" in office.texts(sent)[-1]


async def test_refuse_with_conversion_to_a_report(roster: Database, office: ChatUser) -> None:
    proposal_id = await submitted_proposal(roster)
    await open_card(office, "To review")
    await office.press(office.button("Do not register"))
    sent = await office.send("x")
    assert "2 to 500 characters" in office.texts(sent)[-1]
    await office.send("属于社情民意，转为信息报送")
    sent = await office.press(office.button("social-conditions report"))
    assert "Not registered; the member is told." in office.texts(sent)
    stored = await reload(roster, proposal_id)
    assert stored.state == ProposalState.NOT_REGISTERED and stored.converted_to == "report"
    async with roster.session() as session:
        [report] = (await session.execute(select(ConditionsReport))).scalars()
    assert report.title == TITLE


async def test_refuse_as_a_letter_to_a_department(roster: Database, office: ChatUser) -> None:
    proposal_id = await submitted_proposal(roster)
    await open_card(office, "To review")
    await office.press(office.button("Do not register"))
    await office.send("宜转有关部门研究")
    await office.press(office.button("letter to a department"))
    await office.press(office.button("Education Bureau"))
    stored = await reload(roster, proposal_id)
    assert stored.converted_to == "letter"
    assert (stored.review_note or "").endswith(
        f"#department:{await department_id(roster, 'education')}"
    )


async def test_assign_with_co_departments_and_a_due_date(
    roster: Database, office: ChatUser
) -> None:
    proposal_id = await submitted_proposal(roster, items=2)
    await open_card(office, "To review")
    await office.press(office.button("Register"))
    sent = await office.press(office.button("Assign departments"))
    assert "leads the handling" in office.texts(sent)[-1]
    await office.press(office.button("Housing and Urban-Rural"))
    await office.press(office.button("Education Bureau"))
    await office.press(office.button("Next"))
    days = [(text, data) for text, data in office.inline_buttons() if text.strip().isdigit()]
    chosen_text, chosen = days[len(days) // 2]
    sent = await office.press(chosen)
    confirm = office.texts(sent)[-1]
    assert "Education Bureau" in confirm and "(lead)" in confirm
    sent = await office.press(office.button("Assign"))
    assert any(text.startswith("Assigned, due") for text in office.texts(sent))
    stored = await reload(roster, proposal_id)
    assert stored.state == ProposalState.ASSIGNED and stored.due_at is not None
    assert stored.due_at.astimezone(TZ).day == int(chosen_text)
    async with roster.session() as session:
        rows = list((await session.execute(select(Handling))).scalars())
    housing = await department_id(roster, "housing")
    assert len(rows) == 4 and {r.department_id for r in rows if r.lead} == {housing}


async def test_forged_buttons_from_station_staff_and_a_member(
    roster: Database, office: ChatUser, member: ChatUser, dispatcher: Dispatcher, bot: Bot
) -> None:
    proposal_id = await submitted_proposal(roster)
    await add_office(roster, role=StaffRole.STATION, name="站点员", chat_id=8101)
    station = ChatUser(dispatcher, bot, user_id=8101)
    forged = ProposalCB(action="register", id=proposal_id, v="submitted").pack()
    for chat in (station, member):
        sent = await chat.press(forged)
        assert alerts(sent), sent
        assert "2026-T" not in " ".join(chat.texts(sent))
    sent = await station.send("/proposals")
    assert "administrators" in station.texts(sent)[-1]
    sent = await office.press(ProposalCB(action="register", id=999_999, v="submitted").pack())
    assert "This proposal is not available." in alerts(sent)
    assert (await reload(roster, proposal_id)).state == ProposalState.SUBMITTED


async def test_a_paper_proposal_entered_in_the_chat(roster: Database, office: ChatUser) -> None:
    await office.send("/proposals")
    await office.press(office.button("paper proposal"))
    sent = await office.send("M404<b>")
    assert "No member or sector has the code M404&lt;b&gt;." in office.texts(sent)
    await office.send("M002")
    sent = await office.send("长" * 201)
    assert "1 to 200 characters" in office.texts(sent)[-1]
    await office.send("关于社区养老服务的提案")
    await office.send("老龄化加快，日间照料不足。")
    await office.send("1. 建设日间照料中心\n2. 培训护理员")
    sent = await office.send("M003")
    assert "2 suggestions" in office.texts(sent)[-1]
    sent = await office.press(office.button("Register"))
    assert "Registered as 2026-T-0001." in office.texts(sent)
    assert "关于社区养老服务的提案" in office.texts(sent)[-1]


async def test_mark_publish_and_a_forged_widget(roster: Database, office: ChatUser) -> None:
    from tests.support.chat import forged

    proposal_id = await submitted_proposal(roster)
    await open_card(office, "To review")
    await office.press(office.button("Register"))
    sent = await office.press(office.button("Year-end mark"))
    assert "year-end mark" in office.texts(sent)[-1]
    sent = await office.press(forged(office, "m_great"))
    assert "This button is not valid." in alerts(sent)
    await office.press(office.button("Both"))
    assert (await reload(roster, proposal_id)).rating == "excellent_key"
    await office.press(office.button("Put on the published list"))
    assert (await reload(roster, proposal_id)).public
    sent = await office.press(ProposalCB(action="review", id=proposal_id, v="").pack())
    assert "Year-end mark: excellent and key" in office.texts(sent)[-1]
