"""The web chat's history and file rows, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import delete

from services.chats.webchat_files import (
    FileKind,
    clean_up_files,
    forget_chat_files,
    held_name,
    pending_bytes,
    record_file,
    unreferenced,
)
from services.chats.webchat_history import add_entry, load_history, redact_histories, update_message
from storage.db import Database, write_transaction
from storage.models import FsmRecord

NOW = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)
CHAT = 10**12 + 1
OTHER = 10**12 + 2


async def test_history_keeps_the_newest_entries_per_chat(db: Database) -> None:
    async with db.session() as session:
        for message_id in range(1, 16):
            for chat in (CHAT, OTHER):
                frame = {"type": "message", "message_id": message_id, "html": f"{message_id}"}
                await add_entry(
                    session, chat_id=chat, message_id=message_id, frame=frame, now=NOW, keep=10
                )
        kept = await load_history(session, chat_id=CHAT, limit=10)
        assert [frame["message_id"] for frame in kept] == list(range(6, 16))
        assert await update_message(
            session, chat_id=CHAT, message_id=15, changes={"html": "tel 13912345678"}
        )
        async with write_transaction(session):
            assert await redact_histories(session, {"13912345678"}) == 1
        [last] = (await load_history(session, chat_id=CHAT, limit=10))[-1:]
        assert last["html"] == "tel [removed]"
        assert len(await load_history(session, chat_id=OTHER, limit=100)) == 10


async def test_files_expire_and_go_once_nothing_keeps_them(db: Database) -> None:
    common = {"name": "a.png", "mime_type": "image/png", "size": 1000}
    async with db.session() as session:
        await record_file(
            session, file_id="web-a", chat_id=CHAT, kind=FileKind.UPLOAD, now=NOW,
            client_address="10.0.0.1", **common,
        )  # fmt: skip
        await record_file(
            session, file_id="web-a", chat_id=OTHER, kind=FileKind.SHOWN, now=NOW, **common
        )
        await record_file(
            session, file_id="web-x", chat_id=CHAT, kind=FileKind.EXPORT, now=NOW,
            expires_at=NOW + dt.timedelta(days=1), **common,
        )  # fmt: skip
        assert await pending_bytes(session, client_address="10.0.0.1") == 1000
        assert await held_name(session, chat_id=OTHER, file_id="web-a", now=NOW) == "a.png"
        later = NOW + dt.timedelta(days=1)
        assert not await held_name(session, chat_id=CHAT, file_id="web-x", now=later)
        gone = await clean_up_files(session, now=later, upload_age=dt.timedelta(hours=6))
        assert sorted(gone) == ["web-a", "web-x"]
        # The upload held by one chat and shown to another went for both.
        assert not await held_name(session, chat_id=OTHER, file_id="web-a", now=later)
        await record_file(
            session, file_id="web-b", chat_id=CHAT, kind=FileKind.OUTGOING, now=NOW, **common
        )
        await record_file(
            session, file_id="web-b", chat_id=OTHER, kind=FileKind.OUTGOING, now=NOW, **common
        )
        async with write_transaction(session):
            held = await forget_chat_files(session, chat_id=CHAT)
            assert await unreferenced(session, held) == ()
        assert await held_name(session, chat_id=OTHER, file_id="web-b", now=later) == "a.png"


async def test_a_draft_keeps_its_photos_past_the_upload_age(db: Database) -> None:
    common = {"name": "a.png", "mime_type": "image/png", "size": 1000}
    async with db.session() as session:
        for file_id in ("web-draft", "web-lost"):
            await record_file(
                session, file_id=file_id, chat_id=CHAT, kind=FileKind.UPLOAD, now=NOW,
                client_address="10.0.0.1", **common,
            )  # fmt: skip
        async with write_transaction(session):
            session.add(
                # The report dialog's context, as the dialog engine stores it.
                FsmRecord(
                    key=f"fsm:1:{CHAT}:{CHAT}:aiogd:context:Ab3",
                    state=None,
                    data=json.dumps(
                        {
                            "_intent_id": "Ab3",
                            "_stack_id": "",
                            "state": "ReportForm:location",
                            "start_data": {"station_id": None},
                            "dialog_data": {"photos": [{"file_id": "web-draft"}]},
                            "widget_data": {},
                            "access_settings": None,
                        }
                    ),
                    updated_at=NOW,
                )
            )
        next_day = NOW + dt.timedelta(days=1)
        gone = await clean_up_files(session, now=next_day, upload_age=dt.timedelta(hours=6))
        assert gone == ("web-lost",)
        # Still counted against the address's cap: a draft is no place to park files.
        assert await pending_bytes(session, client_address="10.0.0.1") == 1000
        async with write_transaction(session):
            await session.execute(delete(FsmRecord))
        gone = await clean_up_files(session, now=next_day, upload_age=dt.timedelta(hours=6))
        assert gone == ("web-draft",)
