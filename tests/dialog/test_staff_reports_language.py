"""A staff member whose Telegram speaks Chinese gets the report files in Chinese.

The builders translate through ``services.translation``; the chat sets it per update to
the language it answers in, so the workbook matches the message around it.
"""

from __future__ import annotations

import io

from openpyxl import load_workbook

from storage.db import Database
from tests.dialog.test_staff_reports import files, message
from tests.support.chat import ChatUser
from tests.unit.test_issue_stats import load_fixture


async def test_report_files_are_in_the_staff_members_language(
    office: ChatUser, roster: Database
) -> None:
    await load_fixture(roster)
    # 王芳's chat, its client now set to Chinese.
    chinese = ChatUser(office.dp, office.bot, user_id=8001, language_code="zh-hans")
    await chinese.send("📈 统计报表")

    cases = chinese.button("按联络站、类别和状态统计诉求")
    sent = await chinese.press(cases)
    assert "<b>收到的诉求，2026 年第 4 季度（2026-10-01 – 2026-12-31）</b>" in message(sent)
    book = load_workbook(io.BytesIO(files(sent)[1]))
    assert book.sheetnames == ["摘要", "按联络站", "按类别", "按状态"]
    assert next(book["按联络站"].iter_rows(values_only=True))[:3] == ("联络站", "诉求", "已收到")
    assert next(book["摘要"].iter_rows(values_only=True)) == ("指标", "数值")

    sent = await chinese.press(chinese.button("季度履职最低要求"))
    book = load_workbook(io.BytesIO(files(sent)[1]))
    assert book.sheetnames == ["委员", "按界别", "按分组"]
    members = list(book["委员"].iter_rows(values_only=True))
    assert members[0][:4] == ("编号", "姓名", "界别", "分组")
    assert {row[4] for row in members[1:]} == {"在任"}

    # The same chat in English gets English files: nothing stays from the last update.
    sent = await office.press(cases)
    book = load_workbook(io.BytesIO(files(sent)[1]))
    assert book.sheetnames == ["Summary", "By station", "By category", "By status"]
