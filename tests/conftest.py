"""Shared fixtures: databases (SQLite file and PostgreSQL), a movable clock, a bot to talk to."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from aiogram import Bot, Dispatcher
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

from bot.app import AppContext, build_context, build_dispatcher
from bot.settings import Settings
from services.clock import ManualClock, ShiftedClock
from services.demo.data import load_reference_data, read_demo_data
from storage.db import Database
from storage.migrate import upgrade
from tests.support.chat import ChatUser
from tests.support.recording import RecordingSession
from tests.support.signatures import remember_handler_signatures

# Each test builds its own Dispatcher; aiogram's inspection of its handlers is done once.
remember_handler_signatures()

REQUIRE_ALL = os.environ.get("LIAISON_TEST_REQUIRE_ALL") == "1"
POSTGRES_URL = os.environ.get(
    "LIAISON_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres:postgres@127.0.0.1:5432/postgres"
)


def worker_redis_url() -> str:
    """The test Redis database of this pytest worker: one database each, counting down.

    Tests flush their database; workers running side by side must never share one.
    """
    url = make_url(os.environ.get("LIAISON_TEST_REDIS_URL", "redis://127.0.0.1:6379/15"))
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    base = int(url.database or 0)
    return url.set(
        database=str(max(base - int(worker.removeprefix("gw") or 0), 0))
    ).render_as_string(hide_password=False)


START = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai
TELEGRAM_TOKEN = "123456:TEST-token-for-dialogs"
# For tests that wait in real seconds (pauses, leases): START's calendar at the wall's pace.
RUNNING_CLOCK = ShiftedClock(START)


def missing(reason: str) -> None:
    """Skip locally; fail when CI demands every dependency."""
    if REQUIRE_ALL:
        pytest.fail(f"required test dependency missing: {reason}")
    pytest.skip(reason)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture(autouse=True)
def pinned_settings_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever builds its clock from the settings (the CLI, a subprocess) starts at START."""
    monkeypatch.setenv("LIAISON_CLOCK_START", START.isoformat())


# --- SQLite ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database migrated to head and seeded once; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "template.db"

    async def build() -> None:
        db = Database(f"sqlite+aiosqlite:///{path}")
        await upgrade(db)
        async with db.writing() as session:
            await load_reference_data(session, read_demo_data())
        async with db.engine.connect() as connection:
            await connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        await db.dispose()

    asyncio.run(build())
    return path


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "liaison.db"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite+aiosqlite:///{path}"


# --- PostgreSQL -----------------------------------------------------------------------------


