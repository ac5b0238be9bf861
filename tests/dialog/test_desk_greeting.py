"""What staff and a department's handler see first: their own desk, not the residents' guide."""

from __future__ import annotations

from aiogram import Bot, Dispatcher

from services.accounts.invites import issue_invite
from storage.db import Database
from tests.support.cases import department_assignee
from tests.support.chat import ChatUser
from tests.support.members import NOW


async def department_handler(roster: Database, dispatcher: Dispatcher, bot: Bot) -> ChatUser:
    department = await department_assignee(roster)
    async with roster.session() as session:
        code = (await issue_invite(session, department_id=department.id, now=NOW)).code
    handler = ChatUser(dispatcher, bot, user_id=9401)
    await handler.send(f"/start inv-{code}")
    return handler


async def test_staff_start_greets_the_office_desk(office: ChatUser) -> None:
    sent = await office.send("/start")
    [greeting] = office.texts(sent)
    assert "liaison office's desk" in greeting
    assert "Tell us about problems of daily life" not in greeting
    assert "📥 Case queue" in str(sent[0].reply_markup)


async def test_a_department_handler_starts_on_the_department_desk_with_its_menu(
    roster: Database, dispatcher: Dispatcher, bot: Bot
) -> None:
    handler = await department_handler(roster, dispatcher, bot)
    sent = await handler.send("/start")
    [greeting] = handler.texts(sent)
    assert "department's desk" in greeting and "Assigned cases" in greeting
    keyboard = str(sent[0].reply_markup)
    assert "📨 Assigned cases" in keyboard and "❓" in keyboard
    assert "📝 Report an issue" not in keyboard


async def test_a_desk_help_explains_the_desk_and_the_common_commands_only(
    roster: Database, dispatcher: Dispatcher, bot: Bot, office: ChatUser
) -> None:
    handler = await department_handler(roster, dispatcher, bot)
    for user, heading in ((handler, "For departments"), (office, "For staff")):
        texts = user.texts(await user.send("/help"))
        assert heading in texts[0]
        assert "/language" in texts[1] and "/report" not in texts[1]
        assert not any("How this works" in text for text in texts)


async def test_a_resident_still_gets_the_residents_guide(dispatcher: Dispatcher, bot: Bot) -> None:
    resident = ChatUser(dispatcher, bot, user_id=9402)
    sent = await resident.send("/start")
    assert "Welcome to the CPPCC liaison desk" in resident.texts(sent)[0]
    assert "How this works" in resident.texts(await resident.send("/help"))[0]


async def test_the_desk_greeting_speaks_chinese(office: ChatUser) -> None:
    await office.send("/language")
    await office.press(office.button("中文"))
    sent = await office.send("/start")
    assert "政协机关工作台" in office.texts(sent)[0]
