"""Bot API messages drawn as WeChat text: links kept, buttons as menu links, long text split."""

from __future__ import annotations

from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from bot.channels.wechat.convert import clean, event_update_id, read
from bot.channels.wechat.render import keyboard, plain_text, split_text
from bot.channels.wechat.replies import Piece, merge

HINTS = {"location": "send location", "contact": "type phone"}


def test_html_becomes_plain_text_with_links() -> None:
    text = '<b>Case</b> &lt;1&gt; <a href="https://x.org/?a=1&amp;b=2">open</a>'
    assert plain_text(
        text, "HTML"
    ) == 'Case ＜1> <a href="https://x.org/?a=1&amp;b=2">open</a>'.replace("＜1", "<1")
    # User text never becomes a link.
    assert "<a" not in plain_text("&lt;a href='weixin://x'&gt;tap&lt;/a&gt;", "HTML")
    assert "<a" not in plain_text("<a href='x'>raw</a>", None)


def test_inline_buttons_become_menu_links_and_urls_links() -> None:
    markup = InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text="Yes", callback_data="c-yes")],
            [InlineKeyboardButton(text="Map", url="https://map.example/1")],
        ]
    )
    drawn = keyboard(markup, HINTS)
    assert [b.data for b in drawn.buttons] == ["c-yes"]
    lines = drawn.draw(["tok1"])
    assert "weixin://bizmsgmenu?msgmenucontent=Yes&msgmenuid=tok1" in lines
    assert '<a href="https://map.example/1">Map</a>' in lines


def test_reply_keyboards_main_menu_hidden_location_hint() -> None:
    menu = ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text="Report")]], is_persistent=True)
    assert keyboard(menu, HINTS).lines == []
    step = ReplyKeyboardMarkup(
        keyboard=[
            [KeyboardButton(text="Share", request_location=True)],
            [KeyboardButton(text="Skip")],
        ]
    )
    drawn = keyboard(step, HINTS)
    assert [(b.kind, b.data) for b in drawn.buttons] == [("text", "Skip")]
    assert "send location" in drawn.draw(["t"])


def test_long_text_is_split_without_cutting_a_link() -> None:
    link = '<a href="https://x.org/' + "p" * 60 + '">label</a>'
    text = ("汉字" * 300 + link) * 3
    pieces = split_text(text, 2048)
    assert all(len(piece.encode()) <= 2048 for piece in pieces)
    assert "".join(pieces) == text
    assert sum(piece.count(link) for piece in pieces) == 3


def test_texts_merge_into_one_message() -> None:
    merged = merge([Piece(text="a"), Piece(text="b"), Piece(media_id="m"), Piece(text="c")])
    assert [(p.text, p.media_id) for p in merged] == [("a\n\nb", None), ("", "m"), ("c", None)]


def test_conversion_of_callbacks() -> None:
    assert clean("a\x00b\x1b[31m\tc\nd\x7f") == "ab[31m\tc\nd"
    scan = read(
        {
            "FromUserName": "o",
            "CreateTime": "1",
            "MsgType": "event",
            "Event": "subscribe",
            "EventKey": "qrscene_st-3",
        }
    )
    assert scan.content == {"text": "/start st-3"}
    again = read(
        {
            "FromUserName": "o",
            "CreateTime": "1",
            "MsgType": "event",
            "Event": "subscribe",
            "EventKey": "qrscene_st-3",
        }
    )
    assert again.update_id == scan.update_id == event_update_id("o", 1, "subscribe", "qrscene_st-3")
    assert 0 < scan.update_id < 2**63
    click = read(
        {
            "FromUserName": "o",
            "CreateTime": "2",
            "MsgType": "event",
            "Event": "CLICK",
            "EventKey": "/report",
        }
    )
    assert click.menu_tap and click.content == {"text": "/report"}
    voice = read(
        {"FromUserName": "o", "CreateTime": "3", "MsgType": "voice", "MsgId": "9", "MediaId": "m"}
    )
    assert voice.update_id == 9 and voice.content is not None and "voice" in voice.content
    gone = read(
        {"FromUserName": "o", "CreateTime": "4", "MsgType": "event", "Event": "unsubscribe"}
    )
    assert gone.unsubscribed and gone.content is None
