"""My issues: the list, paging, a case's detail and photos, and nobody else's cases."""

from __future__ import annotations

import datetime as dt

from aiogram.methods import AnswerCallbackQuery, EditMessageText, SendPhoto
from sqlalchemy import select

from bot.app import AppContext, build_dispatcher
from handlers.states import MyIssues, ReportForm
from services.clock import ManualClock
from storage.models import Issue
from tests.support.chat import ChatUser, forged
from tests.support.flows import submit_report
from tests.support.state import dialog_stack, draft_of


async def test_empty_list_offers_to_report(resident: ChatUser) -> None:
    sent = await resident.send("📋 My issues")
    assert "not reported anything yet" in resident.texts(sent)[0]
    sent = await resident.press(resident.button("Report an issue"))
    assert "Step 1 of 6" in resident.texts(sent)[-1]


async def test_list_pages_newest_first(resident: ChatUser, clock: ManualClock) -> None:
    numbers = []
    for _ in range(7):
        numbers.append(await submit_report(resident))
        clock.advance(dt.timedelta(minutes=1))  # stay under the flood limit
    sent = await resident.send("/myissues")
    assert "7 in all. Page 1 of 2." in resident.texts(sent)[0]
    labels = [text for text, _data in resident.inline_buttons()]
    assert [label.split(" · ")[0] for label in labels[:5]] == numbers[::-1][:5]
    assert labels[-1] == "Older ▶"
    sent = await resident.tap("Older")
    assert any(isinstance(request, EditMessageText) for request in sent)
    assert "7 in all. Page 2 of 2." in resident.texts(sent)[0]
    labels = [text for text, _data in resident.inline_buttons()]
    assert [label.split(" · ")[0] for label in labels[:2]] == numbers[1::-1]
    assert labels[-1] == "◀ Newer"
    sent = await resident.tap("Newer")
    assert "7 in all. Page 1 of 2." in resident.texts(sent)[0]
    labels = [text for text, _data in resident.inline_buttons()]
    assert [label.split(" · ")[0] for label in labels[:5]] == numbers[::-1][:5]
    assert labels[-1] == "Older ▶"


async def test_detail_shows_status_timeline_and_own_phone(resident: ChatUser) -> None:
    number = await submit_report(resident, photos=2, phone="13800138000")
    await resident.send("📋 My issues")
    sent = await resident.press(resident.button(number))
    detail = resident.texts(sent)[0]
    for part in (
        f"Case {number}",
        "Status: Received",
        "Station: Bei'an Community Liaison Station",
        "Category: Parking and traffic",
        "Submitted: 2026-11-20 10:00",
        "Expected answer by: 2026-11-30",
        "Contact: 13800138000",
        "Timeline",
        "2026-11-20 10:00 · Submitted",
    ):
        assert part in detail
    sent = await resident.press(resident.button("Photos (2)"))
    assert [r.photo for r in sent if isinstance(r, SendPhoto)] == ["photo-0", "photo-1"]
    sent = await resident.press(resident.button("Back to my issues"))
    assert "1 in all" in resident.texts(sent)[0]


async def test_residents_see_only_their_own_cases(
    resident: ChatUser, other_resident: ChatUser
) -> None:
    mine = await submit_report(resident)
    theirs = await submit_report(
        other_resident, description="Shared bikes pile up on the pavement outside the metro exit."
    )
    await resident.send("/myissues")
    labels = " ".join(text for text, _ in resident.inline_buttons())
    assert mine in labels and theirs not in labels


def refusal(sent: list[object]) -> str:
    answers = [r for r in sent if isinstance(r, AnswerCallbackQuery)]
    assert len(answers) == 1, sent
    return str(answers[0].text)


async def case_id(user: ChatUser, number: str) -> int:
    async with user.dp["db"].session() as session:
        found = await session.execute(select(Issue.id).where(Issue.number == number))
        return int(found.scalar_one())