SNAPSHOT_SCHEMA = "liaison_test_snapshot"


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh database on the PostgreSQL server for this test session, migrated and seeded.

    Every pytest worker runs its own session, so each gets a database of its own.
    """
    admin_url = make_url(POSTGRES_URL)
    name = f"liaison_test_{uuid.uuid4().hex[:10]}"
    test_url = admin_url.set(database=name)

    async def create() -> str | None:
        admin = Database(admin_url)
        try:
            async with admin.engine.connect() as connection:
                connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
                await connection.execute(text(f'CREATE DATABASE "{name}"'))
        except (OSError, Exception) as error:
            return f"PostgreSQL not reachable at {admin_url.host}: {error}"
        finally:
            await admin.dispose()
        db = Database(test_url)
        await upgrade(db)
        await _truncate_and_seed(db)
        await _take_snapshot(db)
        await db.dispose()
        return None

    async def drop() -> None:
        admin = Database(admin_url)
        async with admin.engine.connect() as connection:
            connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()

    problem = asyncio.run(create())
    if problem:
        missing(problem)
    yield test_url.render_as_string(hide_password=False)
    asyncio.run(drop())


async def _truncate_and_seed(db: Database) -> None:
    """Every table emptied, every sequence restarted, the reference data loaded."""
    tables = ", ".join(f'"{table.name}"' for table in SQLModel.metadata.sorted_tables)
    async with db.engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    async with db.writing() as session:
        await load_reference_data(session, read_demo_data())


async def _take_snapshot(db: Database) -> None:
    """Copy the freshly seeded rows and sequence positions aside, in a schema of their own.

    Migrations never look outside the default schema, so the copy survives a test that
    downgrades to base and upgrades again.
    """
    statements = [
        f'DROP SCHEMA IF EXISTS "{SNAPSHOT_SCHEMA}" CASCADE',
        f'CREATE SCHEMA "{SNAPSHOT_SCHEMA}"',
    ]
    for table in SQLModel.metadata.sorted_tables:
        statements.append(
            f'CREATE TABLE "{SNAPSHOT_SCHEMA}"."{table.name}" AS SELECT * FROM "{table.name}"'
        )
    statements.append(
        f'CREATE TABLE "{SNAPSHOT_SCHEMA}".sequences AS'
        " SELECT sequencename AS name, last_value, last_value IS NOT NULL AS called"
        " FROM pg_sequences WHERE schemaname = 'public'"
    )
    async with db.engine.begin() as connection:
        for statement in statements:
            await connection.exec_driver_sql(statement)


def _restore_sql() -> str:
    """One batch that puts the seeded state back: rows deleted, the copy reinserted.

    DELETE rather than TRUNCATE: truncating some seventy tables replaces their files on disk
    and took about a second a test, while deleting the few rows a test wrote takes
    milliseconds. Sequences go back to where the seed left them, as RESTART IDENTITY did.
    """
    tables = SQLModel.metadata.sorted_tables
    position = {table.name: index for index, table in enumerate(tables)}
    # A reference to a later table (a cycle, such as a sector's convenor) is cut first, so
    # that deleting in reverse order never trips over it.
    statements = [
        f'UPDATE "{table.name}" SET "{key.parent.name}" = NULL'
        for table in tables
        for key in table.foreign_keys
        if position[key.column.table.name] > position[table.name]
    ]
    statements += [f'DELETE FROM "{table.name}"' for table in reversed(tables)]
    statements += [
        f'INSERT INTO "{table.name}" OVERRIDING SYSTEM VALUE'
        f' SELECT * FROM "{SNAPSHOT_SCHEMA}"."{table.name}"'
        for table in tables
    ]
    statements.append(
        "SELECT setval(format('public.%I', name), coalesce(last_value, 1), called)"
        f' FROM "{SNAPSHOT_SCHEMA}".sequences'
    )
    return ";\n".join(statements)


async def _reset_postgres(db: Database) -> None:
    async with db.engine.connect() as connection:
        driver = (await connection.get_raw_connection()).driver_connection
        assert driver is not None
        # asyncpg runs an argument-free script in one round trip and one implicit transaction.
        await driver.execute(_restore_sql())


# --- the database fixture most tests use ----------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str:
    """Every service test runs on both backends."""
    if request.param == "sqlite":
        return str(request.getfixturevalue("sqlite_url"))
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    if not database.is_sqlite:
        await _reset_postgres(database)
    yield database
    await database.dispose()


@pytest.fixture
async def sqlite_db(sqlite_url: str) -> AsyncIterator[Database]:
    database = Database(sqlite_url)
    yield database
    await database.dispose()


# --- a bot to talk to -----------------------------------------------------------------------


@pytest.fixture
def settings(sqlite_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=sqlite_url,
        data_dir=tmp_path / "var",
        default_locale="en",
        _env_file=None,  # type: ignore[call-arg]
    )


@pytest.fixture
async def app(settings: Settings, sqlite_db: Database, clock: ManualClock) -> AppContext:
    return build_context(settings, sqlite_db, clock)


@pytest.fixture
async def dispatcher(app: AppContext) -> Dispatcher:
    return build_dispatcher(app)


@pytest.fixture
async def bot(app: AppContext) -> Bot:
    telegram = Bot(TELEGRAM_TOKEN, session=RecordingSession())
    app.channels[telegram.id] = "telegram"
    return telegram


@pytest.fixture
def resident(dispatcher: Dispatcher, bot: Bot) -> ChatUser:
    return ChatUser(dispatcher, bot, user_id=1001)


@pytest.fixture
def other_resident(dispatcher: Dispatcher, bot: Bot) -> ChatUser:
    return ChatUser(dispatcher, bot, user_id=1002)
