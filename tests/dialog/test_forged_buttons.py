"""Every button that carries an id is checked again: forged, stale or foreign ones are refused."""

from __future__ import annotations

import logging

import pytest
from aiogram.methods import AnswerCallbackQuery
from aiogram_dialog.utils import CB_SEP
from sqlalchemy import func, select

from handlers.callbacks import IssueCB
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


def forged(user: ChatUser, payload: str) -> str:
    """A press on the report's current dialog (its intent id) with a made-up button."""
    for _text, data in reversed(user.inline_buttons()):
        if CB_SEP in data:
            return data.split(CB_SEP)[0] + CB_SEP + payload
    raise AssertionError("no dialog button on screen")


OUT_OF_DATE = "This card is out of date. Here is where you are now."


async def test_forged_station_and_category_ids(resident: ChatUser) -> None:
    await resident.send("/report")
    sent = await resident.press(forged(resident, "station:999"))
    assert refusal(sent) == "This station is not available. Please choose another one."
    assert (await draft_of(resident))[0] == ReportForm.station.state
    await resident.tap("Bei'an")
    sent = await resident.press(forged(resident, "category:12345"))
    assert refusal(sent) == "This category is not available. Please choose another one."
    state, data = await draft_of(resident)
    assert state == ReportForm.category.state and "category_id" not in data


async def test_station_button_outside_its_step_is_stale(resident: ChatUser) -> None:
    await resident.send("/report")
    station = resident.button("Yuehai")
    await resident.tap("Bei'an")
    sent = await resident.press(station)
    assert refusal(sent) == "This button is no longer active. Please use the menu."
    state, data = await draft_of(resident)
    assert state == ReportForm.category.state and data["station_id"] == 4


async def test_review_buttons_of_another_draft(resident: ChatUser, sqlite_db: Database) -> None:
    await write_report_until_review(resident)
    sent = await resident.press("0123456789" + CB_SEP + "submit")
    assert refusal(sent) == OUT_OF_DATE
    # The card the dialog is on is drawn again; nothing was sent.
    assert "Please check your report" in resident.texts(sent)[-1]
    submit = resident.button("Submit")
    await resident.press(submit)
    sent = await resident.press(submit)
    assert refusal(sent) == OUT_OF_DATE
    assert "conversation that has ended" in resident.texts(sent)[-1]
    async with sqlite_db.session() as session:
        assert (await session.execute(select(func.count()).select_from(Issue))).scalar_one() == 1


async def test_unknown_review_action(resident: ChatUser) -> None:
    await write_report_until_review(resident)
    sent = await resident.press(forged(resident, "publish"))
    assert refusal(sent) == "This button is not valid."
    assert (await draft_of(resident))[0] == ReportForm.review.state


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        # The stations directory is a dialog now: its old buttons are no longer active.
        ("sti:view:4242", "This button is no longer active. Please use the menu."),
        ("sti:burn:1", "This button is no longer active. Please use the menu."),
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
    await resident.tap("Bei'an")
    await resident.tap("Parking")
    await resident.send("Cars block the fire lane at gate 3 every night after 8 pm.")
    await resident.send("⏭ Skip")
    await resident.send("⏭ Skip")
    sent = await resident.press(forged(resident, "carrier-pigeon"))
    assert refusal(sent) == "This button is not valid."
    assert (await draft_of(resident))[0] == ReportForm.contact.state


async def test_forged_resume_action_keeps_the_draft(resident: ChatUser) -> None:
    await resident.send("/report")
    await resident.tap("Bei'an")
    await resident.send("/report")  # asks whether to go on or start over
    sent = await resident.press(forged(resident, "wipe"))
    assert refusal(sent) == "This button is not valid."
    state, data = await draft_of(resident)
    assert state == ReportForm.resume.state and data["station_id"] == 4
    sent = await resident.tap("Continue")
    assert "Step 2 of 6" in resident.texts(sent)[-1]
    state, data = await draft_of(resident)
    assert state == ReportForm.category.state and data["station_id"] == 4


