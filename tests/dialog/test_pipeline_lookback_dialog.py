"""Look back and ratings in the chat: the department confirms, members rate, forgeries fail."""

from __future__ import annotations

import datetime as dt

from aiogram import Bot, Dispatcher
from aiogram.methods import AnswerCallbackQuery
from sqlalchemy import select

from handlers.pipeline_callbacks import OutcomeCB
from services.clock import ManualClock
from storage.db import Database
from storage.models import PipelineRating, Suggestion
from tests.support.chat import ChatUser
from tests.support.notices import button_data, outbox
from tests.support.pipeline_fixtures import department, handling, member_ids, outcome

DAY = dt.timedelta(days=1)


def alert(sent: list[object]) -> str:
    answers = [r for r in sent if isinstance(r, AnswerCallbackQuery)]
    assert answers, sent
    return str(answers[-1].text or "")


async def fed_back(roster: Database, clock: ManualClock, *, key: bool = False) -> tuple[int, int]:
    """An outcome suggestion fed back 200 days ago, led by ``lead`` (chat 9101)."""
    ids = await member_ids(roster)
    lead = await department(roster, "lead", chats=[9101])
    other = await department(roster, "other", chats=[9201])
    now = clock.now()
    _oid, (item,) = await outcome(
        roster,
        number="2026-C-0001",
        stages=[("fed_back", now - 200 * DAY)],
        key=key,
        members=[ids["M001"], ids["M002"]],
    )
    await handling(roster, [item], lead, due_at=now - 250 * DAY, answered_at=now - 240 * DAY)
    await handling(
        roster, [item], other, due_at=now - 250 * DAY, answered_at=now - 240 * DAY, lead=False
    )
    return item, lead


async def test_department_confirms_and_members_rate(
    roster: Database,
    member: ChatUser,
    second_member: ChatUser,
    resident: ChatUser,
    dispatcher: Dispatcher,
    bot: Bot,
    clock: ManualClock,
) -> None:
    item, _lead = await fed_back(roster, clock)
    opens = OutcomeCB(action="lookback", kind="s", id=item, v="due").pack()
    bystander = ChatUser(dispatcher, bot, user_id=9201)
    assert alert(await bystander.press(opens)) == "This look back is not available."
    # A member's chat is no department's: the button is not theirs.
    assert (
        alert(await member.press(opens)) == "This button is no longer active. Please use the menu."
    )
    handler = ChatUser(dispatcher, bot, user_id=9101)
    sent = await handler.press(opens)
    assert "Look back on 2026-C-0001" in handler.texts(sent)[-1]
    await handler.tap("Still holds")
    sent = await handler.photo()
    assert "Please type it as text" in handler.texts(sent)[-1]
    sent = await handler.send("x" * 1001)
    assert "please keep it under 1000" in handler.texts(sent)[-1]
    sent = await handler.send("The lamps still work <well>.")
    assert "Look back saved" in handler.texts(sent)[-1]
    assert alert(await handler.press(opens)) == "This look back was confirmed already."
    async with roster.session() as session:
        row = await session.get(Suggestion, item)
        assert row is not None and row.lookback_note == "The lamps still work <well>."

    requests = {row.chat_id: row for row in await outbox(roster, "pipeline-lookback-rate")}
    assert sorted(requests) == [member.user.id, second_member.user.id]
    satisfied = button_data(requests[member.user.id], "😊")
    unsatisfied = button_data(requests[second_member.user.id], "🙁")
    # Another chat's buttons: a resident is no member, the first member already rated.
    assert alert(await resident.press(satisfied)) == "This rating is not available to you."
    sent = await member.press(satisfied)
    assert "Your rating was saved" in member.texts(sent)[-1]
    assert alert(await member.press(satisfied)) == "You rated this already. Thank you."
    forged = OutcomeCB(action="lbrate", kind="s", id=item, v="great").pack()
    assert alert(await second_member.press(forged)) == "This button is not valid."
    sent = await second_member.press(unsatisfied)
    assert "why you are not satisfied" in second_member.texts(sent)[-1]
    sent = await second_member.send("The lamp at gate 3 is dark again.")
    assert "Your rating was saved" in second_member.texts(sent)[-1]
    async with roster.session() as session:
        ratings = (await session.execute(select(PipelineRating))).scalars().all()
    assert sorted((r.value, r.reason) for r in ratings) == [
        ("satisfied", None),
        ("unsatisfied", "The lamp at gate 3 is dark again."),
    ]


async def test_quality_rating_and_table(
    roster: Database, member: ChatUser, office: ChatUser, clock: ManualClock
) -> None:
    item, lead = await fed_back(roster, clock, key=True)
    rate = OutcomeCB(action="qrate", kind="s", id=item, v=f"{lead}.basic").pack()
    foreign = OutcomeCB(action="qrate", kind="s", id=item, v="999.basic").pack()
    assert alert(await member.press(foreign)) == "This rating is not available to you."
    sent = await member.press(rate)
    assert "Basically satisfied" in member.texts(sent)[-1]
    sent = await office.send(f"/quality {clock.now().year}")
    text = office.texts(sent)[-1]
    assert "Quality evaluation" in text and "lead bureau: 60.0 points · 1 ratings" in text
    sent = await office.send("/quality 1850")
    assert "Please give a year" in office.texts(sent)[-1]
