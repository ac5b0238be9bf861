"""A department handler answers a proposal item by item; forged handling buttons are refused."""

from __future__ import annotations

from aiogram import Bot, Dispatcher
from aiogram.methods import AnswerCallbackQuery

from handlers.pipeline_callbacks import HandlingCB, HandlingExtensionCB
from services.accounts.invites import issue_invite
from storage.db import Database
from tests.support.cases import department_assignee, staff_desk
from tests.support.chat import ChatUser
from tests.support.members import NOW, member_by_code
from tests.support.pipeline_rows import assigned_proposal

HANDLER_CHAT = 9401


async def linked_handler(db: Database, dispatcher: Dispatcher, bot: Bot, code: str) -> ChatUser:
    department = await department_assignee(db, code)
    async with db.session() as session:
        invite = (await issue_invite(session, department_id=department.id, now=NOW)).code
    handler = ChatUser(dispatcher, bot, user_id=HANDLER_CHAT)
    assert "now linked to" in handler.texts(await handler.send(f"/start inv-{invite}"))[0]
    return handler


def refused(sent: list) -> bool:  # type: ignore[type-arg]
    return any(
        isinstance(r, AnswerCallbackQuery) and r.show_alert and "not available" in (r.text or "")
        for r in sent
    )


async def test_a_department_answers_every_item_through_the_chat(
    roster: Database, dispatcher: Dispatcher, bot: Bot
) -> None:
    housing = await department_assignee(roster, "housing")
    member = await member_by_code(roster, "M001")
    proposal_id, _ = await assigned_proposal(
        roster, member_id=member.id or 0, departments=[housing.id], items=2
    )
    handler = await linked_handler(roster, dispatcher, bot, "housing")
    await handler.send("/handling")
    await handler.tap("2026-T-0042")
    for _ in range(2):
        await handler.tap("Answer item")
        await handler.send("已纳入 <b>年度</b> 计划")
        await handler.tap("partly adopted")
        assert "&lt;b&gt;" in handler.texts()[-1]
        await handler.tap("Send the answer")
    assert "This no longer waits for your answer." in handler.texts()[-1]
    async with roster.session() as session:
        from storage.models import Proposal

        assert (await session.get(Proposal, proposal_id)).state == "answered"  # type: ignore[union-attr]


async def test_forged_handling_buttons_are_refused(
    roster: Database, dispatcher: Dispatcher, bot: Bot
) -> None:
    education = await department_assignee(roster, "education")
    member = await member_by_code(roster, "M001")
    proposal_id, _ = await assigned_proposal(
        roster, member_id=member.id or 0, departments=[education.id]
    )
    handler = await linked_handler(roster, dispatcher, bot, "housing")
    data = HandlingCB(action="open", kind="p", id=proposal_id, v="assigned-1").pack()
    assert refused(await handler.press(data))
    member_chat = ChatUser(dispatcher, bot, user_id=1)
    assert refused(await member_chat.press(data))
    await staff_desk(roster, stations=("jf-beian",), name="站点员", chat_id=9402)
    station = ChatUser(dispatcher, bot, user_id=9402)
    sent = await station.press(HandlingExtensionCB(action="grant", id=1).pack())
    assert any(isinstance(r, AnswerCallbackQuery) and r.show_alert for r in sent)
