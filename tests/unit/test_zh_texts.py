"""Chinese texts that read right: spacing after case numbers, brackets, the leave decision."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import gettext as _

from bot.i18n import build_i18n
from handlers.timeline import event_line
from storage.enums import ActorKind, IssueEventKind
from storage.models import IssueEvent

TZ = ZoneInfo("Asia/Shanghai")
AT = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)


def extension_event() -> IssueEvent:
    return IssueEvent(
        issue_id=1,
        created_at=AT,
        kind=IssueEventKind.EXTENSION,
        actor=ActorKind.MEMBER,
        actor_name="李文静",
        public=False,
        body="+7: Waiting for the maintenance contract.",
    )


def test_a_request_for_more_time_reads_as_words_on_the_timeline() -> None:
    i18n = build_i18n("zh_CN")
    with i18n.context():
        with i18n.use_locale("en"):
            line = event_line(extension_event(), TZ, internal=True)
            assert "李文静 asked for 7 more days" in line and "+7:" not in line
            assert "<blockquote>Waiting for the maintenance contract.</blockquote>" in line
        line = event_line(extension_event(), TZ, internal=True)
        assert "李文静 申请延期 7 天" in line and "+7:" not in line


def test_chinese_texts_keep_spaces_and_full_width_brackets() -> None:
    i18n = build_i18n("zh_CN")
    with i18n.context():
        status = _("📌 {case} is now: <b>{status}</b>.").format(
            case="您的案件 2026-000004", status="办理中"
        )
        assert "2026-000004 当前状态" in status
        assert _("{name} ({count})").format(name="北安社区联络站", count=2) == "北安社区联络站（2）"
        refused = _(
            "✖ Your leave from {title} ({when}) was not approved. "
            "Please attend, or contact the committee office."
        ).format(title="教育界别协商会", when="12月12日")
        assert refused.startswith("✖ 您对“教育界别协商会”（12月12日）的请假申请未获批准")
