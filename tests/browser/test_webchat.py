"""A resident reports an issue in the web chat, in a real Chromium, against a real server."""

from __future__ import annotations

import datetime as dt
import re
import struct
import zlib
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect

CASE_NUMBER = re.compile(r"\b(\d{4}-\d{6})\b")


def tiny_png(path: Path) -> Path:
    """A valid 2x2 PNG, so the server sees a real photo."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
    path.write_bytes(png)
    return path


async def bot_says(page: Page, text: str) -> None:
    await expect(page.locator(".bubble.bot").filter(has_text=text).last).to_be_visible()


async def tap_inline(page: Page, label: str) -> None:
    await page.locator(".inline-button", has_text=label).last.click()


async def tap_keyboard(page: Page, label: str) -> None:
    await page.get_by_test_id("keyboard").get_by_role("button", name=label).click()


async def type_and_send(page: Page, text: str) -> None:
    await page.get_by_test_id("input").fill(text)
    await page.get_by_test_id("send").click()


async def test_full_report_in_english(live_server: str, browser: Browser, tmp_path: Path) -> None:
    context = await browser.new_context(
        locale="en-GB",
        extra_http_headers={"Accept-Language": "en-GB,en;q=0.9"},
        geolocation={"latitude": 38.4902, "longitude": 106.2423},
        permissions=["geolocation"],
    )
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    await page.goto(live_server)
    await expect(page.locator("body")).to_have_attribute("data-connected", "true")
    await page.get_by_test_id("start").click()
    await bot_says(page, "Welcome to the CPPCC liaison desk")

    await tap_keyboard(page, "📝 Report an issue")
    await bot_says(page, "Which liaison station")
    await tap_inline(page, "Bei'an Community Liaison Station")
    await tap_inline(page, "Parking and traffic")
    await bot_says(page, "Describe the problem")
    await type_and_send(page, "Cars block the fire lane at gate 3 every night <after> 8 pm.")
    await bot_says(page, "Send up to 3 photos")

    await page.get_by_test_id("file-input").set_input_files(str(tiny_png(tmp_path / "lane.png")))
    await bot_says(page, "Photo 1 of 3 added.")
    await expect(page.locator(".bubble.user img")).to_have_count(1)
    await tap_keyboard(page, "✅ Done")
    await bot_says(page, "Where exactly is it?")
    await tap_keyboard(page, "📍 Share location")
    await bot_says(page, "May the people handling your case call you?")
    await tap_inline(page, "📱 Leave my phone number")
    await tap_keyboard(page, "📱 Share my phone number")
    await page.get_by_test_id("phone-input").fill("13800138000")
    await page.get_by_test_id("phone-submit").click()

    await bot_says(page, "Please check your report")
    review = page.locator(".bubble.bot").filter(has_text="Please check your report").last
    await expect(review).to_contain_text("Location: 38.49020, 106.24230")
    await expect(review).to_contain_text("Contact: by phone, 13800138000")
    await expect(review).to_contain_text("<after>")  # shown as text, not markup
    await tap_inline(page, "✅ Submit")
    await bot_says(page, "Your case number is")
    text = (
        await page.locator(".bubble.bot").filter(has_text="Your case number is").last.inner_text()
    )
    match = CASE_NUMBER.search(text)
    assert match, text
    number = match.group(1)

    await tap_keyboard(page, "📋 My issues")
    await tap_inline(page, number)
    await bot_says(page, f"Case {number}")
    await tap_inline(page, "📷 Photos (1)")
    await expect(page.locator(".bubble.bot img")).to_have_count(1)
    image = page.locator(".bubble.bot img").last
    await expect(image).to_have_js_property("complete", True)
    assert await image.evaluate("img => img.naturalWidth") == 2
    assert errors == []
    await context.close()


async def test_station_qr_link_in_chinese_survives_a_reload(
    live_server: str, browser: Browser
) -> None:
    context = await browser.new_context(
        locale="zh-CN", extra_http_headers={"Accept-Language": "zh-CN,zh;q=0.9"}
    )
    page = await context.new_page()
    await page.goto(f"{live_server}/?start=st-xq-jingde")
    await bot_says(page, "敬德街社区社情民意联络站")
    await bot_says(page, "第 2 步")
    await tap_inline(page, "物业管理")
    await page.reload()
    await expect(page.locator("body")).to_have_attribute("data-connected", "true")
    await bot_says(page, "第 3 步")
    await type_and_send(page, "楼道里的灯坏了两个星期，晚上上下楼很不安全。")
    await bot_says(page, "第 4 步")
    # The deep link was sent once: a reload does not start the report again.
    await expect(page.locator(".bubble.bot").filter(has_text="来自二维码")).to_have_count(1)
    await expect(page.locator(".bubble.bot").filter(has_text="类别：物业管理")).to_have_count(1)
    await context.close()


async def as_member(browser: Browser, live_server: str) -> tuple[BrowserContext, Page]:
    """A page in English, switched to the demo member persona and connected."""
    return await as_persona(browser, live_server, "member", start=False)


async def test_member_logs_an_activity(live_server: str, browser: Browser, tmp_path: Path) -> None:
    context, page = await as_member(browser, live_server)
    # The demo case assigned to the member was announced before the member said anything;
    # the notice is there and so is the Start button.
    await bot_says(page, "2026-000002")
    await page.get_by_test_id("start").click()
    await bot_says(page, "Welcome, 张建华")

    await tap_keyboard(page, "🗓 Log an activity")
    await tap_inline(page, "Forum with sector group people")
    await tap_inline(page, "Today")
    await tap_inline(page, "My sector: Education")
    await bot_says(page, "How many people did you reach")
    await type_and_send(page, "15")
    await tap_inline(page, "☐ 王丽")
    await expect(page.locator(".inline-button", has_text="☑ 王丽")).to_be_visible()
    await tap_inline(page, "✅ Done")
    await tap_inline(page, "Jingde Street Community Liaison Station")
    await type_and_send(page, "Forum with teachers on after-school care and homework load.")
    await page.get_by_test_id("file-input").set_input_files(str(tiny_png(tmp_path / "forum.png")))
    await bot_says(page, "Photo 1 of 5 added.")
    await tap_keyboard(page, "✅ Done")
    await bot_says(page, "Please check the activity")
    review = page.locator(".bubble.bot").filter(has_text="Please check the activity").last
    await expect(review).to_contain_text("Paired people: 王丽")
    await expect(review).to_contain_text("People reached: 15")
    await tap_inline(page, "✅ Save")
    await bot_says(page, "This year: 15 of 40 person-times")

    await tap_keyboard(page, "📊 My progress")
    await bot_says(page, "Person-times: 15 of 40")
    await bot_says(page, "• 王丽 — last contacted")
    await context.close()


SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    "app_moment",
    [
        pytest.param(dt.datetime(2026, 12, 31, 23, 59, tzinfo=SHANGHAI), id="new-years-eve"),
        pytest.param(dt.datetime(2027, 1, 1, 0, 1, tzinfo=SHANGHAI), id="new-year"),
    ],
)
async def test_member_persona_at_the_turn_of_the_year(
    live_server: str, browser: Browser, app_moment: dt.datetime
) -> None:
    """In the quiet hours of a year's last and first minutes, the member still gets going."""
    context, page = await as_member(browser, live_server)
    await page.get_by_test_id("start").click()
    await bot_says(page, "Welcome, 张建华")
    await tap_keyboard(page, "📊 My progress")
    await bot_says(page, f"{app_moment.year} Q{(app_moment.month - 1) // 3 + 1}")
    await context.close()


