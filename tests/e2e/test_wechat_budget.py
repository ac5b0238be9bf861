"""What a dialog step costs on the service account, and taps on old messages.

Every step of a resident's report is counted on the fake server: at most the passive reply
and two customer-service messages. A menu option of an older card, tapped after the dialog
moved on, is refused as stale and the card the dialog stands at is the one that counts.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from bot.channels.wechat import WeChatChannel
from bot.settings import Settings
from fakes.wechat_server import FakeWeChat, Sent
from fakes.wechat_user import WeChatUser, menu_token
from services.clock import ManualClock
from tests.conftest import START
from tests.support.wechat_app import Steps, wechat_app, wechat_settings, wechat_user

Action = Callable[[], Awaitable[object]]


@pytest.fixture
async def wechat() -> AsyncIterator[FakeWeChat]:
    async with FakeWeChat() as fake:
        fake.now = lambda: START
        yield fake


@pytest.fixture
async def settings(tmp_path: Path, wechat: FakeWeChat) -> Settings:
    return wechat_settings(tmp_path, wechat)


@pytest.fixture
async def channel(settings: Settings) -> AsyncIterator[WeChatChannel]:
    async with wechat_app(settings, ManualClock(START), demo=True) as running:
        yield running


class Walk:
    """A resident's steps, each one's messages kept once its handling is over."""

    def __init__(self, person: WeChatUser, fake: FakeWeChat, channel: WeChatChannel) -> None:
        self.person = person
        self.fake = fake
        self.steps = Steps(channel)
        self.spent: list[list[Sent]] = []

    def last(self) -> Sent:
        return self.fake.sent_to(self.person.openid)[-1]

    async def step(self, action: Action) -> list[Sent]:
        mark = len(self.fake.sent_to(self.person.openid))
        handled = self.steps.done
        answer = await action()
        try:
            await self.steps.wait(handled + 1)
        except TimeoutError:
            raise AssertionError(f"not handled: {answer!r}") from None
        got = self.fake.sent_to(self.person.openid)[mark:]
        self.spent.append(got)
        return got


async def test_each_step_of_a_report_fits_the_reply_and_two_follow_ups(
    settings: Settings, wechat: FakeWeChat, channel: WeChatChannel
) -> None:
    person = wechat_user(settings, wechat, "o-budget-1")
    walk = Walk(person, wechat, channel)
    await walk.step(lambda: person.event("subscribe"))
    await walk.step(lambda: person.say("📝 Report an issue"))
    stations = walk.last()
    assert "Step 1 of 6" in stations.text
    await walk.step(lambda: person.tap(stations, "Bei'an"))
    categories = walk.last()
    await walk.step(lambda: person.tap(categories, "Parking"))
    await walk.step(lambda: person.say("Cars block the fire lane at gate 3 every night."))
    await walk.step(lambda: person.photo(b"\xff\xd8\xff\xe0 a jpeg"))
    await walk.step(lambda: person.tap(walk.last(), "Done"))
    await walk.step(lambda: person.location(38.49, 106.24))
    await walk.step(lambda: person.tap(walk.last(), "anonymous"))
    review = walk.last()
    assert "Please check your report" in review.text
    await walk.step(lambda: person.tap(review, "Submit"))
    assert "Your case number is" in walk.last().text

    for number, got in enumerate(walk.spent, start=1):
        passive = [item for item in got if item.passive]
        follow_ups = [item for item in got if not item.passive]
        assert len(passive) <= 1, (number, got)
        assert len(follow_ups) <= 2, (number, got)
        assert got, f"step {number} got no answer"
    # The whole report within the 48-hour count the fake enforces, each step answered.
    assert all(item.passive for got in walk.spent for item in got[:1])


async def test_an_old_cards_option_is_refused_and_the_dialog_stays(
    settings: Settings, wechat: FakeWeChat, channel: WeChatChannel
) -> None:
    person = wechat_user(settings, wechat, "o-budget-2")
    walk = Walk(person, wechat, channel)
    await walk.step(lambda: person.say("📝 Report an issue"))
    stations = walk.last()
    await walk.step(lambda: person.tap(stations, "Bei'an"))
    categories = walk.last()
    assert "Step 2 of 6" in categories.text

    stale = await walk.step(lambda: person.tap(stations, "Bei'an"))
    assert len(stale) == 1 and stale[0].passive, stale
    assert "no longer active" in stale[0].text
    # The card the dialog stands at is shown again, its options the same as before.
    assert "Step 2 of 6" in stale[0].text and "Step 1 of 6" not in stale[0].text
    assert menu_token(stale[0].text, "Parking") == menu_token(categories.text, "Parking")
    # The dialog did not move back: the current card's options still work.
    await walk.step(lambda: person.tap(categories, "Parking"))
    assert "Step 3 of 6" in walk.last().text


async def test_a_station_qr_code_opens_a_report_there(
    settings: Settings, wechat: FakeWeChat, channel: WeChatChannel
) -> None:
    newcomer = wechat_user(settings, wechat, "o-budget-3")
    walk = Walk(newcomer, wechat, channel)
    # Scanned by someone not following yet: WeChat sends subscribe with the scene.
    got = await walk.step(lambda: newcomer.event("subscribe", "qrscene_st-jf-beian"))
    said = "\n".join(item.text for item in got)
    assert "Bei'an Community Liaison Station" in said and "Step 2 of 6" in said
    assert len(got) <= 3 and got[0].passive
    # Scanned by a follower: SCAN with the bare scene.
    follower = wechat_user(settings, wechat, "o-budget-4")
    walk = Walk(follower, wechat, channel)
    got = await walk.step(lambda: follower.event("SCAN", "st-jf-beian"))
    assert "Step 2 of 6" in "\n".join(item.text for item in got)
