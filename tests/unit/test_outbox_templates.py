"""Template messages for notices outside the window: field limits, missing facts, kinds."""

from __future__ import annotations

from bot.settings import WeChatTemplate
from services.outbox.templates import fit, limit_of, plain_text, template_message

STATUS = WeChatTemplate(
    template_id="tpl-status",
    fields={"character_string1": "case", "thing2": "title", "phrase3": "status", "time4": "time"},
    url="https://liaison.example.org/",
)
FACTS = {
    "case": "2026-000123",
    "title": "市容环境：三号门的路灯已经坏了整整一个星期还没有人来修",
    "status": "Merged with another case",
    "time": "2026-11-20 10:00",
}


def test_values_are_cut_to_the_limit_of_their_key_type() -> None:
    message = template_message({"case-status": STATUS}, kind="case-status", facts=FACTS)
    assert message is not None
    assert message.template_id == "tpl-status"
    assert message.url == "https://liaison.example.org/"
    assert message.data["character_string1"] == "2026-000123"
    assert len(message.data["thing2"]) == 20 and message.data["thing2"].endswith("…")
    assert message.data["phrase3"] == "Merg…"
    assert message.data["time4"] == "2026-11-20 10:00"


def test_limits_by_key_type() -> None:
    assert [limit_of(key) for key in ("thing12", "character_string3", "phrase1", "name2")] == [
        20,
        32,
        5,
        10,
    ]
    # Classic templates' keys have no type: a generous limit.
    assert limit_of("keyword1") == limit_of("remark") == 200
    assert fit("a\n b\tc", 10) == "a b c"
    assert fit("abcdef", 3) == "ab…"


def test_a_missing_or_empty_fact_means_no_template() -> None:
    partial = {key: value for key, value in FACTS.items() if key != "status"}
    assert template_message({"case-status": STATUS}, kind="case-status", facts=partial) is None
    blank = {**FACTS, "title": "  "}
    assert template_message({"case-status": STATUS}, kind="case-status", facts=blank) is None


def test_an_unknown_kind_has_no_template() -> None:
    assert template_message({"case-status": STATUS}, kind="case-reply", facts=FACTS) is None
    assert template_message({}, kind="case-status", facts=FACTS) is None


def test_plain_text_drops_the_markup_and_keeps_the_words() -> None:
    text = plain_text("💬 An answer:\n<blockquote>Fixed &lt;today&gt;</blockquote>", limit=30)
    assert text == "💬 An answer: Fixed <today>"
    assert len(plain_text("x" * 500)) == 200
