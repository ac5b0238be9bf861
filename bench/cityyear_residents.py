"""Residents: report a case in the six-step dialog, read the answer, rate it, reopen it.

Every step is the app's real dialog on Telegram through the fake Bot API (or the web chat,
see ``cityyear_webchat``): the same buttons and typed texts a person uses, each step waiting
for the bot's answer before the next one. A resident does one thing at a time in their chat
(the chat's lock), as a person would.
"""

from __future__ import annotations

import re

from bench.cityyear_platform import CASE_NUMBER, CityFake, TelegramUser
from bench.cityyear_scenario import CATEGORIES, STATIONS, Case

STEP = {number: re.compile(f"Step {number} of 6") for number in range(1, 7)}
LEFTOVER = "report that is not sent yet"
FIRST_STEP_OR_LEFTOVER = re.compile(f"Step 1 of 6|{LEFTOVER}")
DISCARD_LEFTOVER = "Discard it and start over"
SUBMITTED = re.compile(r"case number is (\d{4}-\d{6})")
DIFFERENT = "mine is different"
PHOTO_ADDED = re.compile(r"Photo 1 of 3 added")
REOPENED = re.compile(r"is open again")
WORDS_TAKEN = re.compile(r"Your words went|moved on|Please write")
STARS = {count: "★" * count + "☆" * (5 - count) for count in range(1, 6)}


def resident(fake: CityFake, case: Case) -> TelegramUser:
    """The case's resident in their Telegram chat."""
    return TelegramUser(fake, case.resident_chat, first_name="Resident", language_code="en")


def photo_of(case: Case) -> list[dict[str, object]]:
    """A photo as Telegram describes one: two sizes of one picture."""
    file_id = f"cityyear-photo-{case.index}"
    return [
        {"file_id": f"{file_id}-s", "file_unique_id": f"{file_id}-us", "width": 90, "height": 90},
        {"file_id": file_id, "file_unique_id": f"u-{file_id}", "width": 1280, "height": 960},
    ]


async def report(fake: CityFake, case: Case) -> tuple[str, bool]:
    """Walk the report dialog; the case number and whether "me too" was offered."""
    person = resident(fake, case)
    async with fake.lock(person.chat_id):
        person.send("/report")
        first = await person.wait_text(FIRST_STEP_OR_LEFTOVER)
        if first.group(0) == LEFTOVER:
            # An earlier report of theirs broke off (a step timed out): they gave up on it.
            await person.press(DISCARD_LEFTOVER)
            await person.wait_text(STEP[1])
        await person.press(STATIONS[case.station][1])
        await person.press(CATEGORIES[case.category])
        await person.wait_text(STEP[3])
        person.send(case.text)
        await person.wait_text(STEP[4])
        if case.photo:
            person.send(None, photo=photo_of(case))
            await person.wait_text(PHOTO_ADDED)
            person.send("✅ Done")
        else:
            person.send("⏭ Skip")
        await person.wait_text(STEP[5])
        if case.location is None:
            person.send("⏭ Skip")
        else:
            latitude, longitude = case.location
            person.send(None, location={"latitude": latitude, "longitude": longitude})
        await person.press("Stay anonymous")
        await person.press("Submit")
        offered = await person.until(
            lambda: _submitted(person) or person.find_button(DIFFERENT), "case number"
        )
        if isinstance(offered, tuple):
            person.press_data(*offered)
            number = await person.until(lambda: _submitted(person), "case number")
            return str(number), True
        return str(offered), False


def _submitted(person: TelegramUser) -> str | None:
    for text in reversed(person.texts()):
        match = SUBMITTED.search(text)
        if match:
            return match.group(1)
    return None


async def wait_for_answer(fake: CityFake, case: Case, number: str, timeout: float) -> None:
    """Wait until the answer notice (with its rate button) reached the resident."""
    person = resident(fake, case)
    await person.wait_notice(number, "Rate the answer", timeout=timeout)


async def rate(fake: CityFake, case: Case, number: str) -> bool:
    """Rate the answer from its notice; returns True when the rating reopened the case."""
    person = resident(fake, case)
    assert case.rating is not None
    solved = not case.reopen
    async with fake.lock(person.chat_id):
        data, message_id = await person.wait_notice(number, "Rate the answer")
        person.press_data(data, message_id)
        stars = STARS[min(case.rating, 2) if case.reopen else max(case.rating, 3)]
        await person.press(re.compile(f"^{stars}$"))
        await person.press("Yes, solved" if solved else "No, not solved")
        if solved:
            await person.wait_text(re.compile(rf"Thank you for rating the answer to case {number}"))
            return False
        await person.wait_text(REOPENED)
        person.send("The problem is still there, nothing has changed since the answer.")
        await person.wait_text(WORDS_TAKEN)
        return True


__all__ = ["CASE_NUMBER", "rate", "report", "wait_for_answer"]
