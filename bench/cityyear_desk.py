"""The committee office and the assignees: triage, assignment, answers, more time, hand-backs.

Staff work in their own chats: ``/case <number>`` opens a case card, then the card's buttons
(assign to a department or to a member with seven days to answer, or the office's own
reply). Assignees (a department's handler, or a member) act from the notice the outbox brought
them ("Open the case"): reply to the resident, ask for more time (staff grant it from their
notice), or hand the case back (staff assign it again, to a department). A reopened case gets
the office's own answer. Each person's chat is used by one task at a time (its lock).
"""

from __future__ import annotations

import re

from bench.cityyear_platform import CityFake, TelegramUser
from bench.cityyear_scenario import DEPARTMENTS, EXTRA_DEPARTMENTS, Case, Member

ANSWER = "We looked into it: the estate office will fix it this week and report back to us."
CARD = "Case {number}\n"
DUE = "7 days"
REQUEST_SENT = re.compile(r"Your request was sent to staff")
WENT_BACK = re.compile(r"The case went back to staff")
PROMPT = re.compile(r"Type your answer|Type the answer|answer to the resident", re.IGNORECASE)
PREVIEW = re.compile(r"The resident will read")
WILL_GET = re.compile(r"will get your answer|can rate it")
MORE_TIME_WHY = re.compile(r"Why do you need more time")
HAND_BACK_WHY = re.compile(r"Why are you handing the case back")
PAGER = re.compile("^[◀▶]$")
FIRST_PAGE = re.compile("^◀$")
NEXT_PAGE = re.compile("^▶$")
MOST_PAGES = 4


def staff_chat(fake: CityFake, chats: dict[int, list[int]], case: Case) -> TelegramUser:
    """The station staff member who takes this case (shared out over the station's desks)."""
    desks = chats[case.station]
    return TelegramUser(fake, desks[case.index % len(desks)], first_name="Staff")


async def pick_department(staff: TelegramUser, case: Case) -> None:
    """Choose the case's department, paging the picker until it shows.

    The picker is known by its pager (the office has more departments than a page holds):
    the step before it has a "◀ Back" too, and reading that one's buttons as the picker's
    would page blindly.
    """
    name = (DEPARTMENTS + EXTRA_DEPARTMENTS)[case.department][1]
    await staff.wait_button(PAGER)
    for _page in range(MOST_PAGES):
        if staff.find_button(name) is not None or staff.find_button(FIRST_PAGE) is None:
            break
        await staff.turn_page(FIRST_PAGE)
    for _page in range(MOST_PAGES):
        if staff.find_button(name) is not None:
            break
        await staff.turn_page(NEXT_PAGE)
    await staff.press(name)


async def open_card(person: TelegramUser, number: str) -> None:
    """``/case <number>``: its card, with the card as the oldest message buttons are read from."""
    person.send(f"/case {number}")
    await person.wait_text(re.compile(re.escape(CARD.format(number=number))))
    person.floor = max(0, len(person.fake.chats.sent.get(person.chat_id, ())) - 3)


async def assign(
    fake: CityFake, staff: TelegramUser, number: str, case: Case, members: list[Member]
) -> str:
    """Open the card and route the case as the scenario says; the route taken."""
    async with fake.lock(staff.chat_id):
        await open_card(staff, number)
        try:
            if case.route == "office":
                await office_reply(staff)
                return "office"
            await staff.press("Assign")
            if case.route == "member":
                member = members[case.assignee_member]
                await staff.press("A member")
                shown = staff.find_button(member.name)
                if shown is None:
                    await staff.wait_text(re.compile(r"[Mm]embers"))
                    staff.send(member.name)
                await staff.press(member.name)
            else:
                await staff.press("A department")
                await pick_department(staff, case)
            await staff.press(DUE)
            await staff.wait_button("Reassign")
            return case.route
        finally:
            staff.floor = 0


async def assign_to_department(
    fake: CityFake, staff: TelegramUser, number: str, case: Case
) -> None:
    """A handed-back case goes to the case's department."""
    async with fake.lock(staff.chat_id):
        await open_card(staff, number)
        try:
            await staff.press("Assign")
            await staff.press("A department")
            await pick_department(staff, case)
            await staff.press(DUE)
            await staff.wait_button("Reassign")
        finally:
            staff.floor = 0


async def office_reply(staff: TelegramUser) -> None:
    """The office answers the resident itself, from the open card."""
    await staff.press("Reply")
    await staff.wait_button("Cancel")
    staff.send(ANSWER)
    await staff.press("Send to the resident")
    await staff.wait_text(WILL_GET)


async def answer_reopened(fake: CityFake, staff: TelegramUser, number: str) -> None:
    """A reopened case: the office answers again."""
    async with fake.lock(staff.chat_id):
        await open_card(staff, number)
        try:
            await office_reply(staff)
        finally:
            staff.floor = 0


async def open_assigned(person: TelegramUser, number: str) -> None:
    """The assignee opens the case from the assignment notice, and waits for its card.

    Until the card is shown, the buttons in sight are an older card's: pressing one of those
    would act on another case.
    """
    data, message_id = await person.wait_notice(number, "Open the case")
    person.press_data(data, message_id)
    await person.wait_text(re.compile(re.escape(CARD.format(number=number))))


async def assignee_reply(fake: CityFake, person: TelegramUser, number: str) -> None:
    """Reply to the resident from the case card."""
    async with fake.lock(person.chat_id):
        await open_assigned(person, number)
        await person.press("Reply to the resident")
        await person.wait_button("Cancel")
        person.send(ANSWER)
        await person.press("Send to the resident")
        await person.wait_text(WILL_GET)


async def ask_more_time(fake: CityFake, person: TelegramUser, number: str) -> None:
    """Ask staff for seven more days, with a reason."""
    async with fake.lock(person.chat_id):
        await open_assigned(person, number)
        await person.press("Ask for more time")
        await person.press("+7 days")
        await person.wait_text(MORE_TIME_WHY)
        person.send("We wait for the contractor's survey of the whole building.")
        await person.wait_text(REQUEST_SENT)


async def hand_back(fake: CityFake, person: TelegramUser, number: str) -> None:
    """Hand the case back to staff with a reason."""
    async with fake.lock(person.chat_id):
        await open_assigned(person, number)
        await person.press("Hand back")
        await person.wait_text(HAND_BACK_WHY)
        person.send("This is not ours: the street belongs to another district's office.")
        await person.wait_text(WENT_BACK)


async def grant_more_time(fake: CityFake, staff: TelegramUser, number: str, timeout: float) -> None:
    """Staff grant the request from its notice, once it has come."""
    data, message_id = await staff.wait_notice(number, "Grant", timeout=timeout)
    async with fake.lock(staff.chat_id):
        staff.press_data(data, message_id)
        await staff.wait_reply()


SENDING = re.compile(r"Broadcast #\d+ is on its way")


async def broadcast(fake: CityFake, chat_id: int, text: str) -> None:
    """The administrator's broadcast to every member: audience, text, no attachment, send."""
    office = TelegramUser(fake, chat_id, first_name="Office")
    async with fake.lock(chat_id):
        office.send("📣 Broadcast")
        await office.press("All members")
        await office.wait_text(re.compile(r"Type the text"))
        office.send(text)
        await office.wait_text(re.compile(r"Send a photo or a document"))
        office.send("⏭ Skip")
        await office.press("✅ Send now")
        await office.wait_text(SENDING)
