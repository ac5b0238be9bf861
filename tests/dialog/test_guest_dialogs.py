"""Guests in the chat: staff invite one from the meeting card, a fresh chat opens the link and
sees that meeting only (agenda, materials, "Speak"); every other feature and forged button is
refused; a revoked pass makes the chat a resident's again.
"""

from __future__ import annotations

import re

from aiogram import Bot, Dispatcher
from aiogram.methods import AnswerCallbackQuery, SendDocument
from sqlalchemy import select

from handlers.callbacks import StaffMeetingCB
from services.consultations.materials import add_material
from storage.db import Database, write_transaction
from storage.models import StoredFile
from tests.support.chat import ChatUser, forged
from tests.support.guests import CLI, invited, upcoming_meeting
from tests.support.members import NOW


def alerts(sent: list[object]) -> list[str]:
    return [str(r.text) for r in sent if isinstance(r, AnswerCallbackQuery) and r.text]


async def _material(db: Database, meeting_id: int, name: str) -> int:
    async with db.session() as session:
        async with write_transaction(session):
            session.add(
                StoredFile(
                    key=f"key-{name}",
                    name=name,
                    size=10,
                    telegram_file_id=f"tg-{name}",
                    created_at=NOW,
                )
            )
        material = await add_material(
            session,
            meeting_id=meeting_id,
            file_key=f"key-{name}",
            name=name,
            staff_id=None,
            now=NOW,
            actor=CLI,
        )
        return material.id or 0


async def test_staff_invite_a_guest_who_sees_only_that_meeting(
    roster: Database, office: ChatUser, dispatcher: Dispatcher, bot: Bot
) -> None:
    meeting_id = await upcoming_meeting(roster)
    other_id = await upcoming_meeting(roster, title="另一场协商会", tag="other")
    other_material = await _material(roster, other_id, "other.pdf")
    await _material(roster, meeting_id, "背景材料.pdf")
    await office.send("/meetings")
    await office.press(office.button("老旧小区加装电梯"))
    sent = await office.press(office.button("Guests"))
    assert "No guests yet." in office.texts(sent)[-1]
    await office.press(office.button("Invite a guest"))
    await office.send("王<局长>")
    await office.press(office.button("Department head"))
    sent = await office.send("市住建局")
    card = office.texts(sent)[-1]
    assert "王&lt;局长&gt; is invited" in card
    payload = re.search(r"/start (g-[\w-]+)", card)
    assert payload is not None
    await office.press(office.button("Guests"))
    assert "(Department head · 市住建局): invited" in office.texts()[-1]

    guest = ChatUser(dispatcher, bot, user_id=9101)
    sent = await guest.send(f"/start {payload.group(1)}")
    texts = guest.texts(sent)
    assert "You are a guest of <b>专题协商：老旧小区加装电梯</b>" in texts[0]
    assert "一、通报情况" in texts[-1]
    assert "另一场协商会" not in "".join(texts)
    assert guest.button("Speak")
    sent = await guest.press(guest.button("背景材料.pdf"))
    assert [r.document for r in sent if isinstance(r, SendDocument)] == ["tg-背景材料.pdf"]
    # Another meeting's material, forged on the guest's own card: refused.
    sent = await guest.press(forged(guest, f"material:{other_material}"))
    assert "This file is not available." in alerts(sent)
    assert not [r for r in sent if isinstance(r, SendDocument)]
    await guest.press(guest.button("Back"))
    sent = await guest.press(forged(guest, f"meeting:{other_id}"))
    assert "This meeting is not available." in alerts(sent)
    # Another chat cannot use the same link.
    stranger = ChatUser(dispatcher, bot, user_id=9102)
    sent = await stranger.send(f"/start {payload.group(1)}")
    assert "already opened in another chat" in stranger.texts(sent)[0]

    await office.send("/meetings")
    await office.press(office.button("老旧小区加装电梯"))
    await office.press(office.button("Guests"))
    sent = await office.press(office.button("Revoke"))
    assert "(Department head · 市住建局): revoked" in "\n".join(office.texts(sent))
    # The chat is a resident's again: its own menu, no guest card.
    sent = await guest.send("/start")
    assert "opens one consultation only" not in "".join(guest.texts(sent))
    sent = await guest.send("🏛 My consultation")
    assert "not available to a guest" not in "".join(guest.texts(sent))


async def test_a_guest_is_refused_every_other_feature(
    roster: Database, dispatcher: Dispatcher, bot: Bot
) -> None:
    meeting_id = await upcoming_meeting(roster)
    other_id = await upcoming_meeting(roster, title="另一场协商会", tag="other")
    issued = await invited(roster, meeting_id)
    guest = ChatUser(dispatcher, bot, user_id=9201)
    await guest.send(f"/start {issued.payload}")
    sent = await guest.send("/start")
    assert "opens one consultation only" in guest.texts(sent)[0]
    for text in ("📝 Report an issue", "📍 Liaison stations", "/meetings", "/log", "hello"):
        sent = await guest.send(text)
        assert guest.texts(sent) == [
            "This is not available to a guest. Press “My consultation” for your meeting."
        ], text
    for data in (
        StaffMeetingCB(action="view", id=other_id).pack(),
        f"mtg:rsvp:{other_id}",
        "station:1",
        "anything",
    ):
        sent = await guest.press(data)
        # Refused, or the press is taken as a stale one on the guest's own card: no other
        # meeting, no other feature is ever drawn.
        assert set(alerts(sent)) <= {
            "This is not available to a guest.",
            "This card is out of date. Here is where you are now.",
        }, data
        assert "另一场协商会" not in "".join(guest.texts(sent)), data
    sent = await guest.send("🏛 My consultation")
    assert "专题协商：老旧小区加装电梯" in guest.texts(sent)[-1]


async def test_a_department_from_the_list_and_a_department_chat_keeps_its_desk(
    roster: Database, office: ChatUser, dispatcher: Dispatcher, bot: Bot
) -> None:
    from storage.models import MeetingGuest
    from tests.support.outcomes import DEPARTMENT_CHAT, department

    department_id = await department(roster)
    await upcoming_meeting(roster)
    await office.send("/meetings")
    await office.press(office.button("老旧小区加装电梯"))
    await office.press(office.button("Guests"))
    await office.press(office.button("Invite a guest"))
    await office.send("李局长")
    await office.press(office.button("Department head"))
    [choice] = [
        data for _text, data in office.inline_buttons() if f"department:{department_id}" in data
    ]
    sent = await office.press(choice)
    payload = re.search(r"/start (g-[\w-]+)", office.texts(sent)[-1])
    assert payload is not None
    async with roster.session() as session:
        guest = (await session.scalars(select(MeetingGuest))).one()
        assert guest.department_id == department_id and guest.organisation
    handler = ChatUser(dispatcher, bot, user_id=DEPARTMENT_CHAT)
    sent = await handler.send(f"/start {payload.group(1)}")
    assert (
        "This chat keeps its own menu; open the consultation with /guest." in handler.texts(sent)[0]
    )
    sent = await handler.send("/guest")
    assert "专题协商：老旧小区加装电梯" in handler.texts(sent)[-1]
