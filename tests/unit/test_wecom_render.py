"""How Bot API texts and keyboards are drawn in WeCom."""

from __future__ import annotations

from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from bot.channels.wecom.convert import Inbound, message_update
from bot.channels.wecom.render import (
    MAX_TITLE,
    card,
    clean_text,
    drawing,
    fits_card,
    numbered_text,
    split_text,
    to_wecom_text,
)


def inline(count: int, *, url: bool = False) -> InlineKeyboardMarkup:
    rows = [[InlineKeyboardButton(text=f"B{n}", callback_data=f"cb-{n}")] for n in range(count)]
    if url:
        rows.append([InlineKeyboardButton(text="Site", url="https://example.org/a?b=1&c=2")])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def test_html_becomes_plain_text_with_its_links() -> None:
    text = '<b>Case</b> &lt;1&gt; <a href="https://x.org/?a=1&amp;b=2">open</a>\n<i>done</i>'
    assert (
        to_wecom_text(text, "HTML")
        == 'Case <1> <a href="https://x.org/?a=1&amp;b=2">open</a>\ndone'
    )
    assert to_wecom_text("<b>as typed</b>", None) == "<b>as typed</b>"


def test_control_characters_are_removed_but_lines_kept() -> None:
    assert clean_text("a\x00b\x07c\r\nd\te\x1b") == "abc\nd\te"


def test_up_to_six_callback_buttons_make_a_card() -> None:
    drawn = drawing(inline(6))
    assert [b.data for b in drawn.card] == [f"cb-{n}" for n in range(6)]
    assert drawn.numbered == []
    body = card("Title\nmore words", [("k1", "Yes")], task_id="t-1", whole=True)
    assert body["main_title"] == {"title": "Title"}
    assert body["sub_title_text"] == "more words"
    assert body["button_list"] == [{"text": "Yes", "style": 1, "key": "k1"}]


def test_more_buttons_or_links_become_numbered_options() -> None:
    drawn = drawing(inline(7))
    assert drawn.card == [] and [b.position for b in drawn.numbered] == list(range(1, 8))
    linked = drawing(inline(2, url=True))
    text = numbered_text("Pick one", linked)
    assert "1. B0" in text and "2. B1" in text
    assert '<a href="https://example.org/a?b=1&amp;c=2">Site</a>' in text


def test_a_reply_keyboard_is_numbered_text_options() -> None:
    markup = ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text="📊 My progress"), KeyboardButton(text="Help")]]
    )
    drawn = drawing(markup)
    assert [(b.kind, b.data, b.position) for b in drawn.numbered] == [
        ("text", "📊 My progress", 1),
        ("text", "Help", 2),
    ]


def test_a_long_text_does_not_fit_a_card() -> None:
    assert fits_card("Short\nbody")
    assert not fits_card("x" * (MAX_TITLE + 1))
    assert not fits_card("title\n" + "y" * 161)
    body = card("z" * 50, [("k", "OK")], task_id="t", whole=False)
    assert str(body["main_title"]).count("z") == MAX_TITLE - 1 and "sub_title_text" not in body


def test_splitting_keeps_links_whole_and_parts_within_2048_bytes() -> None:
    link = '<a href="https://example.org/long">a link that must stay whole</a>'
    text = "许" * 670 + link + "\n" + "b" * 3000
    parts = split_text(text)
    assert all(len(part.encode()) <= 2048 for part in parts)
    assert any(link in part for part in parts)
    assert "".join(parts).replace("\n", "") == text.replace("\n", "")


def test_messages_become_updates() -> None:
    fields = {"MsgType": "text", "Content": "hi\x00 there", "MsgId": "123", "CreateTime": "1"}
    update = message_update(Inbound("u1", fields), 7)
    assert update is not None and update.update_id == 123
    assert update.message is not None and update.message.text == "hi there"
    voice = message_update(Inbound("u1", {"MsgType": "voice", "MediaId": "m", "MsgId": "5"}), 7)
    assert voice is not None and voice.message is not None and voice.message.voice is not None
    event = Inbound("u1", {"MsgType": "event", "Event": "x", "CreateTime": "9"})
    assert event.update_id == Inbound("u1", dict(event.fields)).update_id < 2**63


def test_a_calendars_blank_cells_are_not_options() -> None:
    labels = [" ", " ", "1", "2", "3", " ", "4", "5", "6", "7"]
    days = [InlineKeyboardButton(text=t, callback_data=f"d-{n}") for n, t in enumerate(labels)]
    drawn = drawing(InlineKeyboardMarkup(inline_keyboard=[days[:5], days[5:]]))
    assert drawn.card == []
    assert [(b.position, b.label, b.data) for b in drawn.numbered] == [
        (1, "1", "d-2"),
        (2, "2", "d-3"),
        (3, "3", "d-4"),
        (4, "4", "d-6"),
        (5, "5", "d-7"),
        (6, "6", "d-8"),
        (7, "7", "d-9"),
    ]
    assert numbered_text("When?", drawn).splitlines()[2:4] == ["1. 1", "2. 2"]
