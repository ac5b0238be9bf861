"""Every ``liaison`` command speaks one language a run: ``--locale`` zh_CN or en, nothing mixed."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import typer
from typer.main import get_command
from typer.testing import CliRunner

from bot.cli import app
from services.demo.data import read_demo_data


def _commands(command: typer.core.TyperGroup | object, path: tuple[str, ...] = ()) -> dict:
    found = {}
    sub = getattr(command, "commands", None)
    if sub is None or getattr(command, "invoke_without_command", False):
        found[path] = command
    for name, child in (sub or {}).items():
        found.update(_commands(child, (*path, name)))
    return found


COMMANDS = _commands(get_command(app))

# A side-effect-light run of each command on a seeded temporary database.
SAMPLES: dict[tuple[str, ...], list[str]] = {
    ("demo",): [],  # LIAISON_DEMO_DATABASE_URL is the run database: refused at once
    ("run",): ["--port", "0"],  # serve() is replaced by a refusal below
    ("db", "upgrade"): [],
    ("db", "downgrade"): ["head"],
    ("db", "seed"): [],
    ("plan", "carry-over"): ["--from", "2026"],
    ("stations", "qr"): ["--out", "codes", "--base-url", "https://chat.example.org"],
    ("members", "import"): ["roster.txt"],
    ("members", "invite"): ["nobody"],
    ("members", "unbind"): ["M001", "--channel", "wechat"],
    ("members", "list"): [],
    ("members", "export"): ["roster.csv"],
    ("report", "quarter"): ["--year", "2026", "--quarter", "4", "--out", "q.xlsx"],
    ("report", "issues"): ["--from", "2026-10-01"],
    ("report", "campaign"): ["--year", "2026", "--month", "5", "--out", "c.xlsx"],
    ("outbox",): [],
    ("outbox", "deliver"): [],
    ("staff", "add"): ["王芳", "--role", "station"],
    ("staff", "invite"): ["99"],
    ("staff", "list"): [],
    ("meetings", "add"): [
        *("--kind", "x", "--title", "t", "--start", "soon", "--end", "later"),
        *("--venue", "v", "--invite", "all"),
    ],
    ("meetings", "list"): [],
    ("departments", "import"): ["roster.txt"],
    ("departments", "list"): [],
    ("departments", "invite"): ["nowhere"],
    ("categories", "list"): [],
    ("categories", "due"): ["food", "0"],
    ("audit",): [],
    ("hotline", "import"): ["roster.txt"],
    ("hotspots", "run"): ["--month", "2026-11"],
    ("assessment", "show"): ["--year", "2026"],
    ("assessment", "export"): ["--year", "2026", "--out", "a.xlsx"],
    ("assessment", "close"): ["--year", "2026"],
    ("assessment", "reopen"): ["--year", "2026"],
    ("assessment", "recommend"): ["--year", "2026", "--committee", "economy", "M001"],
    ("assessment", "decide"): ["--year", "2026", "--members", "M001"],
    ("assessment", "publish"): ["--year", "2026"],
    ("assessment", "talks"): ["--year", "2026"],
    ("assessment", "conduct"): ["M404", "--kind", "talk"],
    ("assessment", "term"): ["--term", "2023-2027"],
    ("assessment", "correct-attendance"): [
        "--meeting",
        "999",
        "--member",
        "M001",
        "--to",
        "attended",
        "--note",
        "x",
    ],
    ("assessment", "archive"): ["--year", "2026", "--out", "records"],
    ("assessment", "attendance"): ["--year", "2026", "--term", "--out", "attendance.xlsx"],
    ("assessment", "entries", "import"): ["roster.txt"],
    ("proposals", "import"): ["roster.txt"],
    ("proposals", "rate"): ["2026", "2026-T-0404", "key"],
    ("pipeline", "lists"): ["--year", "2026", "--out", "lists.xlsx"],
    ("pipeline", "review-report"): ["--quarter", "2026Q4", "--out", "review.xlsx"],
    ("wechat", "menu"): [],  # no service account configured: refused, in the chosen language
    ("wecom", "bind"): ["zhang-san", "--member", "M404"],
    ("wecom", "unbind"): ["zhang-san"],
    ("wecom", "list"): [],
}

# Latin text a Chinese run may show: codes, ids, file names, URLs, options, names of products.
ALLOWED = re.compile(
    r"https?://\S+|`[^`]*`|--[a-z-]+|\S*\.(?:xlsx|png|csv|db)\b|LIAISON_[A-Z_]+|Ctrl\+C|Telegram"
    r"|[A-Za-z0-9]*\d[A-Za-z0-9]*|[A-Za-z0-9]+(?:[-_.:/][A-Za-z0-9]+)+"
)
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def test_every_command_has_a_sample_and_the_locale_option() -> None:
    assert set(COMMANDS) == set(SAMPLES), "give a new command a sample run in SAMPLES"
    for path, command in COMMANDS.items():
        options = {o for p in command.params for o in getattr(p, "opts", [])}
        assert "--locale" in options, f"liaison {' '.join(path)} has no --locale (@localized)"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One seeded database for the module, copied for each command: seeding takes a while."""
    folder = tmp_path_factory.mktemp("seeded")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LIAISON_DATABASE_URL", f"sqlite+aiosqlite:///{folder / 'cli.db'}")
        patch.setenv("LIAISON_DATA_DIR", str(folder / "var"))
        patch.delenv("LIAISON_TELEGRAM_TOKEN", raising=False)
        patch.setenv("LIAISON_DEFAULT_LOCALE", "en")
        assert CliRunner().invoke(app, ["db", "seed"]).exit_code == 0
    return folder / "cli.db"


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
@pytest.mark.parametrize("path", sorted(COMMANDS), ids=" ".join)
def test_each_command_speaks_the_chosen_language(
    env: Path,
    seeded: Path,
    monkeypatch: pytest.MonkeyPatch,
    path: tuple[str, ...],
    locale: str,
) -> None:
    async def refuse(*_args: object, **_kwargs: object) -> None:
        from services.demo.guard import NotADemoDatabaseError

        raise NotADemoDatabaseError(["member"])

    monkeypatch.setattr("bot.cli.serve", refuse)
    monkeypatch.setenv("LIAISON_DEMO_DATABASE_URL", f"sqlite+aiosqlite:///{env / 'cli.db'}")
    runner = CliRunner()
    shutil.copyfile(seeded, env / "cli.db")
    (env / "roster.txt").write_text("x")
    result = runner.invoke(app, [*path, *SAMPLES[path], "--locale", locale])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    text = result.output
    assert text.strip(), f"liaison {' '.join(path)} printed nothing"
    if locale == "zh_CN":
        if path[-1] == "list":  # the first column of a list is the code of each row
            text = "\n".join(line.split(maxsplit=1)[-1] for line in text.splitlines() if line)
        latin = re.findall(r"[A-Za-z]+", ALLOWED.sub("", text))
        codes = {
            "food",
            "nobody",
            "nowhere",
            "wechat",
            "soon",
            "station",
            "admin",
            "member",
            "telegram",
            "web",
        }
        # Sectors are named by their codes too (``decide --sectors cndca``).
        codes |= {sector["code"] for sector in read_demo_data()["sectors"]}
        assert not [w for w in latin if w not in codes], text
    else:
        assert not CJK.search(text.replace("王芳", "")), text


def test_an_unknown_locale_names_the_accepted_ones(env: Path) -> None:
    result = CliRunner().invoke(app, ["staff", "list", "--locale", "fr"])
    assert result.exit_code == 2
    assert "'fr' is not a language of the command line: use zh_CN or en." in result.output
