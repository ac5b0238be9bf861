"""The detector of Latin words in Chinese texts: what passes, what is caught."""

from __future__ import annotations

import pytest

from tests.support.latin import latin_words


@pytest.mark.parametrize(
    "text",
    [
        "您的案件 2026-000004 已受理。",
        "截止日期：2026-12-01 17:00（北京时间）",
        "详见 https://example.org/cases?id=4&x=y 或 www.example.org/help",
        "发送 /start 重新开始，/log 2026-11-20 12 记录活动，/cancel 取消。",
        "已生成 cases-2026-Q4.xlsx 和 minimums_2026.pdf。",
        "委员编号 M001，第 Q4 季度，邀请码 inv-3fa9c1。",
        "✅ 完成 ⏭ 跳过 📍 ★★★☆☆",
        '<b>标题</b> <a href="https://t.me/liaison_bot">链接</a> &lt;注意&gt; &amp;',
        "文件不超过 20 MB，距离 3 km，附 PDF，扫描 QR 码。",
        "1 2 3 … 10%",
    ],
)
def test_allowed(text: str) -> None:
    assert latin_words(text) == []


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("📈 Reports", ["Reports"]),
        ("✔ Resolve", ["Resolve"]),
        ("好的 OK", ["OK"]),
        ("<b>Case queue</b>：共 3 件", ["Case", "queue"]),
        ("案件 2026-000004 is now: 办理中", ["is", "now"]),
        ("Bei'an 联络站", ["Bei", "an"]),
        ("see /start-ish texts", ["see", "texts"]),
    ],
)
def test_caught(text: str, words: list[str]) -> None:
    assert latin_words(text) == words
