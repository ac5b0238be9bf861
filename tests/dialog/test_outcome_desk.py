"""The administrators' outcome desk: form one from a meeting, move a suggestion, undo; forged,
stale and out-of-scope presses refused; a resident rates how it ended from the notice.
"""

from __future__ import annotations

from aiogram import Bot, Dispatcher
from aiogram.methods import AnswerCallbackQuery
from sqlalchemy import select

from handlers.pipeline_callbacks import OutcomeCB
from services.outcomes.stages import MoveInput
from storage.db import Database
from storage.models import Handling, PipelineRating, Suggestion
from tests.support.cases import resident_case, staff_desk
from tests.support.chat import ChatUser
from tests.support.chat import forged as forged_widget
from tests.support.notices import button_data, outbox
from tests.support.outcomes import consultation_meeting, department, move, new_outcome, to_handled


def alerts(sent: list[object]) -> list[str]:
    return [str(r.text) for r in sent if isinstance(r, AnswerCallbackQuery) and r.text]


async def _suggestion(db: Database, position: int = 1) -> Suggestion:
    async with db.session() as session:
        rows = await session.execute(select(Suggestion).where(Suggestion.position == position))
        return rows.scalars().one()


async def test_form_from_a_meeting_then_move_and_undo(roster: Database, office: ChatUser) -> None:
    await consultation_meeting(roster)
    dept = await department(roster)
    case = await resident_case(roster)
    sent = await office.send("/outcomes")
    assert "No outcome here yet." in office.texts(sent)[-1]
    await office.press(office.button("New outcome"))
    await office.press(office.button("A consultation meeting"))
    await office.press(office.button("老旧小区改造"))
    await office.send("老旧小区改造协商成果")
    sent = await office.send("1. 加快电梯加装\n2. 设立<维修>基金")
    assert "设立&lt;维修&gt;基金" in office.texts(sent)[-1]
    await office.press(office.button("Next"))
    sent = await office.send("2026-999999")
    assert "There is no case 2026-999999." in office.texts(sent)
    sent = await office.send(case.number)
    assert case.number in office.texts(sent)[-1]
    await office.press(office.button("Next"))
    await office.press(office.button("No topic"))
    sent = await office.press(office.button("No"))
    assert "Save this outcome?" in office.texts(sent)[-1]
    sent = await office.press(office.button("Save"))
    assert "Outcome 2026-C-0001 is formed." in office.texts(sent)
    await office.press(office.button("1. formed"))
    submit = office.button("Submit to the government")
    sent = await office.press(submit)
    assert "Moved." in office.texts(sent)
    assert "Stage: submitted" in office.texts(sent)[-1]
    # The old "Submit" button again: the card moved on, nothing is submitted twice.
    sent = await office.press(submit)
    assert any("out of date" in text for text in alerts(sent))
    await office.press(office.button("Move to reviewed"))
    sent = await office.send("x")
    assert "Please write who gave the instruction" in office.texts(sent)[-1]
    await office.send("市委书记 李明")
    await office.press(office.button("Today"))
    sent = await office.send("请市住建局牵头，年内完成。")
    assert "Instruction of 市委书记 李明" in office.texts(sent)[-1]
    await office.press(office.button("Move to assigned"))
    await office.press(office.button("Housing and Urban-Rural"))
    await office.press(office.button("Next"))
    sent = await office.press(office.button("In 60 days"))
    assert "Stage: assigned" in office.texts(sent)[-1]
    assert [row.chat_id for row in await outbox(roster, "outcome-assigned")] == [700]
    async with roster.session() as session:
        handlings = (await session.execute(select(Handling))).scalars().all()
    assert [(h.department_id, h.lead) for h in handlings] == [(dept, True)]
    await office.press(office.button("Undo last move"))
    sent = await office.send("交办单位选错了")
    assert "Undone; the timeline keeps the reason." in office.texts(sent)
    assert "Last undone: 交办单位选错了" in office.texts(sent)[-1]
    assert (await _suggestion(roster)).stage == "reviewed"
    async with roster.session() as session:
        assert (await session.execute(select(Handling))).first() is None