async def test_a_download_link_carries_the_file_name(live_server: str, browser: Browser) -> None:
    context = await browser.new_context(
        locale="en-GB", extra_http_headers={"Accept-Language": "en-GB,en;q=0.9"}
    )
    page = await context.new_page()
    await page.goto(live_server)
    await expect(page.locator("body")).to_have_attribute("data-connected", "true")
    await page.get_by_test_id("start").click()
    await bot_says(page, "Welcome to the CPPCC liaison desk")
    await type_and_send(page, "/mydata")
    link = page.locator(".bubble.bot a.document-link").last
    await expect(link).to_have_text(re.compile(r"mydata-\d{8}-\d{6}\.json"))
    name = await link.locator(".document-name").inner_text()
    await expect(link).to_have_attribute("download", name)
    async with page.expect_download() as info:
        await link.click()
    download = await info.value
    assert download.suggested_filename == name
    await context.close()


async def test_the_page_follows_a_language_chosen_in_the_chat(
    live_server: str, browser: Browser
) -> None:
    context = await browser.new_context(
        locale="en-GB", extra_http_headers={"Accept-Language": "en-GB,en;q=0.9"}
    )
    page = await context.new_page()
    await page.goto(live_server)
    await expect(page.locator("body")).to_have_attribute("data-connected", "true")
    await page.get_by_test_id("start").click()
    await bot_says(page, "Welcome to the CPPCC liaison desk")
    await expect(page.get_by_test_id("send")).to_have_text("Send")
    await type_and_send(page, "/language")
    await tap_inline(page, "中文")
    # No reload: the page's own words change with the chat's.
    await expect(page.get_by_test_id("input")).to_have_attribute("placeholder", "输入消息")
    await expect(page.get_by_test_id("send")).not_to_have_text("Send")
    await expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    await context.close()


