"""The assignee's dialogs: edit from the preview, a restart mid-answer, stale cards, the report."""

from __future__ import annotations

from aiogram import Bot
from aiogram.methods import AnswerCallbackQuery
from sqlalchemy import select

from bot.app import AppContext, build_dispatcher
from storage.db import Database
from storage.models import ConditionsReport
from tests.dialog.test_casework_refusals import assign_to_second_member
from tests.support.cases import reload
from tests.support.chat import ChatUser
from tests.support.flows import submit_report
from tests.support.notices import message_of, outbox


def alert(sent: list[object]) -> str:
    answers = [r for r in sent if isinstance(r, AnswerCallbackQuery)]
    return str(answers[-1].text or "") if answers else ""


async def open_assigned(holder: ChatUser, number: str) -> None:
    sent = await holder.send("📨 Assigned cases")
    assert "1 waiting for your answer, 1 in all." in holder.texts(sent)[0]
    sent = await holder.tap(number)
    assert f"Case {number}" in holder.texts(sent)[-1]


async def test_rewrite_from_the_preview_after_a_restart(
    resident: ChatUser,
    office: ChatUser,
    second_member: ChatUser,
    roster: Database,
    app: AppContext,
    bot: Bot,
) -> None:
    number = await submit_report(resident)
    await assign_to_second_member(office, number)
    await open_assigned(second_member, number)
    await second_member.tap("Reply to the resident")
    sent = await second_member.send("We will look at it.")
    assert "We will look at it." in second_member.texts(sent)[-1]
    # A new Dispatcher on the same database is a restarted process: the preview still works.
    restarted = ChatUser(build_dispatcher(app), bot, user_id=7002)
    sent = await restarted.tap("Rewrite")
    assert "Type the answer again." in restarted.texts(sent)[-1]
    sent = await restarted.send("The estate repaired the light on Monday.")
    assert "The resident will read:" in restarted.texts(sent)[-1]
    sent = await restarted.tap("Send to the resident")
    assert "can rate it" in " ".join(restarted.texts(sent))
    [reply] = await outbox(roster, "case-reply")
    assert "repaired the light" in message_of(reply).text
    assert "look at it" not in message_of(reply).text


async def test_a_card_of_an_ended_answer_is_stale(
    resident: ChatUser, office: ChatUser, second_member: ChatUser, roster: Database
) -> None:
    number = await submit_report(resident)
    issue_id = (await reload_by_number(roster, number)).id
    await assign_to_second_member(office, number)
    await open_assigned(second_member, number)
    await second_member.tap("Reply to the resident")
    await second_member.send("Not this one.")
    send = second_member.button_on_message("Send to the resident")
    sent = await second_member.tap("Drop")
    assert "dropped; nothing was sent" in " ".join(second_member.texts(sent))
    sent = await second_member.press(send[0], message_id=send[1])
    assert "out of date" in alert(sent)
    assert await outbox(roster, "case-reply") == []
    assert issue_id is not None and (await reload(roster, issue_id)).status == "assigned"


async def test_typing_a_sticker_or_a_menu_label_in_a_step(
    resident: ChatUser, office: ChatUser, second_member: ChatUser, roster: Database
) -> None:
    number = await submit_report(resident)
    await assign_to_second_member(office, number)
    await open_assigned(second_member, number)
    await second_member.tap("Note")
    sent = await second_member.sticker()
    assert "type it as text" in second_member.texts(sent)[0]
    sent = await second_member.send("📊 My progress")  # the menu opens, the note still waits
    assert "My progress" in second_member.texts(sent)[0]
    sent = await second_member.send("Called the estate office.")
    assert "Note added." in second_member.texts(sent)[0]
    assert f"Case {number}" in second_member.texts(sent)[-1]


async def test_a_social_conditions_report_with_an_edit_from_the_review(
    resident: ChatUser, office: ChatUser, second_member: ChatUser, roster: Database
) -> None:
    number = await submit_report(resident)
    await assign_to_second_member(office, number)
    await second_member.send("📨 Assigned cases")
    sent = await second_member.tap("Write a social-conditions report")
    assert "Choose up to" in second_member.texts(sent)[-1]
    sent = await second_member.tap("Next")
    assert alert(sent) == "Choose at least one case."
    sent = await second_member.tap(number)
    assert any(label.startswith("☑") for label, _ in second_member.inline_buttons())
    await second_member.tap("Next")
    sent = await second_member.send("x" * 201)
    assert "please keep it under" in second_member.texts(sent)[0]
    await second_member.send("Fire lanes")
    await second_member.send("Cars block the fire lanes of old estates every night.")
    sent = await second_member.tap("Title")
    assert "title" in second_member.texts(sent)[-1]
    sent = await second_member.send("Fire lanes in old estates")
    review = second_member.texts(sent)[-1]
    assert "<b>Fire lanes in old estates</b>" in review and "every night" in review
    sent = await second_member.tap("Send to staff")
    assert "Staff will read your report" in " ".join(second_member.texts(sent))
    async with roster.session() as session:
        [report] = (await session.execute(select(ConditionsReport))).scalars().all()
    assert report.title == "Fire lanes in old estates"


async def reload_by_number(db: Database, number: str):  # type: ignore[no-untyped-def]
    from storage.models import Issue

    async with db.session() as session:
        return (await session.execute(select(Issue).where(Issue.number == number))).scalar_one()


async def test_cancel_ends_the_step_and_nothing_is_noted(
    resident: ChatUser, office: ChatUser, second_member: ChatUser, roster: Database
) -> None:
    number = await submit_report(resident)
    await assign_to_second_member(office, number)
    await open_assigned(second_member, number)
    await second_member.tap("Note")
    sent = await second_member.send("/cancel")
    assert "Cancelled; nothing was changed." in second_member.texts(sent)[0]
    sent = await second_member.send("Not a note any more.")
    assert "Note added." not in " ".join(second_member.texts(sent))
    sent = await second_member.tap("Note")  # the card is of the dialog /cancel ended
    assert "out of date" in alert(sent)
    await open_assigned(second_member, number)
    await second_member.tap("Note")
    sent = await second_member.tap("Cancel")  # the step's own ✖ Cancel
    assert "Back to the menu." in " ".join(second_member.texts(sent))
