"""My issues: the list, paging, a case's detail and photos, and nobody else's cases."""

from __future__ import annotations

import datetime as dt

from aiogram.methods import EditMessageText, SendPhoto

from services.clock import ManualClock
from tests.support.chat import ChatUser
from tests.support.flows import submit_report


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
    sent = await resident.press(resident.button("Older"))
    assert isinstance(sent[-1], EditMessageText)
    labels = [text for text, _data in resident.inline_buttons()]
    assert [label.split(" · ")[0] for label in labels[:2]] == numbers[1::-1]
    assert labels[-1] == "◀ Newer"


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
    theirs = await submit_report(other_resident)
    await resident.send("/myissues")
    labels = " ".join(text for text, _ in resident.inline_buttons())
    assert mine in labels and theirs not in labels
