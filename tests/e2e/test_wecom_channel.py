"""WeCom end to end: the real bot against the fake WeCom server, through encrypted callbacks."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.settings import Settings
from fakes.wecom import FakeWeCom
from services.accounts.wecom import set_wecom_userid
from storage.models import InboxUpdate
from tests.conftest import START
from tests.support.members import member_by_code
from tests.support.wecom import (
    WeComUser,
    database,
    people,
)


async def bound_member(settings: Settings, code: str, userid: str) -> None:
    async with database(settings) as db:
        member = await member_by_code(db, code)
        async with db.session() as session:
            await set_wecom_userid(session, userid=userid, member_id=member.id, now=START)


async def test_an_unknown_person_is_told_whom_the_app_is_for(
    wecom: FakeWeCom, wecom_app: Settings
) -> None:
    user = WeComUser(wecom, people(wecom, wecom_app), "stranger")
    await user.say("hello", "This app is for members, staff and departments")
    assert wecom.dropped() == []


async def test_a_member_bound_by_userid_is_linked_on_the_first_message(
    wecom: FakeWeCom, wecom_app: Settings
) -> None:
    await bound_member(wecom_app, "M003", "zhangsan")
    user = WeComUser(wecom, people(wecom, wecom_app), "zhangsan")
    await user.say("/start", "My progress")


async def test_the_same_msgid_three_times_is_one_update(
    wecom: FakeWeCom, wecom_app: Settings
) -> None:
    crowd = people(wecom, wecom_app)
    user = WeComUser(wecom, crowd, "stranger2")
    for _ in range(3):
        assert await crowd.text("stranger2", "hello", msg_id=424242) == 200
    await user.expect("This app is for members")
    await user.say("/help", "")
    async with database(wecom_app) as db, db.session() as session:
        stored = (
            await session.execute(
                select(func.count()).select_from(InboxUpdate).where(InboxUpdate.update_id == 424242)
            )
        ).scalar_one()
    assert stored == 1
    assert sum("This app is for members" in s.text for s in wecom.delivered("stranger2")) == 1


async def test_a_wrong_signature_is_403_and_garbage_400(
    wecom: FakeWeCom, wecom_app: Settings
) -> None:
    crowd = people(wecom, wecom_app)
    xml = crowd.message_xml("stranger", "text", None, Content="hi")
    assert await crowd.post_xml(xml, signature="0" * 40) == 403
    assert await crowd.post_xml("<xml>", plain=True, signature="x") in (400, 403)


async def test_a_member_logs_an_activity_and_answers_an_invitation_in_wecom(
    wecom: FakeWeCom, wecom_app: Settings
) -> None:
    from storage.models import Activity, MeetingInvitee
    from tests.e2e.test_telegram_channel import standing_meeting

    await bound_member(wecom_app, "M005", "lisi")
    user = WeComUser(wecom, people(wecom, wecom_app), "lisi")
    await user.say("/start", "My progress")
    review = await user.say(
        "/log 2026-11-19 9 visited shop owners about street-market rents",
        "Please check the activity",
    )
    await user.choose(review, "Save", "Saved. This quarter: 1 qualifying activities")
    async with database(wecom_app) as db, db.session() as session:
        member = await member_by_code(db, "M005")
        stored = (
            await session.execute(select(Activity).where(Activity.member_id == member.id))
        ).scalar_one()
    assert (stored.people_count, stored.channel) == (9, "wecom")
    async with database(wecom_app) as db:
        await standing_meeting(db, "Standing committee, December", days=2)
    await user.expect("Standing committee, December")
    # Too long for a card, the invitation's text goes first and its buttons follow as a card.
    invitation = await wecom.wait_for(
        lambda: next(
            (
                s
                for s in wecom.delivered("lisi")
                if s.msgtype == "template_card" and "I will attend" in str(s.buttons)
            ),
            None,
        ),
        what="the invitation's card",
    )
    await user.click(invitation, "I will attend", "Your answer: attending")
    async with database(wecom_app) as db, db.session() as session:
        answers = (await session.execute(select(MeetingInvitee.response))).scalars().all()
    assert "attending" in answers
    # A click on a key never drawn, or on another chat's card, is refused and does nothing.
    crowd = people(wecom, wecom_app)
    mark = user.seen()
    assert await crowd.click_key("lisi", "forged-key", "t-forged") == 200
    await user.expect("That option is no longer valid", after=mark)
    other = WeComUser(wecom, crowd, "stranger3")
    mark = other.seen()
    await crowd.click_key("stranger3", invitation.buttons[0][1] if invitation.buttons else "x", "t")
    await other.expect("That option is no longer valid", after=mark)
    assert wecom.dropped() == []
