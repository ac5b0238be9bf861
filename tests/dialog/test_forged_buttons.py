"""Every button that carries an id is checked again: forged, stale or foreign ones are refused."""

from __future__ import annotations

import logging

import pytest
from aiogram.methods import AnswerCallbackQuery
from sqlalchemy import func, select

from handlers.callbacks import IssueCB, ReviewCB
from handlers.states import ReportForm
from storage.db import Database
from storage.models import Issue
from tests.support.chat import ChatUser
from tests.support.flows import submit_report, write_report_until_review
from tests.support.state import draft_of


def refusal(sent: list[object]) -> str:
    answers = [r for r in sent if isinstance(r, AnswerCallbackQuery)]
    assert len(answers) == 1, sent
    assert answers[0].text, "a refusal must say why"
    return str(answers[0].text)


async def test_foreign_case_is_refused_and_logged(
    resident: ChatUser, other_resident: ChatUser, caplog: pytest.LogCaptureFixture
) -> None:
    await submit_report(resident, phone="13800138000")
    async with resident.dp["db"].session() as session:
        issue_id = (await session.execute(select(Issue.id))).scalar_one()
    with caplog.at_level(logging.WARNING):
        sent = await other_resident.press(IssueCB(action="view", id=issue_id).pack())
    assert refusal(sent) == "This case is not available."
    assert all("13800138000" not in text for text in other_resident.texts(sent))
    assert any("not theirs or unknown" in record.message for record in caplog.records)
    sent = await other_resident.press(IssueCB(action="photos", id=issue_id).pack())
    assert refusal(sent) == "This case is not available."


@pytest.mark.parametrize(
    "data",
    [
        IssueCB(action="view", id=999_999).pack(),
        IssueCB(action="delete", id=1).pack(),
        "is:view:not-a-number:0",
    ],
)
async def test_unknown_case_ids_and_actions(resident: ChatUser, data: str) -> None:
    await submit_report(resident)
    sent = await resident.press(data)
    assert refusal(sent) in {
        "This case is not available.",
        "This button is no longer active. Please use the menu.",
    }


async def test_forged_station_and_category_ids(resident: ChatUser) -> None:
    await resident.send("/report")
    sent = await resident.press("stp:999")
    assert refusal(sent) == "This station is not available. Please choose another one."
    assert (await draft_of(resident))[0] == ReportForm.station.state
    await resident.press(resident.button("Bei'an"))
    sent = await resident.press("cat:12345")
    assert refusal(sent) == "This category is not available. Please choose another one."
    state, data = await draft_of(resident)
    assert state == ReportForm.category.state and "category_id" not in data


async def test_station_button_outside_its_step_is_stale(resident: ChatUser) -> None:
    await resident.send("/report")
    await resident.press(resident.button("Bei'an"))
    sent = await resident.press("stp:1")
    assert refusal(sent) == "This button is no longer active. Please use the menu."
    state, data = await draft_of(resident)
    assert state == ReportForm.category.state and data["station_id"] == 4


async def test_review_buttons_of_another_draft(resident: ChatUser, sqlite_db: Database) -> None:
    await write_report_until_review(resident)
    sent = await resident.press(ReviewCB(action="submit", draft="0123456789abcdef").pack())
    assert refusal(sent) == "This report was already sent or discarded."
    sent = await resident.press(resident.button("Submit"))
    submit = resident.button("Submit")
    sent = await resident.press(submit)
    assert refusal(sent) == "This report was already sent or discarded."
    async with sqlite_db.session() as session:
        assert (await session.execute(select(func.count()).select_from(Issue))).scalar_one() == 1


async def test_unknown_review_action(resident: ChatUser) -> None:
    await write_report_until_review(resident)
    _state, data = await draft_of(resident)
    sent = await resident.press(ReviewCB(action="publish", draft=str(data["draft"])).pack())
    assert refusal(sent) == "This button is not valid."
    assert (await draft_of(resident))[0] == ReportForm.review.state


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("sti:view:4242", "This station is not available."),
        ("sti:burn:1", "This station is not available."),
        ("lang:fr", "This button is not valid."),
        ("ct:carrier-pigeon", "This button is no longer active. Please use the menu."),
        ("menu:admin", "This button is no longer active. Please use the menu."),
        ("garbage", "This button is no longer active. Please use the menu."),
        ("", "This button is no longer active. Please use the menu."),
    ],
)
async def test_forged_buttons_outside_a_dialog(
    resident: ChatUser, data: str, expected: str
) -> None:
    await resident.send("/start")
    sent = await resident.press(data)
    assert refusal(sent) == expected


async def test_forged_contact_choice_inside_the_dialog(resident: ChatUser) -> None:
    await resident.send("/report")
    await resident.press(resident.button("Bei'an"))
    await resident.press(resident.button("Parking"))
    await resident.send("Cars block the fire lane at gate 3 every night after 8 pm.")
    await resident.send("⏭ Skip")
    await resident.send("⏭ Skip")
    sent = await resident.press("ct:carrier-pigeon")
    assert refusal(sent) == "This button is not valid."
    assert (await draft_of(resident))[0] == ReportForm.contact.state