async def test_a_forged_case_id_in_the_list_is_refused(
    resident: ChatUser, other_resident: ChatUser
) -> None:
    await submit_report(resident)
    theirs = await case_id(
        other_resident,
        await submit_report(
            other_resident,
            phone="13800138000",
            description="Shared bikes pile up on the pavement outside the metro exit.",
        ),
    )
    await resident.send("/myissues")
    for item in (str(theirs), "999999", "x"):
        sent = await resident.press(forged(resident, f"case:{item}"))
        assert refusal(sent) == "This case is not available."
        assert all("13800138000" not in text for text in resident.texts(sent))
        assert not any(isinstance(r, EditMessageText) for r in sent)
    assert (await draft_of(resident))[0] == MyIssues.list.state


async def test_out_of_range_pages_show_the_nearest(resident: ChatUser) -> None:
    await submit_report(resident)
    await resident.send("/myissues")
    for page in ("999", "-3"):
        sent = await resident.press(forged(resident, f"older:{page}"))
        assert "1 in all" in resident.texts(sent)[0]
        assert "Page" not in resident.texts(sent)[0]


async def test_a_list_button_after_the_list_was_closed_is_refused(resident: ChatUser) -> None:
    number = await submit_report(resident)
    await resident.send("/myissues")
    case = resident.button(number)
    await resident.send("/cancel")
    sent = await resident.press(case)
    assert "out of date" in refusal(sent)
    assert "conversation that has ended" in resident.texts(sent)[-1]
    assert not any(f"Case {number}" in text for text in resident.texts(sent))
    # A report opened since: the list's button is out of date, and the report's card is drawn.
    await resident.send("/myissues")
    case = resident.button(number)
    await resident.send("/report")
    sent = await resident.press(case)
    assert "out of date" in refusal(sent)
    assert "Step 1 of 6" in resident.texts(sent)[-1]


async def test_the_list_resumes_after_a_restart(
    app: AppContext, resident: ChatUser, clock: ManualClock
) -> None:
    numbers = []
    for _ in range(6):
        numbers.append(await submit_report(resident))
        clock.advance(dt.timedelta(minutes=1))
    await resident.send("/myissues")
    await resident.tap("Older")
    # A new Dispatcher on the same database is a restarted process: the list is where it was.
    restarted = ChatUser(build_dispatcher(app), resident.bot, user_id=resident.user.id)
    sent = await restarted.tap(numbers[0])
    assert f"Case {numbers[0]}" in restarted.texts(sent)[0]
    sent = await restarted.tap("Back to my issues")
    assert "6 in all. Page 2 of 2." in restarted.texts(sent)[0]


async def test_a_notice_opens_the_case_card(resident: ChatUser, other_resident: ChatUser) -> None:
    number = await submit_report(resident)
    issue_id = await case_id(resident, number)
    # As a notice queued before the list became a dialog wrote it, and as notices write it now.
    for data in (f"is:view:{issue_id}:0", f"is:view:{issue_id}"):
        sent = await resident.press(data)
        assert f"Case {number}" in resident.texts(sent)[0]
        assert resident.button("Back to my issues")
        assert (await draft_of(resident))[0] == MyIssues.case.state
    sent = await resident.tap("Back to my issues")
    assert "1 in all" in resident.texts(sent)[0]
    sent = await other_resident.press(f"is:view:{issue_id}")
    assert refusal(sent) == "This case is not available."


async def test_the_list_during_a_report_keeps_the_draft(resident: ChatUser) -> None:
    number = await submit_report(resident)
    await resident.send("/report")
    await resident.tap("Bei'an")
    await resident.tap("Parking")
    before = await draft_of(resident)
    sent = await resident.send("📋 My issues")
    assert "1 in all" in resident.texts(sent)[0]
    sent = await resident.tap(number)
    assert f"Case {number}" in resident.texts(sent)[0]
    [(report, data, _), (card, _, _)] = await dialog_stack(resident)
    assert (report, data) == before and card == MyIssues.case.state
    sent = await resident.tap("Back to my issues")
    sent = await resident.tap("Continue my report")
    assert "Step 3 of 6" in resident.texts(sent)[-1]
    assert await draft_of(resident) == before
    # Typing while the list is open goes on with the report.
    await resident.send("📋 My issues")
    sent = await resident.send("Cars block the fire lane at gate 3 every night after 8 pm.")
    assert "Step 4 of 6" in resident.texts(sent)[-1]
    state, data = await draft_of(resident)
    assert state == ReportForm.photos.state and data["description"].startswith("Cars")
    assert len(await dialog_stack(resident)) == 1
