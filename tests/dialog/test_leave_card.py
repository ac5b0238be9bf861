"""A leave request's card, once decided, is drawn again from the database, whatever the channel."""

from __future__ import annotations

import datetime as dt
import itertools

from aiogram.methods import EditMessageText
from aiogram.types import CallbackQuery, Message, Update, User

from storage.db import Database
from tests.dialog.test_meetings_dialog import answer, set_up_meeting
from tests.support.chat import ChatUser
from tests.support.notices import button_data, outbox

_ids = itertools.count(900_000)


async def press_on_a_card_without_text(user: ChatUser, data: str) -> list[object]:
    """A press as the web chat sends it: the message pressed carries no text back."""
    message = Message(
        message_id=5,
        date=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        chat=user.chat,
        from_user=User(id=user.bot.id, is_bot=True, first_name="Liaison"),
    )
    query = CallbackQuery(
        id=str(next(_ids)), from_user=user.user, chat_instance="ci", message=message, data=data
    )
    return await user.feed(Update(update_id=next(_ids), callback_query=query))


async def ask_leave(office: ChatUser, member: ChatUser, roster: Database, reason: str) -> str:
    await set_up_meeting(office)
    [invitation] = [r for r in await outbox(roster, "meeting-invitation") if r.chat_id == 7002]
    await member.press(button_data(invitation, "Ask for leave"))
    await member.send(reason)
    [request] = await outbox(roster, "meeting-leave-request")
    return button_data(request, "Refuse")


async def test_a_refused_request_keeps_who_asked_for_what_and_why(
    office: ChatUser, second_member: ChatUser, roster: Database
) -> None:
    refuse = await ask_leave(office, second_member, roster, "At the hospital's night shift")
    sent = await press_on_a_card_without_text(office, refuse)
    [edited] = [r for r in sent if isinstance(r, EditMessageText)]
    assert "Leave request" in edited.text
    assert "李文静 asks for leave from" in edited.text
    assert "Reason: At the hospital's night shift" in edited.text
    assert edited.text.endswith("Refused by 王芳.")
    assert edited.reply_markup is None


async def test_a_second_press_shows_the_decision_already_made(
    office: ChatUser, second_member: ChatUser, roster: Database
) -> None:
    refuse = await ask_leave(office, second_member, roster, "Travelling to Shanghai")
    await press_on_a_card_without_text(office, refuse)
    approve = refuse.replace("refuse", "approve")
    sent = await press_on_a_card_without_text(office, approve)
    assert answer(sent) == "This request was already decided."
    [edited] = [r for r in sent if isinstance(r, EditMessageText)]
    assert "Reason: Travelling to Shanghai" in edited.text
    assert edited.text.endswith("Refused by 王芳.")
