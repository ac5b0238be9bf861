"""Shortcuts through the resident's dialogs, for tests that need a case to exist."""

from __future__ import annotations

import re

from tests.support.chat import ChatUser

CASE_NUMBER = re.compile(r"\b(\d{4}-\d{6})\b")


async def write_report_until_review(
    user: ChatUser,
    *,
    station: str = "Bei'an",
    category: str = "Parking",
    description: str = "Cars block the fire lane at gate 3 every night after 8 pm.",
    photos: int = 0,
    location: tuple[float, float] | None = None,
    phone: str | None = None,
) -> None:
    """Go through the six steps in English; stop at the review."""
    await user.send("/report")
    await user.press(user.button(station))
    await user.press(user.button(category))
    await user.send(description)
    for index in range(photos):
        await user.photo(f"photo-{index}")
    await user.send("✅ Done" if photos else "⏭ Skip")
    if location is None:
        await user.send("⏭ Skip")
    else:
        await user.location(*location)
    if phone is None:
        await user.press(user.button("anonymous"))
    else:
        await user.press(user.button("phone number"))
        await user.contact(phone)


async def submit_report(user: ChatUser, **kwargs: object) -> str:
    """Write and submit a report; return its case number."""
    await write_report_until_review(user, **kwargs)
    requests = await user.press(user.button("Submit"))
    for text in user.texts(requests):
        match = CASE_NUMBER.search(text)
        if match:
            return match.group(1)
    raise AssertionError(f"no case number in {user.texts(requests)}")
