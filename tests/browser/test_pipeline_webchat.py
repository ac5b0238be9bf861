"""Proposals in the web chat, in a real Chromium: a department answers, the member rates."""

from __future__ import annotations

import re

from playwright.async_api import Browser, Page, expect

from tests.browser.test_webchat import as_persona, bot_says, tap_inline, tap_keyboard, type_and_send


async def tap_exact(page: Page, label: str) -> None:
    """An inline button whose whole label is ``label`` (several may contain it)."""
    exact = re.compile(rf"^\s*{re.escape(label)}\s*$")
    await page.locator(".inline-button", has_text=exact).last.click()


async def test_the_department_answers_each_item_of_a_proposal(
    live_server: str, browser: Browser
) -> None:
    context, page = await as_persona(browser, live_server, "department")
    await type_and_send(page, "/handling")
    # The demo gave the department a proposal of three items and an outcome suggestion.
    await bot_says(page, "加装电梯的提案")
    await tap_inline(page, "加装电梯的提案")
    await bot_says(page, "简化加装电梯审批流程")
    for item in (1, 2, 3):
        await tap_inline(page, f"✍ Answer item {item}")
        await bot_says(page, "What was done about this item?")
        await type_and_send(page, f"第{item}项已纳入明年计划 <b>不是标记</b>")
        await bot_says(page, "How far was the suggestion adopted?")
        await tap_exact(page, "adopted" if item != 3 else "explained, not adopted")
        await tap_inline(page, "📤 Send the answer")
    card = page.locator(".bubble.bot").filter(has_text="第3项已纳入明年计划").last
    await expect(card).to_contain_text("<b>不是标记</b>")
    await expect(card).to_contain_text("This no longer waits for your answer.")
    await context.close()


async def test_the_member_rates_an_answered_proposal(live_server: str, browser: Browser) -> None:
    context, page = await as_persona(browser, live_server, "member")
    await bot_says(page, "Welcome, 张建华")
    await tap_keyboard(page, "📜 Proposals")
    await bot_says(page, "My proposals")
    await tap_inline(page, "提升物业服务质量")
    await bot_says(page, "建立物业服务质量评价制度")
    await tap_inline(page, "⭐ Rate the handling")
    await bot_says(page, "How satisfied are you with the handling of this proposal?")
    await tap_exact(page, "not satisfied")
    await bot_says(page, "Please say in writing why you are not satisfied.")
    await type_and_send(page, "公示制度还没有时间表。")
    await bot_says(page, "公示制度还没有时间表。")
    await tap_inline(page, "✅ Confirm")
    # Not satisfied: every item goes back to the department for a second round.
    await bot_says(page, "being handled again")
    await context.close()