async def as_persona(
    browser: Browser, live_server: str, persona: str, *, start: bool = True
) -> tuple[BrowserContext, Page]:
    """A page in English, switched to a demo persona and connected; started unless told."""
    context = await browser.new_context(
        locale="en-GB", extra_http_headers={"Accept-Language": "en-GB,en;q=0.9"}
    )
    page = await context.new_page()
    await page.goto(live_server)
    await expect(page.locator("body")).to_have_attribute("data-connected", "true")
    await page.get_by_test_id("persona").select_option(persona)
    await expect(page.locator("body")).to_have_attribute("data-connected", "true")
    if start:
        await page.get_by_test_id("start").click()
    return context, page


async def test_staff_find_a_case_and_an_old_card_is_refused_once_it_moved_on(
    live_server: str, browser: Browser
) -> None:
    staff, desk = await as_persona(browser, live_server, "staff")
    await bot_says(desk, "/case")
    # Words of a description, in Chinese, find the case; its button opens the card.
    await type_and_send(desk, "路灯")
    await bot_says(desk, "Cases matching “路灯”")
    await tap_inline(desk, "2026-000002")
    await bot_says(desk, "Case 2026-000002")
    card = desk.locator(".bubble.bot").filter(has_text="Case 2026-000002").last
    await expect(card).to_contain_text("敬德街小学门口的路灯")
    await expect(card.locator(".inline-button", has_text="✖ Reject")).to_be_visible()

    # The member it is assigned to answers it meanwhile, from their own chat.
    member, chat = await as_persona(browser, live_server, "member")
    await bot_says(chat, "Welcome, 张建华")
    await tap_keyboard(chat, "📨 Assigned cases")
    await tap_inline(chat, "2026-000002")
    await tap_inline(chat, "Reply to the resident")
    await type_and_send(chat, "The street office replaced the lamp on Tuesday.")
    await tap_inline(chat, "Send to the resident")
    await bot_says(chat, "sent")
    await member.close()

    # The staff card drawn before the answer is out of date: refused, and drawn anew.
    await card.locator(".inline-button", has_text="✖ Reject").click()
    await expect(desk.get_by_test_id("alert")).to_be_visible()
    await expect(desk.get_by_test_id("alert")).to_contain_text("out of date")
    await desk.get_by_test_id("alert-ok").click()
    await expect(
        desk.locator(".bubble.bot").filter(has_text="Status: Answered").last
    ).to_contain_text("Case 2026-000002")

    # A case number typed after /case opens its card at once.
    await type_and_send(desk, "/case 1")
    await bot_says(desk, "Case 2026-000001")
    await staff.close()


