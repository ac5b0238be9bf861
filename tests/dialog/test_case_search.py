"""Finding a case from the staff desk: typed text, /case, the lists by status, forged results."""

from __future__ import annotations

from aiogram import Bot, Dispatcher

from bot.app import AppContext, build_dispatcher
from services.cases import answers as case_answers
from storage.db import Database
from tests.dialog.test_scope_refusals import alert, footprint, open_case
from tests.support.cases import NOW, reload, staff_desk
from tests.support.chat import ChatUser, forged
from tests.support.notices import notifier
from tests.unit.test_case_search import case

LIGHTS = "小区路灯坏了三天，晚上出门很不方便。"
PHONE = "13912345678"


async def chinese_case(
    db: Database, *, chat_id: int, station: str, phone: str | None = None
) -> int:
    """A case about the estate's street lights, in Chinese, with a phone if given."""
    issue_id, _number = await case(db, LIGHTS, station=station, phone=phone, chat_id=chat_id)
    return issue_id


async def test_typed_words_list_the_matching_cases(office: ChatUser, roster: Database) -> None:
    lights = await chinese_case(roster, chat_id=3001, station="jf-beian")
    other = await open_case(roster, chat_id=3002, station="jf-beian")
    sent = await office.send("路灯")
    assert "Cases matching “路灯”</b>: 1, newest first." in office.texts(sent)[0]
    labels = [text for text, _data in office.inline_buttons()]
    number = (await reload(roster, lights)).number
    assert any(number in label for label in labels)
    other_number = (await reload(roster, other)).number
    assert not any(other_number in label for label in labels)
    sent = await office.tap(number)
    assert f"Case {number}" in office.texts(sent)[0]
    sent = await office.tap("◀ Results")
    assert "Cases matching “路灯”" in office.texts(sent)[0]


async def test_case_command_opens_one_number_at_once(office: ChatUser, roster: Database) -> None:
    issue_id = await open_case(roster, chat_id=3003, station="jf-beian")
    number = (await reload(roster, issue_id)).number
    sent = await office.send(f"/case {number}")
    assert f"Case {number}" in office.texts(sent)[0]
    sent = await office.send(str(int(number.split("-")[1])))
    assert f"Case {number}" in office.texts(sent)[0]


async def test_case_command_by_phone_and_words(office: ChatUser, roster: Database) -> None:
    first = await chinese_case(roster, chat_id=3004, station="jf-beian", phone=PHONE)
    await chinese_case(roster, chat_id=3005, station="jf-beian")
    sent = await office.send("/case 139 1234 5678")
    assert "1, newest first." in office.texts(sent)[0]
    first_number = (await reload(roster, first)).number
    assert any(first_number in text for text, _data in office.inline_buttons())
    sent = await office.send("/case 路灯 坏了")
    assert "Cases matching “路灯 坏了”</b>: 2, newest first." in office.texts(sent)[0]


async def test_bad_searches_get_a_clear_answer(office: ChatUser, roster: Database) -> None:
    sent = await office.send("/case")
    assert "Type a case number" in office.texts(sent)[0]
    sent = await office.send("！！！")
    assert "Nothing to search for" in office.texts(sent)[0]
    sent = await office.send("灯" * 101)
    assert "at most 100 characters" in office.texts(sent)[0]
    sent = await office.send("/case 电梯")
    assert "No case within your reach matches “电梯”." in office.texts(sent)[0]


async def test_the_desk_lists_assigned_and_answered_cases(
    office: ChatUser, roster: Database
) -> None:
    admin = await staff_desk(roster, name="另一位管理员")
    answered = await open_case(roster, chat_id=3006, station="jf-beian")
    async with roster.session() as session:
        await case_answers.staff_reply(
            session,
            issue_id=answered,
            text="The lamp was replaced on Monday.",
            scope=admin.scope,
            actor=admin.actor,
            now=NOW,
            notifier=notifier(),
        )
    await office.send("📥 Case queue")
    sent = await office.tap("Answered")
    assert "Answered</b>: 1 cases, newest first." in office.texts(sent)[0]
    number = (await reload(roster, answered)).number
    sent = await office.tap(number)
    assert f"Case {number}" in office.texts(sent)[0]


async def test_a_forged_result_outside_the_scope_is_refused(
    roster: Database, dispatcher: Dispatcher, bot: Bot
) -> None:
    await staff_desk(roster, stations=("xq-jingde",), name="敬德站", chat_id=8101)
    local = ChatUser(dispatcher, bot, user_id=8101)
    own = await chinese_case(roster, chat_id=3007, station="xq-jingde")
    foreign = await chinese_case(roster, chat_id=3008, station="jf-beian")
    sent = await local.send("路灯")
    assert "Cases matching “路灯”</b>: 1" in local.texts(sent)[0]
    listed = " ".join(text for text, _data in local.inline_buttons())
    assert (await reload(roster, own)).number in listed
    assert (await reload(roster, foreign)).number not in listed
    before = await footprint(roster)
    sent = await local.press(forged(local, f"found:{foreign}"))
    assert "This case is not available." in alert(sent)
    assert await footprint(roster) == before
    sent = await local.press(forged(local, "found:abc"))
    assert "This button is not valid." in alert(sent)


async def test_others_are_refused_the_case_command(resident: ChatUser) -> None:
    sent = await resident.send("/case 2026-000001")
    assert "This is for the committee office's staff." in resident.texts(sent)[0]


async def test_typed_search_and_case_command_in_the_web_chat(app: AppContext) -> None:
    from bot.channels.webchat import WebChat
    from services.accounts.identities import touch_identity
    from services.accounts.staff import add_staff, bind_staff
    from storage.db import write_transaction
    from tests.dialog.test_privacy_webchat import WebUser

    chat = 10**12 + 606_060
    async with app.db.session() as session:
        staff = await add_staff(session, name="王芳", now=NOW)
        identity = await touch_identity(
            session, channel="web", chat_id=chat, chat_type="private", now=NOW
        )
        async with write_transaction(session):
            await bind_staff(session, staff_id=staff.id or 0, identity=identity, now=NOW)
    first = await chinese_case(app.db, chat_id=3101, station="jf-beian")
    await chinese_case(app.db, chat_id=3102, station="xq-jingde")
    number = (await reload(app.db, first)).number
    webchat = WebChat(app, build_dispatcher(app))
    me = WebUser(webchat, chat)
    sent = await me.send("路灯")
    assert "Cases matching “路灯”</b>: 2, newest first." in me.texts(sent)[0]
    await me.press(me.button(number))
    assert f"Case {number}" in me.history()[-1]["html"]
    sent = await me.send(f"/case {number}")
    assert f"Case {number}" in me.texts(sent)[0]


async def test_help_names_the_case_command(office: ChatUser) -> None:
    sent = await office.send("/help")
    assert any("/case – find a case" in text for text in office.texts(sent))