async def test_old_list_page_buttons_are_no_longer_active(resident: ChatUser) -> None:
    # "My issues" pages in its dialog now (tests/dialog/test_my_issues.py); a page button of
    # the list as it was drawn before is answered, and changes nothing.
    await submit_report(resident)
    for data in ("ip:999", "ip:-3"):
        sent = await resident.press(data)
        assert refusal(sent) == "This button is no longer active. Please use the menu."


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
    unknown = forged(resident, "publish")
    await press_and_expect(resident, caplog, unknown, "This button is not valid.", "publish")
    await press_and_expect(resident, caplog, "rv:submit", STALE, "rv:submit")  # not the dialog's
    # A card of a draft that is not (or no longer) on the stack: refused by the engine, which
    # draws the current card again; the draft and the cases stay as they were.
    before = await draft_of(resident)
    caplog.clear()
    with caplog.at_level(logging.INFO):
        sent = await resident.press("0123456789" + CB_SEP + "submit")
    assert refusal(sent) == OUT_OF_DATE
    assert logged(caplog, resident, "0123456789")
    assert await draft_of(resident) == before and await count_issues(resident) == 0
    submit, discard = resident.button("Submit"), resident.button("Discard")
    await resident.press(submit)
    assert await count_issues(resident) == 1
    for stale in (submit, discard):
        caplog.clear()
        with caplog.at_level(logging.INFO):
            sent = await resident.press(stale)
        assert refusal(sent) == OUT_OF_DATE
        assert logged(caplog, resident, stale.split(CB_SEP)[1])
        assert await draft_of(resident) == (None, {}) and await count_issues(resident) == 1


async def test_forged_and_stale_station_buttons_are_logged(
    resident: ChatUser, caplog: pytest.LogCaptureFixture
) -> None:
    await resident.send("/report")
    unavailable = "This station is not available. Please choose another one."
    await press_and_expect(resident, caplog, forged(resident, "station:999"), unavailable, "999")
    await press_and_expect(
        resident, caplog, forged(resident, "station:x"), unavailable, "station:x"
    )
    station, nearest = resident.button("Yuehai"), resident.button("nearest")
    await resident.tap("Bei'an")
    await press_and_expect(resident, caplog, station, STALE, "station:")
    await press_and_expect(resident, caplog, nearest, STALE, "nearest")


async def test_forged_and_stale_category_buttons_are_logged(
    resident: ChatUser, caplog: pytest.LogCaptureFixture
) -> None:
    await resident.send("/report")
    # Still choosing a station: a category button of this dialog is not on the current card.
    await press_and_expect(resident, caplog, forged(resident, "category:1"), STALE, "category:1")
    await resident.tap("Bei'an")
    unavailable = "This category is not available. Please choose another one."
    await press_and_expect(
        resident, caplog, forged(resident, "category:12345"), unavailable, "12345"
    )
    category = resident.button("Public facilities")
    await resident.tap("Parking")
    await press_and_expect(resident, caplog, category, STALE, "category:")


async def test_forged_and_stale_contact_buttons_are_logged(
    resident: ChatUser, caplog: pytest.LogCaptureFixture
) -> None:
    await resident.send("/report")
    await resident.tap("Bei'an")
    await resident.tap("Parking")
    await resident.send("Cars block the fire lane at gate 3 every night after 8 pm.")
    await resident.send("⏭ Skip")
    await press_and_expect(resident, caplog, forged(resident, "anonymous"), STALE, "anonymous")
    await resident.send("⏭ Skip")
    await press_and_expect(
        resident,
        caplog,
        forged(resident, "carrier-pigeon"),
        "This button is not valid.",
        "carrier-pigeon",
    )
    phone = resident.button("phone number")
    await resident.tap("anonymous")
    assert (await draft_of(resident))[0] == ReportForm.review.state
    await press_and_expect(resident, caplog, phone, STALE, "phone")
