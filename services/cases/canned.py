"""Canned replies: ready answers staff pick from, in the resident's language."""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.db import write_transaction
from storage.models import CannedReply

CANNED_PATH = Path(__file__).resolve().parent.parent / "data" / "canned_replies.toml"


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


# Read once at import: seeding runs inside a write transaction, no file access wanted there.
CANNED_TEXT = _read(CANNED_PATH)


def text_for(reply: CannedReply, locale: str | None) -> str:
    """The reply in ``locale`` (Chinese unless the resident chose English)."""
    return reply.text_en if (locale or "").startswith("en") else reply.text_zh


def title_for(reply: CannedReply, locale: str | None) -> str:
    """The reply's short title in ``locale``."""
    return reply.title_en if (locale or "").startswith("en") else reply.title_zh


async def list_canned(session: AsyncSession) -> Sequence[CannedReply]:
    """The active canned replies in their order."""
    return (
        (
            await session.execute(
                select(CannedReply)
                .where(col(CannedReply.active).is_(True))
                .order_by(col(CannedReply.sort_order), col(CannedReply.id))
            )
        )
        .scalars()
        .all()
    )


async def load_canned(session: AsyncSession, path: Path = CANNED_PATH) -> int:
    """Create or update the canned replies of a TOML file by code; return how many it holds."""
    async with write_transaction(session):
        return await upsert_canned(session, path)


async def upsert_canned(session: AsyncSession, path: Path = CANNED_PATH) -> int:
    """Like :func:`load_canned`, inside the caller's transaction."""
    entries = tomllib.loads(CANNED_TEXT if path == CANNED_PATH else _read(path))["replies"]
    for order, entry in enumerate(entries):
        found = (
            await session.execute(select(CannedReply).where(col(CannedReply.code) == entry["code"]))
        ).scalar_one_or_none()
        values = {
            "title_zh": entry["title_zh"],
            "title_en": entry["title_en"],
            "text_zh": entry["text_zh"].strip(),
            "text_en": entry["text_en"].strip(),
            "sort_order": order,
            "active": entry.get("active", True),
        }
        if found is None:
            session.add(CannedReply(code=entry["code"], **values))
        else:
            for key, value in values.items():
                setattr(found, key, value)
    return len(entries)
