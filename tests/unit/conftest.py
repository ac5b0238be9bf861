"""Unit fixtures: the sample roster with three linked members and a linked staff member."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.accounts.identities import touch_identity
from services.accounts.staff import add_staff, bind_staff
from storage.db import Database, write_transaction
from tests.support.members import NOW, import_sample
from tests.unit.test_invites import identity, invite, redeem


@pytest.fixture
async def roster(db: Database) -> Database:
    await import_sample(db)
    for chat, code in ((1, "M001"), (2, "M002"), (3, "M003")):
        assert await redeem(db, await identity(db, chat), await invite(db, code)) == code
    async with db.session() as session:
        staff = await add_staff(session, name="王芳", now=NOW)
        office = await touch_identity(
            session, channel="telegram", chat_id=99, chat_type="private", now=NOW
        )
        async with write_transaction(session):
            await bind_staff(session, staff_id=staff.id or 0, identity=office, now=NOW)
    return db


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The CLI's settings: its own database and folder, no Telegram, English."""
    monkeypatch.setenv("LIAISON_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("LIAISON_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("LIAISON_TELEGRAM_TOKEN", raising=False)
    monkeypatch.setenv("LIAISON_DEFAULT_LOCALE", "en")
    monkeypatch.chdir(tmp_path)
    return tmp_path
