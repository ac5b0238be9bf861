"""WeChat callbacks read as updates: subscriptions by a station's QR code and scans."""

from __future__ import annotations

import pytest
from wechatpy import parse_message

from bot.channels.wechat.convert import read


def callback(event: str, key: str) -> dict[str, object]:
    xml = (
        "<xml><ToUserName>gh</ToUserName><FromUserName>o-1</FromUserName>"
        "<CreateTime>1795000000</CreateTime><MsgType>event</MsgType>"
        f"<Event>{event}</Event><EventKey>{key}</EventKey></xml>"
    )
    return dict(parse_message(xml)._data)


@pytest.mark.parametrize(
    ("event", "key", "text"),
    [
        ("subscribe", "qrscene_st-jf-beian", "/start st-jf-beian"),
        ("subscribe", "", "/start"),
        ("SCAN", "st-jf-beian", "/start st-jf-beian"),
        ("CLICK", "/myissues", "/myissues"),
    ],
)
def test_events_become_the_commands_they_stand_for(event: str, key: str, text: str) -> None:
    inbound = read(callback(event, key))
    assert inbound.content == {"text": text}


def test_a_click_key_that_is_not_a_command_is_no_update() -> None:
    inbound = read(callback("CLICK", "rm -rf"))
    assert inbound.content is None and inbound.menu_tap


def test_one_event_retried_is_one_update() -> None:
    first = read(callback("subscribe", "qrscene_st-jf-beian"))
    again = read(callback("subscribe", "qrscene_st-jf-beian"))
    assert first.update_id == again.update_id
