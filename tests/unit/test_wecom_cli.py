"""``liaison wecom``: naming, listing and forgetting WeCom userids, refusals in both languages."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from bot.cli import app
from services.demo.data import DEMO_ROSTER_PATH


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def test_the_office_names_lists_and_forgets_userids(env: Path) -> None:
    assert _run("db", "seed")[0] == 0
    assert _run("members", "import", str(DEMO_ROSTER_PATH))[0] == 0
    assert _run("staff", "add", "王芳")[0] == 0
    code, out = _run("wecom", "bind", "zhang-jh", "--member", "M001")
    assert code == 0 and "WeCom userid zhang-jh set." in out
    assert _run("wecom", "bind", "wangfang", "--staff", "1")[0] == 0
    assert _run("wecom", "bind", "housing.li", "--department", "housing")[0] == 0
    code, out = _run("wecom", "list")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["WeCom", "userid", "Whose"]
    assert [line.split()[0] for line in lines[1:]] == ["housing.li", "wangfang", "zhang-jh"]
    assert "member M001 张建华" in out and "staff #1 王芳" in out and "department housing" in out
    code, out = _run("wecom", "unbind", "zhang-jh")
    assert code == 0 and "WeCom userid zhang-jh removed." in out
    code, out = _run("wecom", "unbind", "zhang-jh")
    assert code == 1 and "No one has the WeCom userid zhang-jh." in out


def test_refusals_say_what_is_wrong_in_the_chosen_language(env: Path) -> None:
    assert _run("db", "seed")[0] == 0
    assert _run("members", "import", str(DEMO_ROSTER_PATH))[0] == 0
    assert _run("wecom", "bind", "zhang-jh", "--member", "M001")[0] == 0
    code, out = _run("wecom", "bind", "zhang-jh", "--member", "M002")
    assert code == 1 and "the userid zhang-jh already belongs to someone else" in out
    code, out = _run("wecom", "bind", "zhang-jh", "--member", "M002", "--locale", "zh_CN")
    assert code == 1 and "账号 zhang-jh 已属于其他人" in out
    code, out = _run("wecom", "bind", "张三", "--member", "M002")
    assert code == 1 and "1 to 64 letters, digits" in out
    code, out = _run("wecom", "bind", "张三", "--member", "M002", "--locale", "zh_CN")
    assert code == 1 and "企业微信账号须为 1 至 64 个" in out
    code, out = _run("wecom", "bind", "x", "--member", "M404")
    assert code == 1 and "no member has the code M404" in out
    code, out = _run("wecom", "bind", "x", "--staff", "99")
    assert code == 1 and "there is no staff member #99" in out
    code, out = _run("wecom", "bind", "x", "--department", "nowhere")
    assert code == 1 and "no department has the code nowhere" in out
    code, out = _run("wecom", "bind", "x", "--member", "M001", "--staff", "1")
    assert code == 1 and "Name exactly one of --member, --staff or --department." in out
