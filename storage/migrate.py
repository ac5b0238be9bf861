"""Alembic driven from code: every start upgrades to head."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection

from storage.db import IMMEDIATE_OPTION, Database

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Several workers starting at once on PostgreSQL upgrade one after another under this lock.
MIGRATION_LOCK = 7_301_202_612


def alembic_config(db: Database) -> Config:
    """Build an Alembic configuration pointing at the packaged migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    url = db.url.render_as_string(hide_password=False).replace("%", "%%")
    config.set_main_option("sqlalchemy.url", url)
    return config


async def _run(db: Database, action: str, revision: str, **kwargs: Any) -> None:
    config = alembic_config(db)

    def run(connection: Connection) -> None:
        if connection.dialect.name == "postgresql":
            # Held until the transaction ends; the next worker then finds the schema at head.
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
        config.attributes["connection"] = connection
        getattr(command, action)(config, revision, **kwargs)

    async with db.engine.connect() as connection:
        connection = await connection.execution_options(**{IMMEDIATE_OPTION: True})
        async with connection.begin():
            await connection.run_sync(run)


async def upgrade(db: Database, revision: str = "head") -> None:
    """Upgrade the schema to ``revision`` (head by default)."""
    await _run(db, "upgrade", revision)


async def downgrade(db: Database, revision: str) -> None:
    """Downgrade the schema to ``revision`` (``base`` drops everything)."""
    await _run(db, "downgrade", revision)


async def current_revision(db: Database) -> str | None:
    """Return the revision the database is at, or None before the first upgrade."""
    from alembic.runtime.migration import MigrationContext

    def read(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with db.engine.connect() as connection:
        return await connection.run_sync(read)


def revision_ids() -> list[str]:
    """Every revision id from base to head, in order."""
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    script = ScriptDirectory.from_config(config)
    return [rev.revision for rev in reversed(list(script.walk_revisions("base", "heads")))]


async def make_revision(db: Database, message: str) -> None:
    """Autogenerate a new revision against a database at head (a development aid)."""
    config = alembic_config(db)

    def run(connection: Connection) -> None:
        config.attributes["connection"] = connection
        command.revision(config, message=message, autogenerate=True)

    async with db.engine.connect() as connection:
        await connection.run_sync(run)
