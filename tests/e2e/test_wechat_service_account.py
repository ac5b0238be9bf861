"""The service account end to end: the real app against the fake WeChat server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.settings import Settings
from fakes.wechat_server import FakeWeChat
from fakes.wechat_user import WeChatUser, menu_token
from services.clock import ManualClock
from tests.conftest import START
from tests.support.wechat_app import serving, wechat_settings, wechat_user


@pytest.fixture
async def wechat() -> AsyncIterator[FakeWeChat]:
    async with FakeWeChat() as fake:
        fake.now = lambda: START
        yield fake


@pytest.fixture
async def app(tmp_path: Path, wechat: FakeWeChat) -> AsyncIterator[Settings]:
    settings = wechat_settings(tmp_path, wechat)
    async with serving(settings, ManualClock(START)):
        yield settings


def user(settings: Settings, fake: FakeWeChat, openid: str) -> WeChatUser:
    return wechat_user(settings, fake, openid)


async def test_report_and_my_issues(app: Settings, wechat: FakeWeChat) -> None:
    person = user(app, wechat, "o-resident-1")
    status, _ = await person.event("subscribe")
    assert status == 200
    await person.say("📝 Report an issue")
    stations = wechat.sent_to(person.openid)[-1]
    assert "Step 1 of 6" in stations.text, stations
    await person.tap(stations, "Bei'an")
    categories = wechat.sent_to(person.openid)[-1]
    assert "Step 2 of 6" in categories.text, categories
    await person.tap(categories, "Parking")
    assert "Step 3 of 6" in wechat.sent_to(person.openid)[-1].text
    await person.say("Cars block the fire lane at gate 3 every night after 8 pm.")
    assert "Step 4 of 6" in wechat.sent_to(person.openid)[-1].text
    await person.photo(b"\xff\xd8\xff\xe0 a jpeg")
    assert "Photo 1 of 3 added." in wechat.sent_to(person.openid)[-1].text
    done = wechat.sent_to(person.openid)[-1]
    await person.tap(done, "Done")
    assert "Step 5 of 6" in wechat.sent_to(person.openid)[-1].text
    await person.location(38.49, 106.24)
    contact = wechat.sent_to(person.openid)[-1]
    assert "Step 6 of 6" in contact.text, contact
    await person.tap(contact, "anonymous")
    review = wechat.sent_to(person.openid)[-1]
    assert "Please check your report" in review.text, review
    await person.tap(review, "Submit")
    sent = wechat.sent_to(person.openid)[-1]
    assert "Your case number is" in sent.text, sent
    await person.say("📋 My issues")
    assert "Parking" in wechat.sent_to(person.openid)[-1].text or "fire lane" in (
        wechat.sent_to(person.openid)[-1].text
    )


async def test_wrong_signature_is_refused(app: Settings, wechat: FakeWeChat) -> None:
    person = user(app, wechat, "o-resident-2")
    status, _ = await person.post(person.message("text", Content="hi"), signature="0" * 40)
    assert status == 403
    assert wechat.sent_to(person.openid) == []


async def test_one_msgid_three_times_is_one_update(app: Settings, wechat: FakeWeChat) -> None:
    person = user(app, wechat, "o-resident-3")
    body = person.message("text", Content="/help")
    replies = [await person.post(body) for _ in range(3)]
    assert replies[0][0] == 200 and "<xml>" in replies[0][1]
    assert all(reply == (200, "success") for reply in replies[1:])
    assert len(wechat.sent_to(person.openid)) == 1


async def test_forged_taps_are_refused_and_control_characters_removed(
    app: Settings, wechat: FakeWeChat
) -> None:
    first = user(app, wechat, "o-resident-4")
    other = user(app, wechat, "o-resident-5")
    await first.say("/language")
    languages = wechat.sent_to(first.openid)[-1]
    await other.post(other.message("text", Content="English", bizmsgmenuid="not-a-token"))
    assert "no longer valid" in wechat.sent_to(other.openid)[-1].text

    token = menu_token(languages.text, "English")
    await other.post(other.message("text", Content="English", bizmsgmenuid=token))
    assert "no longer valid" in wechat.sent_to(other.openid)[-1].text
    # XML carries no C0 control character but carriage return; it is removed like the rest.
    await first.say("/help\r")
    assert "/help" not in wechat.sent_to(first.openid)[-1].text
    assert wechat.sent_to(first.openid)[-1] is not languages
