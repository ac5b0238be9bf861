"""Members in WeCom: linked by an invitation code, photos kept on an activity, wrong media."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.settings import Settings
from fakes.wecom import FakeWeCom
from services.accounts.invites import issue_invite
from services.demo.wecom import DEMO_MEMBER_USERID
from storage.models import ActivityPhoto, MemberBinding
from tests.conftest import START
from tests.e2e.test_wecom_staff import dump, offering
from tests.support.members import member_by_code
from tests.support.wecom import WeComUser, database, people


@pytest.mark.parametrize("typed", ["/start inv-{code}", "{code}"])
async def test_an_invitation_code_typed_in_wecom_links_the_chat(
    wecom: FakeWeCom, wecom_app: Settings, typed: str
) -> None:
    async with database(wecom_app) as db:
        member = await member_by_code(db, "M004")
        async with db.session() as session:
            invite = await issue_invite(session, now=START, member_id=member.id)
    user = WeComUser(wecom, people(wecom, wecom_app), "newcomer")
    await user.say(typed.format(code=invite.code), "My progress")
    async with database(wecom_app) as db, db.session() as session:
        binding = (
            await session.execute(
                select(MemberBinding).where(
                    MemberBinding.member_id == member.id, MemberBinding.channel == "wecom"
                )
            )
        ).scalar_one()
    assert binding.identity_id is not None


async def test_a_photo_is_kept_on_the_activity_and_voice_or_video_is_refused(
    wecom: FakeWeCom, wecom_app: Settings
) -> None:
    crowd = people(wecom, wecom_app)
    member = WeComUser(wecom, crowd, DEMO_MEMBER_USERID)
    try:
        await member.say("/start", "My progress")
        steps = [
            ("🗓 Log an activity", "Forum with sector group people"),
            (None, "Yesterday"),
            (None, "My sector"),
            ("12", None),
            (None, "王丽"),
            (None, "赵敏"),
            (None, "Done"),
            (None, "Jingde"),
            ("Forum with teachers about after-school care and homework load.", None),
        ]
        mark = member.seen()
        for typed, label in steps:
            if typed is not None:
                mark = member.seen()
                assert await crowd.text(member.userid, typed) == 200
            if label is not None:
                options = await offering(member, label, after=mark)
                mark = member.seen()
                await member.choose(options, label, "")
        await member.expect("Send up to 5 photos", after=mark)
        # WeCom drops a text identical to one sent within the minute: the two refusals differ.
        mark = member.seen()
        assert await crowd.voice(member.userid) == 200
        await member.expect("Please send a photo, or press “⏭ Skip”", after=mark)
        mark = member.seen()
        assert await crowd.image(member.userid, b"\xff\xd8 a forum photo") == 200
        await member.expect("Photo 1 of 5 added", after=mark)
        mark = member.seen()
        assert await crowd.video(member.userid) == 200
        await member.expect("Please send a photo, or press “✅ Done”", after=mark)
        review = await member.say("✅ Done", "Please check the activity")
        assert "Photos: 1" in review.text and "after-school care" in review.text
        saving = await offering(member, "Save")
        await member.choose(saving, "Save", "Saved.")
    except (AssertionError, TimeoutError):
        print(dump(wecom, member.userid))
        raise
    async with database(wecom_app) as db, db.session() as session:
        photos = (await session.execute(select(ActivityPhoto))).scalars().all()
    assert len(photos) == 1
    assert wecom.dropped() == []


async def test_the_same_answer_twice_reaches_the_member_twice(
    wecom: FakeWeCom, wecom_app: Settings
) -> None:
    crowd = people(wecom, wecom_app)
    member = WeComUser(wecom, crowd, DEMO_MEMBER_USERID)
    await member.say("/start", "My progress")
    # An answer is not a retried send: WeCom's duplicate check, which would drop the
    # second copy, is asked for by notices only.
    first = await member.say("/help", "For members")
    second = await member.say("/help", "For members")
    assert second.text == first.text
    assert second is not first
    assert wecom.dropped(member.userid) == []
