"""Bad input gets a clear answer and loses nothing already entered."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiogram.methods import TelegramMethod
from aiogram.types import (
    Animation,
    Document,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Video,
    VideoNote,
    Voice,
)

from handlers.states import ReportForm
from services.cases.limits import DESCRIPTION_MAX
from storage.db import Database
from storage.models import IssueCategory, Station
from tests.support.chat import ChatUser
from tests.support.flows import write_report_until_review
from tests.support.state import draft_of


async def at_description_step(user: ChatUser) -> None:
    await user.send("/report")
    await user.press(user.button("Bei'an"))
    await user.press(user.button("Parking"))


async def test_over_long_description_is_refused_and_the_draft_kept(resident: ChatUser) -> None:
    await at_description_step(resident)
    before_state, before = await draft_of(resident)
    sent = await resident.send("x" * (DESCRIPTION_MAX + 1))
    assert resident.texts(sent) == [
        f"That is too long: {DESCRIPTION_MAX + 1} characters, the limit is {DESCRIPTION_MAX}. "
        "Please shorten it and send it again; your other answers are kept."
    ]
    state, data = await draft_of(resident)
    assert state == before_state == ReportForm.description.state
    assert data == before and data["station_id"] and data["category_id"]
    sent = await resident.send("y" * DESCRIPTION_MAX)
    assert "Step 4 of 6" in resident.texts(sent)[0]


async def test_too_short_description(resident: ChatUser) -> None:
    await at_description_step(resident)
    sent = await resident.send("  broken  ")
    assert "a bit short (6 characters)" in resident.texts(sent)[0]
    assert (await draft_of(resident))[0] == ReportForm.description.state


async def test_photo_or_sticker_where_text_is_expected(resident: ChatUser) -> None:
    await at_description_step(resident)
    for sent in (await resident.photo(), await resident.sticker()):
        assert resident.texts(sent) == [
            "Please type the description as text. You can add photos in the next step."
        ]
    state, data = await draft_of(resident)
    assert state == ReportForm.description.state and data["category_id"]


async def test_more_than_three_photos(resident: ChatUser) -> None:
    await at_description_step(resident)
    await resident.send("Cars block the fire lane at gate 3 every night after 8 pm.")
    for index in range(3):
        sent = await resident.photo(f"p{index}")
        assert f"Photo {index + 1} of 3 added." in resident.texts(sent)[0]
    assert "the most a report can carry" in resident.texts()[-1]
    sent = await resident.photo("p3")
    assert "At most 3 photos per report; this one was not added." in resident.texts(sent)[0]
    _state, data = await draft_of(resident)
    assert [photo["file_id"] for photo in data["photos"]] == ["p0", "p1", "p2"]  # type: ignore[attr-defined]


async def test_wrong_media_in_the_photo_step(resident: ChatUser) -> None:
    await at_description_step(resident)
    await resident.send("Cars block the fire lane at gate 3 every night after 8 pm.")
    sent = await resident.document("application/pdf")
    assert "Only photos can be attached" in resident.texts(sent)[0]
    sent = await resident.document("image/png", file_size=30 * 1024 * 1024)
    assert "larger than 10 MB" in resident.texts(sent)[0]
    sent = await resident.sticker()
    assert resident.texts(sent) == ["Please send a photo, or press “⏭ Skip”."]
    sent = await resident.document("image/png", file_id="scan")
    assert "Photo 1 of 3 added." in resident.texts(sent)[0]
    _state, data = await draft_of(resident)
    assert [photo["file_id"] for photo in data["photos"]] == ["scan"]  # type: ignore[attr-defined]


async def test_fourth_photo_of_an_album_arriving_after_done(resident: ChatUser) -> None:
    await at_description_step(resident)
    await resident.send("Cars block the fire lane at gate 3 every night after 8 pm.")
    await resident.send("⏭ Skip")
    sent = await resident.photo("late")
    assert "this one was not added" in resident.texts(sent)[0]


async def test_text_where_a_location_is_expected(resident: ChatUser) -> None:
    await at_description_step(resident)
    await resident.send("Cars block the fire lane at gate 3 every night after 8 pm.")
    await resident.send("⏭ Skip")
    sent = await resident.send("next to the school")
    assert "share the location with the button below" in resident.texts(sent)[0]


async def test_someone_elses_contact_and_a_bad_number(resident: ChatUser) -> None:
    await at_description_step(resident)
    await resident.send("Cars block the fire lane at gate 3 every night after 8 pm.")
    await resident.send("⏭ Skip")
    await resident.send("⏭ Skip")
    await resident.press(resident.button("phone number"))
    sent = await resident.contact("+8613700000000", user_id=999)
    assert "belongs to someone else" in resident.texts(sent)[0]
    sent = await resident.send("call me maybe")
    assert "does not look like a phone number" in resident.texts(sent)[0]
    sent = await resident.sticker()
    assert "Please share your number" in resident.texts(sent)[0]
    state, data = await draft_of(resident)
    assert state == ReportForm.phone.state and "phone" not in data


async def test_typing_during_the_review(resident: ChatUser) -> None:
    await write_report_until_review(resident)
    sent = await resident.send("submit please")
    assert "use the buttons above" in resident.texts(sent)[0]
    assert (await draft_of(resident))[0] == ReportForm.review.state


async def test_unknown_command_and_stray_input(resident: ChatUser) -> None:
    sent = await resident.send("/frobnicate now")
    assert resident.texts(sent) == [
        "I do not know the command /frobnicate. Send /help to see what I can do."
    ]
    sent = await resident.send("hello?")
    assert "choose from the menu" in resident.texts(sent)[0]
    sent = await resident.sticker()
    assert "tap “📝 Report an issue” first" in resident.texts(sent)[0]


async def test_unknown_command_in_the_middle_of_a_report(resident: ChatUser) -> None:
    await at_description_step(resident)
    sent = await resident.send("/frobnicate")
    assert resident.texts(sent) == [
        "I do not know the command /frobnicate. Send /help to see what I can do."
    ]
    assert (await draft_of(resident))[0] == ReportForm.description.state


async def test_station_and_category_names_are_escaped(
    resident: ChatUser, sqlite_db: Database
) -> None:
    """Names are reference data that staff edit; a stray ``&`` or ``<`` must not break a message."""
    async with sqlite_db.writing() as session:
        session.add(Station(code="AMP", name_zh="龙 & <狮> 站", name_en="Long & <Shi> station"))
        session.add(IssueCategory(code="amp", name_zh="噪声 & <灰尘>", name_en="Noise & <dust>"))
    station = "Long &amp; &lt;Shi&gt; station"
    category = "Noise &amp; &lt;dust&gt;"

    await resident.send("/start st-AMP")  # the station's QR code
    assert f"Station: <b>{station}</b> (from the QR code)." in resident.texts()
    sent = await resident.press(resident.button("Noise & <dust>"))
    assert f"Category: <b>{category}</b>" in resident.texts(sent)

    await resident.send("/report")  # a new report, the station chosen from the list
    await resident.press(resident.button("start over"))
    sent = await resident.press(resident.button("Long & <Shi>"))
    assert f"Station: <b>{station}</b>" in resident.texts(sent)
    await resident.press(resident.button("Noise & <dust>"))
    await resident.send("Cars block the fire lane at gate 3 every night after 8 pm.")
    await resident.send("⏭ Skip")
    await resident.send("⏭ Skip")
    await resident.press(resident.button("anonymous"))
    review = resident.texts()[-1]
    assert f"Station: {station}" in review and f"Category: {category}" in review
    assert not any("<Shi>" in text or "<dust>" in text for text in resident.texts())


async def test_user_text_is_escaped(resident: ChatUser) -> None:
    await write_report_until_review(
        resident, description="<b>bold</b> & <script>alert(1)</script> at gate 3"
    )
    review = resident.texts()[-1]
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; &lt;script&gt;alert(1)&lt;/script&gt;" in review
    assert "<script>" not in review


# --- anything but the expected input, at every step of the report ------------------------------

# What Telegram sends for each kind of media. A GIF carries a document too, for old clients.
MEDIA: dict[str, dict[str, object]] = {
    "document": {
        "document": Document(
            file_id="f-pdf", file_unique_id="u-pdf", mime_type="application/pdf", file_size=900
        )
    },
    "voice": {"voice": Voice(file_id="f-voice", file_unique_id="u-voice", duration=4)},
    "video": {
        "video": Video(
            file_id="f-video", file_unique_id="u-video", width=640, height=480, duration=9
        )
    },
    "animation": {
        "animation": Animation(
            file_id="f-gif", file_unique_id="u-gif", width=320, height=240, duration=2
        ),
        "document": Document(file_id="f-gif", file_unique_id="u-gif", mime_type="video/mp4"),
    },
    "video_note": {
        "video_note": VideoNote(file_id="f-note", file_unique_id="u-note", length=240, duration=5)
    },
}


async def send_media(user: ChatUser, kind: str) -> list[TelegramMethod[Any]]:
    message = Message.model_validate(
        {
            "message_id": 90_000,
            "date": 0,
            "chat": user.chat,
            "from_user": user.user,
            **MEDIA[kind],
        }
    )
    return await user.send_message(message)


async def at_station(user: ChatUser) -> None:
    await user.send("/report")


async def at_category(user: ChatUser) -> None:
    await at_station(user)
    await user.press(user.button("Bei'an"))


async def at_photos(user: ChatUser) -> None:
    await at_description_step(user)
    await user.send("Cars block the fire lane at gate 3 every night after 8 pm.")


async def at_location(user: ChatUser) -> None:
    await at_photos(user)
    await user.send("⏭ Skip")


async def at_contact(user: ChatUser) -> None:
    await at_location(user)
    await user.send("⏭ Skip")


async def at_phone(user: ChatUser) -> None:
    await at_contact(user)
    await user.press(user.button("phone number"))


NOT_A_PHOTO = "Only photos can be attached (JPEG, PNG or WebP). Send a photo or press “⏭ Skip”."
STEPS: dict[str, tuple[Callable[[ChatUser], Awaitable[None]], str | None, dict[str, str]]] = {
    # step: (how to get there, the state, the answer; per kind where the kind matters)
    "station": (
        at_station,
        ReportForm.station.state,
        {"": "Please choose a station with the buttons above, or share your location."},
    ),
    "category": (
        at_category,
        ReportForm.category.state,
        {"": "Please choose a category with the buttons above."},
    ),
    "description": (
        at_description_step,
        ReportForm.description.state,
        {"": "Please type the description as text. You can add photos in the next step."},
    ),
    "photos": (
        at_photos,
        ReportForm.photos.state,
        {
            "": "Please send a photo, or press “⏭ Skip”.",
            "document": NOT_A_PHOTO,
            "animation": NOT_A_PHOTO,
        },
    ),
    "location": (
        at_location,
        ReportForm.location.state,
        {"": "Please share the location with the button below, or skip."},
    ),
    "contact": (
        at_contact,
        ReportForm.contact.state,
        {"": "Please choose with the buttons above: anonymous or by phone."},
    ),
    "phone": (
        at_phone,
        ReportForm.phone.state,
        {"": "Please share your number with the button below, or type it."},
    ),
    "review": (
        write_report_until_review,
        ReportForm.review.state,
        {"": "Please use the buttons above to edit, submit or discard your report."},
    ),
}


@pytest.mark.parametrize("kind", sorted(MEDIA))
@pytest.mark.parametrize("step", list(STEPS))
async def test_any_media_at_any_step_is_answered_by_that_step(
    resident: ChatUser, step: str, kind: str
) -> None:
    reach, expected_state, answers = STEPS[step]
    await reach(resident)
    before = await draft_of(resident)
    assert before[0] == expected_state
    sent = await send_media(resident, kind)
    assert resident.texts(sent) == [answers.get(kind, answers[""])]
    # Not the fallback's main menu, nor a removed keyboard: the step's own buttons stay.
    for request in sent:
        markup = getattr(request, "reply_markup", None)
        assert not isinstance(markup, ReplyKeyboardRemove)
        if isinstance(markup, ReplyKeyboardMarkup):
            labels = [button.text for row in markup.keyboard for button in row]
            assert "📝 Report an issue" not in labels and "✖ Cancel" in labels
    assert await draft_of(resident) == before


async def test_a_file_after_a_photo_names_the_done_button(resident: ChatUser) -> None:
    await at_photos(resident)
    await resident.photo("p0")
    sent = await resident.document("application/zip")
    assert resident.texts(sent) == [
        "Only photos can be attached (JPEG, PNG or WebP). Send a photo or press “✅ Done”."
    ]
    _state, data = await draft_of(resident)
    assert [photo["file_id"] for photo in data["photos"]] == ["p0"]
