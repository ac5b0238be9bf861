"""Staff and departments in WeCom: triage through cards and numbered options, stale clicks."""

from __future__ import annotations

from sqlalchemy import select

from bot.settings import Settings
from fakes.wecom import FakeWeCom, Sent
from services.accounts.departments import department_by_code
from services.accounts.wecom import set_wecom_userid
from services.demo.wecom import DEMO_DEPARTMENT_USERID, DEMO_STAFF_USERID
from storage.models import Issue
from tests.conftest import START
from tests.support.members import member_by_code
from tests.support.wecom import WeComUser, database, people


async def offering(user: WeComUser, label: str, *, after: int = 0) -> Sent:
    """The latest message offering ``label``: a live card's button, or a numbered option."""

    def found() -> Sent | None:
        for sent in reversed(user.fake.delivered(user.userid)[after:]):
            if any(label in text for text, _key in sent.buttons):
                return sent
            if any(
                line.split(". ", 1)[0].isdigit() and label in line
                for line in sent.text.splitlines()
            ):
                return sent
        return None

    result: Sent = await user.fake.wait_for(found, timeout=15, what=f"an option {label!r}")
    return result


def dump(fake: FakeWeCom, userid: str) -> str:
    return "\n---\n".join(f"[{s.msgtype}] {s.body}" for s in fake.delivered(userid))


async def test_staff_take_a_new_case_and_assign_it_to_a_member_in_wecom(
    wecom: FakeWeCom, wecom_app: Settings
) -> None:
    async with database(wecom_app) as db:
        member = await member_by_code(db, "M002")
        async with db.session() as session:
            await set_wecom_userid(session, userid="liwenjing", member_id=member.id, now=START)
    crowd = people(wecom, wecom_app)
    assignee = WeComUser(wecom, crowd, "liwenjing")
    await assignee.say("/start", "My progress")
    office = WeComUser(wecom, crowd, DEMO_STAFF_USERID)
    try:
        await office.say("📥 Case queue", "Case queue")
        stations = await offering(office, "Bei'an")
        await office.choose(stations, "Bei'an", "Waiting at")
        waiting = await offering(office, "2026-")
        await office.choose(waiting, "2026-", "Case 2026-")
        mark = office.seen()
        await office.choose(await offering(office, "Assign"), "Assign", "")
        kinds = await offering(office, "A member", after=mark)
        mark = office.seen()
        await office.choose(kinds, "A member", "")
        members = await offering(office, "李文静", after=mark)
        mark = office.seen()
        await office.choose(members, "李文静", "")
        due = await offering(office, "Default", after=mark)
        await office.choose(due, "Default", "Assigned; answer due")
        notice = await assignee.expect("was assigned to you")
        assert "2026-000001" in notice.text
        opening = await offering(assignee, "Open the case")
        await assignee.choose(opening, "Open the case", "Case 2026-000001")
        async with database(wecom_app) as db, db.session() as session:
            issue = (
                await session.execute(select(Issue).where(Issue.number == "2026-000001"))
            ).scalar_one()
        assert (issue.status, issue.assignee_member_id) == ("assigned", member.id)
        mark = office.seen()
        old = stations.body["template_card"]
        key = next(b["key"] for b in old["button_list"] if "Jingde" in b["text"])
        assert await crowd.click_key(office.userid, key, old["task_id"]) == 200
        # The station list's card was answered and moved on: its old button does nothing.
        await office.expect("This button is no longer active", after=mark)
        assert not any("Waiting at" in sent.text for sent in wecom.delivered(office.userid)[mark:])
        # The current card is untouched and still answers.
        current = office.latest_card()
        assert any("Reassign" in label for label, _key in current.buttons)
        await office.choose(current, "Reassign", "assign it to whom?")
    except (AssertionError, TimeoutError):
        print(dump(wecom, DEMO_STAFF_USERID))
        raise
    assert wecom.dropped() == []


async def test_staff_assign_a_case_to_a_department_whose_contact_works_in_wecom(
    wecom: FakeWeCom, wecom_app: Settings
) -> None:
    crowd = people(wecom, wecom_app)
    contact = WeComUser(wecom, crowd, DEMO_DEPARTMENT_USERID)
    office = WeComUser(wecom, crowd, DEMO_STAFF_USERID)
    try:
        await contact.say("/start", "")
        await office.say("📥 Case queue", "Case queue")
        await office.choose(await offering(office, "Jingde"), "Jingde", "Waiting at")
        await office.choose(await offering(office, "2026-"), "2026-", "Case 2026-")
        number = next(
            line.split()[1]
            for line in reversed([s.text for s in wecom.delivered(office.userid)])
            if line.startswith("Case 2026-")
        )
        mark = office.seen()
        await office.choose(await offering(office, "Assign"), "Assign", "")
        kinds = await offering(office, "A department", after=mark)
        mark = office.seen()
        await office.choose(kinds, "A department", "Which department?")
        departments = await offering(office, "Housing", after=mark)
        mark = office.seen()
        await office.choose(departments, "Housing", "")
        due = await offering(office, "Default", after=mark)
        await office.choose(due, "Default", "Assigned; answer due")
        notice = await contact.expect(number)
    except (AssertionError, TimeoutError):
        print(dump(wecom, DEMO_STAFF_USERID))
        print(dump(wecom, DEMO_DEPARTMENT_USERID))
        raise
    assert "was assigned to you" in notice.text
    async with database(wecom_app) as db, db.session() as session:
        issue = (await session.execute(select(Issue).where(Issue.number == number))).scalar_one()
        housing = await department_by_code(session, "housing")
    assert housing is not None
    assert (issue.status, issue.assignee_department_id) == ("assigned", housing.id)
    assert wecom.dropped() == []
