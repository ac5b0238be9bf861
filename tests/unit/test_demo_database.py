"""The demo runs on a database of its own and refuses one with anybody's real data in it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from bot.app import build_context
from bot.cli import app, same_database
from bot.runner import seed_demo_data
from bot.settings import Settings
from services.accounts import identities
from services.clock import ManualClock
from services.demo.guard import (
    NotADemoDatabaseError,
    claim_demo_database,
    is_demo_database,
    require_demo_database,
)
from storage.db import Database
from storage.models import ChatIdentity, Member
from tests.conftest import START
from tests.support.members import SAMPLE_ROSTER


async def a_real_resident(db: Database) -> None:
    async with db.session() as session:
        await identities.touch_identity(
            session, channel="telegram", chat_id=4242, chat_type="private", now=START
        )


async def count(db: Database, model: type[Member] | type[ChatIdentity]) -> int:
    async with db.session() as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


async def test_a_database_with_real_data_is_refused_and_left_untouched(db: Database) -> None:
    await a_real_resident(db)
    async with db.session() as session:
        with pytest.raises(NotADemoDatabaseError) as refused:
            await claim_demo_database(session, now=START)
        assert not await is_demo_database(session)
    assert refused.value.tables == ["chat_identity"]


async def test_seeding_refuses_before_writing_anything(
    sqlite_db: Database, settings: Settings
) -> None:
    await a_real_resident(sqlite_db)
    with pytest.raises(NotADemoDatabaseError):
        await seed_demo_data(build_context(settings, sqlite_db, ManualClock(START)))
    assert await count(sqlite_db, Member) == 0
    assert await count(sqlite_db, ChatIdentity) == 1


async def test_the_demo_database_is_marked_and_seeded_again_after_visitors(
    sqlite_db: Database, settings: Settings
) -> None:
    clock = ManualClock(START)
    await seed_demo_data(build_context(settings, sqlite_db, clock))
    # A visitor of the demo leaves a chat behind: still the demo's database.
    await a_real_resident(sqlite_db)
    again = await seed_demo_data(build_context(settings, sqlite_db, clock))
    assert again["cases"] == 0
    async with sqlite_db.session() as session:
        assert await is_demo_database(session)
        await require_demo_database(session)


async def test_demo_mode_alone_needs_a_demo_database(sqlite_db: Database) -> None:
    async with sqlite_db.session() as session:
        with pytest.raises(NotADemoDatabaseError):
            await require_demo_database(session)


def test_the_demo_database_is_its_own(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "var", _env_file=None)  # type: ignore[call-arg]
    assert settings.demo_database == f"sqlite+aiosqlite:///{tmp_path / 'var' / 'demo.db'}"
    assert not same_database(settings.demo_database, settings.database_url)
    assert same_database("sqlite+aiosqlite:///var/liaison.db", "sqlite:///./var/../var/liaison.db")
    assert same_database(
        "postgresql+asyncpg://a:x@db/liaison", "postgresql+psycopg://b:y@db/liaison"
    )
    assert not same_database("postgresql+asyncpg://db/liaison", "postgresql+asyncpg://db/demo")


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LIAISON_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'run.db'}")
    monkeypatch.setenv("LIAISON_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("LIAISON_DEMO_DATABASE_URL", raising=False)
    monkeypatch.delenv("LIAISON_TELEGRAM_TOKEN", raising=False)
    monkeypatch.setenv("LIAISON_DEFAULT_LOCALE", "en")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_liaison_demo_refuses_the_run_database(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIAISON_DEMO_DATABASE_URL", f"sqlite+aiosqlite:///{env / 'run.db'}")
    result = CliRunner().invoke(app, ["demo", "--port", "1"])
    assert result.exit_code == 1
    assert "LIAISON_DEMO_DATABASE_URL" in result.output
    assert not (env / "run.db").exists()


def test_liaison_demo_refuses_a_database_with_real_people(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite+aiosqlite:///{env / 'other.db'}"
    runner = CliRunner()
    monkeypatch.setenv("LIAISON_DATABASE_URL", url)
    assert runner.invoke(app, ["db", "seed"]).exit_code == 0
    imported = runner.invoke(app, ["members", "import", str(SAMPLE_ROSTER)])
    assert imported.exit_code == 0, imported.output
    monkeypatch.setenv("LIAISON_DATABASE_URL", f"sqlite+aiosqlite:///{env / 'run.db'}")
    monkeypatch.setenv("LIAISON_DEMO_DATABASE_URL", url)
    result = runner.invoke(app, ["demo", "--port", "1"])
    assert result.exit_code == 1, result.output
    assert "Refusing to run the demo" in result.output and "member" in result.output
