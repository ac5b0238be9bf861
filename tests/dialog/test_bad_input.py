"""Bad input gets a clear answer and loses nothing already entered."""

from __future__ import annotations

from handlers.states import ReportForm
from services.limits import DESCRIPTION_MAX
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
    assert "Please type the description" not in " ".join(resident.texts(sent))
    assert (await draft_of(resident))[0] == ReportForm.description.state


async def test_user_text_is_escaped(resident: ChatUser) -> None:
    await write_report_until_review(
        resident, description="<b>bold</b> & <script>alert(1)</script> at gate 3"
    )
    review = resident.texts()[-1]
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; &lt;script&gt;alert(1)&lt;/script&gt;" in review
    assert "<script>" not in review
