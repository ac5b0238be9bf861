"""The ``liaison`` command line: schema, seeding, station QR codes."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from bot.cli import app
from storage.migrate import revision_ids

PNG = b"\x89PNG\r\n\x1a\n"


def test_db_upgrade_seed_and_downgrade(env: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert f"database at revision {revision_ids()[-1]}" in result.output
    result = runner.invoke(app, ["db", "seed"])
    assert result.exit_code == 0
    assert "7 stations, 21 sectors, 11 issue categories, 7 special committees" in result.output
    assert runner.invoke(app, ["db", "seed"]).output == result.output
    result = runner.invoke(app, ["db", "downgrade", "base"])
    assert result.exit_code == 0 and "database at no revision (empty)" in result.output


def test_stations_qr_without_telegram_points_at_the_web_chat(env: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["stations", "qr"]).exit_code == 1  # no stations yet
    runner.invoke(app, ["db", "seed"])
    result = runner.invoke(
        app, ["stations", "qr", "--out", "codes", "--base-url", "https://chat.example.org"]
    )
    assert result.exit_code == 0, result.output
    files = sorted((env / "codes").glob("*.png"))
    assert len(files) == 7
    assert all(path.read_bytes().startswith(PNG) for path in files)
    assert "https://chat.example.org/?start=st-xq-jingde" in result.output


def test_stations_qr_with_a_bot_username(env: Path) -> None:
    runner = CliRunner()
    runner.invoke(app, ["db", "seed"])
    result = runner.invoke(app, ["stations", "qr", "--out", "codes", "--username", "liaison_bot"])
    assert result.exit_code == 0
    assert "https://t.me/liaison_bot?start=st-jf-beian" in result.output


def test_help_lists_the_commands() -> None:
    result = CliRunner().invoke(app, ["--help"])
    for command in ("demo", "run", "db", "stations"):
        assert command in result.output


def test_members_import_invite_list_unbind(env: Path) -> None:
    from tests.support.members import SAMPLE_ROSTER

    runner = CliRunner()
    runner.invoke(app, ["db", "seed"])
    result = runner.invoke(app, ["members", "import", str(SAMPLE_ROSTER)])
    assert result.exit_code == 0, result.output
    assert "8 created, 0 updated, 0 unchanged, 0 refused" in result.output
    result = runner.invoke(app, ["members", "import", str(SAMPLE_ROSTER)])
    assert "0 created, 0 updated, 8 unchanged, 0 refused" in result.output
    result = runner.invoke(
        app, ["members", "invite", "张建华", "--base-url", "https://chat.example.org"]
    )
    assert result.exit_code == 0, result.output
    assert "https://chat.example.org/?start=inv-" in result.output
    assert "/bind " in result.output
    result = runner.invoke(app, ["members", "invite", "nobody"])
    assert result.exit_code == 1 and "no member matches" in result.output
    result = runner.invoke(app, ["members", "list"])
    assert "M001" in result.output and "Education" in result.output
    result = runner.invoke(app, ["members", "unbind", "M001"])
    assert result.exit_code == 0 and "0 chat(s) unlinked" in result.output
    result = runner.invoke(app, ["members", "unbind", "M001", "--channel", "web"])
    assert result.exit_code == 0 and "0 chat(s) unlinked" in result.output


def test_members_unbind_upgrades_first_and_checks_the_channel(env: Path) -> None:
    runner = CliRunner()
    # A database never upgraded: the command creates the tables instead of crashing.
    result = runner.invoke(app, ["members", "unbind", "M001"])
    assert result.exit_code == 1, result.output
    assert "no member matches 'M001'" in result.output
    result = runner.invoke(app, ["members", "unbind", "M001", "--channel", "wechat"])
    assert result.exit_code == 2
    assert "'wechat' is not a channel; use telegram or web" in result.output


def test_members_import_reports_bad_rows(env: Path) -> None:
    runner = CliRunner()
    runner.invoke(app, ["db", "seed"])
    bad = env / "bad.csv"
    bad.write_text("code,name,sector,group\nB1,甲,education,local\nB2,乙,nowhere,local\n")
    result = runner.invoke(app, ["members", "import", str(bad)])
    assert result.exit_code == 1
    assert "1 created" in result.output and "row 3: unknown sector 'nowhere'" in result.output
    wrong = env / "roster.txt"
    wrong.write_text("x")
    assert runner.invoke(app, ["members", "import", str(wrong)]).exit_code == 2


def test_report_quarter_prints_and_writes_xlsx(env: Path) -> None:
    from openpyxl import load_workbook

    from tests.support.members import SAMPLE_ROSTER

    runner = CliRunner()
    runner.invoke(app, ["db", "seed"])
    runner.invoke(app, ["members", "import", str(SAMPLE_ROSTER)])
    result = runner.invoke(app, ["report", "quarter", "--year", "2026", "--quarter", "4"])
    assert result.exit_code == 0, result.output
    assert "0 of 8 active members met the quarter's minimum." in result.output
    assert "M001 张建华" in result.output
    assert "Counted under the 2026 rules, version 3." in result.output
    # Every member's figures, under their sector and then their group.
    figures = result.output.split("Members by sector and group:", 1)[1]
    lines = figures.splitlines()
    line = (
        "    M001 张建华: 0 activities this quarter (0 qualifying), "
        "0 of 40 person-times this year, six ones 0 of 6 done — Short"
    )
    at = lines.index(line)
    assert lines[at - 2 : at] == ["Education", "  Standing committee members"]
    assert "    M002 李文静: 0 activities this quarter" in figures
    assert sum(" person-times this year, six ones " in text for text in lines) == 8
    book = load_workbook(env / "reports" / "minimums-2026-Q4.xlsx")
    assert book.sheetnames == ["Members", "By sector", "By group"]
    rows = list(book["Members"].iter_rows(values_only=True))
    assert rows[0][:3] == ("Code", "Name", "Sector") and len(rows) == 9
    assert rows[0][-1] == "Rules version" and {row[-1] for row in rows[1:]} == {3}
    assert book.properties.description == "Counted under the 2026 rules, version 3."
    assert (
        runner.invoke(app, ["report", "quarter", "--year", "2026", "--quarter", "5"]).exit_code == 2
    )


def test_members_list_has_a_header_and_speaks_one_language(env: Path) -> None:
    from tests.support.members import SAMPLE_ROSTER

    runner = CliRunner()
    runner.invoke(app, ["db", "seed"])
    runner.invoke(app, ["members", "import", str(SAMPLE_ROSTER)])
    english = runner.invoke(app, ["members", "list"])
    assert english.exit_code == 0, english.output
    header, first, *rest = english.output.splitlines()
    assert header.split() == ["ID", "Code", "Name", "Sector", "Group", "Status", "Linked", "chats"]
    assert len(rest) == 7
    assert "M001" in first and "张建华" in first
    assert "Education" in first and "Standing committee members" in first and "active" in first
    # Columns line up under the header, Chinese names taking two columns a character.
    assert first.index("M001") == header.index("Code")

    chinese = runner.invoke(app, ["members", "list", "--locale", "zh_CN"])
    assert chinese.exit_code == 0, chinese.output
    header, first, *_rest = chinese.output.splitlines()
    assert header.split() == ["序号", "编号", "姓名", "界别", "分组", "状态", "已绑定的聊天"]
    assert "常委" in first and "在任" in first
    for english_word in ("Code", "Education", "Standing", "active", "education"):
        assert english_word not in chinese.output
    bad = runner.invoke(app, ["members", "list", "--locale", "fr"])
    assert bad.exit_code == 2 and "zh_CN or en" in bad.output


def test_lists_name_things_in_the_one_language_of_the_run(env: Path) -> None:
    runner = CliRunner()
    runner.invoke(app, ["db", "seed"])
    english = runner.invoke(app, ["categories", "list"]).output
    assert "food\t5 days\tFood and drug safety" in english and "食品" not in english
    chinese = runner.invoke(app, ["categories", "list", "--locale", "zh_CN"]).output
    assert "food\t5 天\t食品药品安全" in chinese
    assert "days" not in chinese and "Food" not in chinese
    chinese = runner.invoke(app, ["departments", "list", "--locale", "zh_CN"]).output
    assert "市住房和城乡建设局（在用，已绑定 0 个聊天）" in chinese
    assert "chats" not in chinese and "Housing" not in chinese
    result = runner.invoke(app, ["stations", "qr", "--out", "codes", "--locale", "en"])
    assert "Jingde" in result.output and "敬德" not in result.output