async def test_forged_and_out_of_scope_outcome_buttons_are_refused(
    roster: Database, office: ChatUser, member: ChatUser, dispatcher: Dispatcher, bot: Bot
) -> None:
    desk = await staff_desk(roster, name="管理员")
    outcome = await new_outcome(roster, desk, meeting_id=await consultation_meeting(roster))
    sid = (await _suggestion(roster)).id or 0
    forged = OutcomeCB(action="move", kind="s", id=sid, v="formed").pack()
    await staff_desk(roster, stations=("jf-beian",), name="李站", chat_id=8002)
    station = ChatUser(dispatcher, bot, user_id=8002)
    await resident_case(roster, chat_id=555)
    resident = ChatUser(dispatcher, bot, user_id=555)
    for chat in (station, member, resident):
        sent = await chat.press(forged)
        assert alerts(sent) == [
            "Consultation outcomes are for the committee office's administrators."
        ]
    sent = await station.send("/outcomes")
    assert "for the committee office's administrators" in station.texts(sent)[-1]
    assert (await _suggestion(roster)).stage == "formed"
    unknown = OutcomeCB(action="move", kind="s", id=sid + 999, v="formed").pack()
    sent = await office.press(unknown)
    assert alerts(sent) == ["This outcome is not available."]
    sent = await office.press(OutcomeCB(action="open", kind="o", id=outcome.id or 0).pack())
    assert "2026-C-0001" in office.texts(sent)[-1]
    sent = await office.press(forged_widget(office, f"suggestion:{sid + 999}"))
    assert alerts(sent) == ["This outcome is not available."]
    # A move drawn for another stage is refused and the current card shown.
    sent = await office.press(OutcomeCB(action="move", kind="s", id=sid, v="reviewed").pack())
    assert any("out of date" in text for text in alerts(sent))
    assert "Stage: formed" in office.texts(sent)[-1]
    assert (await _suggestion(roster)).stage == "formed"


async def test_a_resident_rates_how_it_ended_from_the_notice(
    roster: Database, dispatcher: Dispatcher, bot: Bot
) -> None:
    desk = await staff_desk(roster, name="管理员")
    dept = await department(roster)
    case = await resident_case(roster, chat_id=555)
    await resident_case(roster, chat_id=556, description="Another problem at gate 5 today.")
    outcome = await new_outcome(
        roster,
        desk,
        meeting_id=await consultation_meeting(roster),
        suggestions=("加快电梯加装",),
        case_numbers=(case.number,),
    )
    sid = (await to_handled(roster, desk, outcome, dept)).id or 0
    await move(roster, desk, sid, "handled", "fed_back", MoveInput(feedback="已向委员通报。"))
    [told] = await outbox(roster, "outcome-told")
    four = button_data(told, "★★★★☆")
    other = ChatUser(dispatcher, bot, user_id=556)
    sent = await other.press(four)
    assert alerts(sent) == ["This outcome is not available."]
    resident = ChatUser(dispatcher, bot, user_id=555)
    sent = await resident.press(
        OutcomeCB(action="rate", kind="o", id=outcome.id or 0, v="9").pack()
    )
    assert alerts(sent) == ["This button is not valid."]
    sent = await resident.press(four)
    assert "Thank you for telling us how it ended." in resident.texts(sent)[-1]
    sent = await resident.press(four)
    assert alerts(sent) == ["You have rated this already. Thank you!"]
    async with roster.session() as session:
        ratings = (await session.execute(select(PipelineRating))).scalars().all()
    assert [(r.subject, r.value, r.rater_kind) for r in ratings] == [
        (f"outcome:{outcome.id}", "4", "resident")
    ]


async def test_the_card_opens_its_topic_across_years(roster: Database, office: ChatUser) -> None:
    import datetime as dt

    from tests.support.cases import NOW

    desk = await staff_desk(roster, name="管理员")
    old = await new_outcome(roster, desk, topic="老城区更新", now=NOW - dt.timedelta(days=365))
    await new_outcome(roster, desk, topic="老城区更新")
    sent = await office.press(OutcomeCB(action="open", kind="o", id=old.id or 0).pack())
    assert "Long-running topic: 老城区更新" in office.texts(sent)[-1]
    sent = await office.press(office.button("The topic across years"))
    labels = [text for text, _data in office.inline_buttons()]
    assert any("2025 · 2025-C-0001" in label for label in labels)
    assert any("2026 · 2026-C-0001" in label for label in labels)