async def test_a_meeting_changed_and_cancelled_reaches_the_member(
    live_server: str, browser: Browser, app_moment: dt.datetime
) -> None:
    day = (app_moment + dt.timedelta(days=7)).astimezone(SHANGHAI).date().isoformat()
    staff, desk = await as_persona(browser, live_server, "staff")
    await bot_says(desk, "Welcome to the liaison office's desk")
    await tap_keyboard(desk, "➕ New meeting")
    await tap_inline(desk, "Bimonthly consultation")
    await type_and_send(desk, "Elderly care in old neighbourhoods")
    await type_and_send(desk, f"{day} 14:30")
    await type_and_send(desk, "17:00")
    await type_and_send(desk, "Committee hall, 3rd floor")
    await tap_inline(desk, "All members")
    await tap_inline(desk, "⏭ Skip")
    await bot_says(desk, "materials")
    await tap_inline(desk, "⏭ Skip")
    await tap_inline(desk, "Create and invite")
    await bot_says(desk, "invitations are on their way")

    member, chat = await as_persona(browser, live_server, "member")
    # The demo member's chat is sent its backlog of the demo's notices first, one a second
    # (the per-chat pace), so the invitation may come some seconds later.
    invitation = chat.locator(".bubble.bot").filter(has_text="Elderly care in old neighbourhoods")
    await expect(invitation.last).to_be_visible(timeout=30_000)

    await tap_keyboard(desk, "📅 Meetings")
    await tap_inline(desk, "Elderly care")
    await tap_inline(desk, "✏️ Change")
    await tap_inline(desk, "✏️ Venue")
    await type_and_send(desk, "Room 201, Committee building")
    await tap_inline(desk, "Save and tell the invited")
    await bot_says(desk, "everyone invited is told what changed")
    changed = chat.locator(".bubble.bot").filter(has_text="Meeting changed").last
    await expect(changed).to_contain_text("Changed: the venue.")
    await expect(changed).to_contain_text("Room 201, Committee building")

    await tap_keyboard(desk, "📅 Meetings")
    await tap_inline(desk, "Elderly care")
    await tap_inline(desk, "Cancel the meeting")
    await tap_inline(desk, "Yes, cancel it")
    cancelled = desk.locator(".bubble.bot").filter(has_text="✖ Cancelled at").last
    await expect(cancelled).to_be_visible()
    await expect(cancelled.locator(".inline-button", has_text="Check-in QR code")).to_have_count(0)
    await expect(cancelled).not_to_contain_text("not answered yet")
    await expect(cancelled).not_to_contain_text("Check-in code")
    await bot_says(chat, "Meeting cancelled")
    await member.close()
    await staff.close()


async def test_member_reads_their_record_and_asks_for_a_correction(
    live_server: str, browser: Browser
) -> None:
    context, page = await as_member(browser, live_server)
    await page.get_by_test_id("start").click()
    await bot_says(page, "Welcome, 张建华")
    await tap_keyboard(page, "📁 My record")
    await bot_says(page, "Total so far")
    await tap_inline(page, "🗓 Past years")
    await bot_says(page, "2025:")
    await tap_inline(page, "◀ Back")
    await tap_inline(page, "📋 Items and lines")
    await bot_says(page, "choose one to see its lines")
    # Notices (the published 2025 lists) may arrive meanwhile: the record's card is edited in
    # place, so its buttons are found by its text, not by being the last message.
    card = page.locator(".bubble.bot").filter(has_text="choose one to see its lines").last
    await card.locator(".inline-button").first.click()
    await bot_says(page, "choose a line")
    card = page.locator(".bubble.bot").filter(has_text="choose a line").last
    await card.locator(".inline-button").first.click()
    await bot_says(page, "From:")
    await tap_inline(page, "✍ Ask for a correction")
    await bot_says(page, "Why should this line be corrected?")
    await type_and_send(page, "I spoke at this meeting; the speech is missing from my record.")
    await bot_says(page, "Send this request to the office?")
    await tap_inline(page, "📨 Send")
    await bot_says(page, "waits for the office")
    await context.close()