async def test_forged_resume_action_keeps_the_draft(resident: ChatUser) -> None:
    await resident.send("/report")
    await resident.press(resident.button("Bei'an"))
    sent = await resident.press("resume:wipe")
    assert "This button is not valid." in resident.texts(sent)
    state, data = await draft_of(resident)
    assert state == ReportForm.category.state and data["station_id"] == 4


async def test_page_numbers_out_of_range_are_clamped(resident: ChatUser) -> None:
    await submit_report(resident)
    sent = await resident.press("ip:999")
    assert "1 in all" in resident.texts(sent)[0]
    sent = await resident.press("ip:-3")
    assert "1 in all" in resident.texts(sent)[0]


# --- the report's own buttons: refused, logged, and nothing changes ---------------------------


async def count_issues(user: ChatUser) -> int:
    async with user.dp["db"].session() as session:
        return int((await session.execute(select(func.count()).select_from(Issue))).scalar_one())


def logged(caplog: pytest.LogCaptureFixture, user: ChatUser, *parts: str) -> bool:
    """Whether one record names the chat and every part of the button's data."""
    return any(
        str(user.chat.id) in record.getMessage()
        and all(part in record.getMessage() for part in parts)
        for record in caplog.records
    )


async def press_and_expect(
    user: ChatUser, caplog: pytest.LogCaptureFixture, data: str, answer: str, *logged_parts: str
) -> None:
    """Press a button that must be refused with ``answer`` and logged; the draft stays put."""
    before = await draft_of(user)
    issues = await count_issues(user)
    caplog.clear()
    with caplog.at_level(logging.INFO):
        sent = await user.press(data)
    assert refusal(sent) == answer
    assert logged(caplog, user, *logged_parts), [r.getMessage() for r in caplog.records]
    assert await draft_of(user) == before
    assert await count_issues(user) == issues
    # Only the refusal: no message, no edited question, no keyboard.
    assert all(isinstance(request, AnswerCallbackQuery) for request in sent), sent


STALE = "This button is no longer active. Please use the menu."


async def test_forged_and_stale_review_buttons_are_logged(
    resident: ChatUser, caplog: pytest.LogCaptureFixture
) -> None:
    await write_report_until_review(resident)
    _state, data = await draft_of(resident)
    gone = "This report was already sent or discarded."
    forged = ReviewCB(action="submit", draft="0123456789abcdef").pack()
    await press_and_expect(resident, caplog, forged, gone, forged)
    unknown = ReviewCB(action="publish", draft=str(data["draft"])).pack()
    await press_and_expect(resident, caplog, unknown, "This button is not valid.", unknown)
    await press_and_expect(resident, caplog, "rv:submit", STALE, "rv:submit")  # unparsable
    submit = resident.button("Submit")
    await resident.press(submit)
    assert await count_issues(resident) == 1
    await press_and_expect(resident, caplog, submit, gone, submit)
    discard = ReviewCB(action="discard", draft=str(data["draft"])).pack()
    await press_and_expect(resident, caplog, discard, gone, discard)


async def test_forged_and_stale_station_buttons_are_logged(
    resident: ChatUser, caplog: pytest.LogCaptureFixture
) -> None:
    await resident.send("/report")
    unavailable = "This station is not available. Please choose another one."
    await press_and_expect(resident, caplog, "stp:999", unavailable, "999")
    await press_and_expect(resident, caplog, "stp:x", STALE, "stp:x")
    await resident.press(resident.button("Bei'an"))
    await press_and_expect(resident, caplog, "stp:1", STALE, "stp:1")
    await press_and_expect(resident, caplog, "near", STALE, "near")


async def test_forged_and_stale_category_buttons_are_logged(
    resident: ChatUser, caplog: pytest.LogCaptureFixture
) -> None:
    await resident.send("/report")
    await press_and_expect(resident, caplog, "cat:1", STALE, "cat:1")  # still choosing a station
    await resident.press(resident.button("Bei'an"))
    unavailable = "This category is not available. Please choose another one."
    await press_and_expect(resident, caplog, "cat:12345", unavailable, "12345")
    await resident.press(resident.button("Parking"))
    await press_and_expect(resident, caplog, "cat:1", STALE, "cat:1")


async def test_forged_and_stale_contact_buttons_are_logged(
    resident: ChatUser, caplog: pytest.LogCaptureFixture
) -> None:
    await resident.send("/report")
    await resident.press(resident.button("Bei'an"))
    await resident.press(resident.button("Parking"))
    await resident.send("Cars block the fire lane at gate 3 every night after 8 pm.")
    await resident.send("⏭ Skip")
    await press_and_expect(resident, caplog, "ct:anonymous", STALE, "ct:anonymous")
    await resident.send("⏭ Skip")
    await press_and_expect(
        resident, caplog, "ct:carrier-pigeon", "This button is not valid.", "carrier-pigeon"
    )
    await resident.press(resident.button("anonymous"))
    assert (await draft_of(resident))[0] == ReportForm.review.state
    await press_and_expect(resident, caplog, "ct:phone", STALE, "ct:phone")
