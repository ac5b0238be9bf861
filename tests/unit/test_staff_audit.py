"""Granting the staff desk is on record: who issued a staff code, and which chat used it."""

from __future__ import annotations

import json

from sqlalchemy import select

from services.accounts.identities import touch_identity
from services.accounts.invites import issue_invite, redeem_invite
from services.accounts.staff import add_staff
from storage.db import Database
from storage.models import AuditEntry, Staff
from tests.support.members import NOW


async def test_a_staff_code_issued_and_used_is_audited(db: Database) -> None:
    async with db.session() as session:
        staff = await add_staff(session, name="王芳", role="station", now=NOW, station_ids=[1])
        issued = await issue_invite(session, staff_id=staff.id, now=NOW, issued_by="ops")
        chat = await touch_identity(
            session, channel="telegram", chat_id=4242, chat_type="private", now=NOW
        )
        linked = await redeem_invite(session, identity=chat, code=issued.code, now=NOW)
        assert isinstance(linked, Staff) and linked.id == staff.id
        entries = list(
            (await session.execute(select(AuditEntry).order_by(AuditEntry.id))).scalars()
        )
    actions = [(e.action, e.actor_kind, e.actor_name) for e in entries]
    assert actions == [
        ("staff.add", "cli", "cli"),
        ("staff.invite", "cli", "ops"),
        ("staff.bind", "invite", "invite code"),
    ]
    bound = entries[-1]
    assert bound.object_id == str(staff.id)
    assert json.loads(bound.after or "{}") == {"channel": "telegram", "identity": chat.id}
