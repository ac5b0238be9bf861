"""WeCom userids on a real database: naming, clearing, linking a chat, single-use card codes."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from services.accounts.departments import department_by_code
from services.accounts.identities import find_identity
from services.accounts.staff import add_staff
from services.accounts.wecom import clear_wecom_userid, link_wecom_chat, set_wecom_userid
from services.chats.wecom_messages import (
    CARD_UPDATE_WINDOW,
    card_clicked,
    new_message,
    record_card,
    take_card_code,
)
from services.chats.wecom_users import wecom_chat_id, wecom_userid
from services.errors import DomainError
from storage.db import Database
from storage.enums import Role
from storage.models import AuditEntry, MemberBinding, Staff, WeComPerson
from tests.support.members import NOW, import_sample, member_by_code


async def _audit_actions(db: Database) -> list[tuple[str, str, str]]:
    async with db.session() as session:
        rows = (await session.execute(select(AuditEntry).order_by(AuditEntry.id))).scalars()
        return [(row.action, row.object_kind, str(row.object_id)) for row in rows]


@pytest.mark.parametrize("userid", ["", "   ", "x" * 65, "张三", "li si", "a/b", "a:b"])
async def test_a_userid_wecom_would_not_write_is_refused(db: Database, userid: str) -> None:
    await import_sample(db)
    member = await member_by_code(db, "M001")
    async with db.session() as session:
        with pytest.raises(DomainError) as refused:
            await set_wecom_userid(session, userid=userid, member_id=member.id, now=NOW)
    assert refused.value.code == "wecom_userid_invalid"
    async with db.session() as session:
        assert (await session.execute(select(WeComPerson))).first() is None


async def test_a_userid_is_one_persons_and_every_change_is_audited(db: Database) -> None:
    await import_sample(db)
    first = await member_by_code(db, "M001")
    second = await member_by_code(db, "M002")
    async with db.session() as session:
        assert (
            await set_wecom_userid(session, userid=" zhang.jh@x ", member_id=first.id, now=NOW)
            == "zhang.jh@x"
        )
        with pytest.raises(DomainError) as taken:
            await set_wecom_userid(session, userid="zhang.jh@x", member_id=second.id, now=NOW)
        assert taken.value.code == "wecom_userid_taken"
        # Naming it again for its owner changes nothing; a new one replaces the old.
        await set_wecom_userid(session, userid="zhang.jh@x", member_id=first.id, now=NOW)
        await set_wecom_userid(session, userid="zhangjh", member_id=first.id, now=NOW)
        people = (await session.execute(select(WeComPerson))).scalars().all()
    assert [(p.userid, p.member_id) for p in people] == [("zhangjh", first.id)]
    async with db.session() as session:
        assert await clear_wecom_userid(session, userid="zhangjh", now=NOW)
        assert not await clear_wecom_userid(session, userid="zhangjh", now=NOW)
        with pytest.raises(DomainError):
            await set_wecom_userid(session, userid="x", member_id=10_000_000, now=NOW)
    assert [a for a in await _audit_actions(db) if a[0].startswith("wecom.")] == [
        ("wecom.userid", "member", str(first.id)),
        ("wecom.userid", "member", str(first.id)),
        ("wecom.userid", "member", str(first.id)),
        ("wecom.userid_clear", "member", str(first.id)),
    ]


async def test_the_first_message_links_a_member_once(db: Database) -> None:
    await import_sample(db)
    member = await member_by_code(db, "M001")
    async with db.session() as session:
        await set_wecom_userid(session, userid="zhangjh", member_id=member.id, now=NOW)
        chat_id = await wecom_chat_id(session, userid="zhangjh", now=NOW)
        assert await wecom_chat_id(session, userid="zhangjh", now=NOW) == chat_id
        assert await wecom_userid(session, chat_id=chat_id) == "zhangjh"
        assert await link_wecom_chat(session, chat_id=chat_id, userid="zhangjh", now=NOW) == (
            "member"
        )
        assert await link_wecom_chat(session, chat_id=chat_id, userid="zhangjh", now=NOW) is None
        stranger = await wecom_chat_id(session, userid="stranger", now=NOW)
        assert await link_wecom_chat(session, chat_id=stranger, userid="stranger", now=NOW) is None
        identity = await find_identity(session, channel="wecom", chat_id=chat_id)
        bindings = (await session.execute(select(MemberBinding))).scalars().all()
    assert identity is not None and identity.role == Role.MEMBER
    assert [(b.member_id, b.channel, b.identity_id) for b in bindings] == [
        (member.id, "wecom", identity.id)
    ]
    assert ("member.bind", "member", str(member.id)) in await _audit_actions(db)


async def test_staff_and_department_contacts_are_linked_and_inactive_staff_not(
    db: Database,
) -> None:
    async with db.session() as session:
        staff = await add_staff(session, name="王芳", now=NOW)
        gone = await add_staff(session, name="李四", now=NOW)
        department = await department_by_code(session, "housing")
        assert department is not None
        await set_wecom_userid(session, userid="wangfang", staff_id=staff.id, now=NOW)
        await set_wecom_userid(session, userid="lisi", staff_id=gone.id, now=NOW)
        await set_wecom_userid(session, userid="housing-1", department_id=department.id, now=NOW)
        await set_wecom_userid(session, userid="housing-2", department_id=department.id, now=NOW)
        gone_row = await session.get(Staff, gone.id)
        assert gone_row is not None
        gone_row.active = False
        await session.commit()
        linked = []
        for userid in ("wangfang", "lisi", "housing-1", "housing-2"):
            chat_id = await wecom_chat_id(session, userid=userid, now=NOW)
            linked.append(await link_wecom_chat(session, chat_id=chat_id, userid=userid, now=NOW))
    assert linked == ["staff", None, "department", "department"]


async def test_a_cards_response_code_is_taken_once_within_72_hours(db: Database) -> None:
    async with db.session() as session:
        chat_id = await wecom_chat_id(session, userid="zhangjh", now=NOW)
        other_chat = await wecom_chat_id(session, userid="lisi", now=NOW)
        cards = []
        for task in ("t-1", "t-2"):
            message_id = await new_message(session, chat_id=chat_id, text="card", now=NOW)
            await record_card(
                session, chat_id=chat_id, message_id=message_id, task_id=task, now=NOW
            )
            cards.append(message_id)
        first, second = cards
        assert await take_card_code(session, chat_id=chat_id, message_id=first, now=NOW) is None
        await card_clicked(session, chat_id=chat_id, message_id=first, response_code="c1", now=NOW)
        assert await take_card_code(session, chat_id=other_chat, message_id=first, now=NOW) is None
        assert await take_card_code(session, chat_id=chat_id, message_id=first, now=NOW) == (
            "c1",
            "t-1",
        )
        assert await take_card_code(session, chat_id=chat_id, message_id=first, now=NOW) is None
        # A click after the update gives a fresh code, good for one more update.
        later = NOW + dt.timedelta(hours=1)
        await card_clicked(
            session, chat_id=chat_id, message_id=first, response_code="c2", now=later
        )
        assert await take_card_code(session, chat_id=chat_id, message_id=first, now=later) == (
            "c2",
            "t-1",
        )
        await card_clicked(session, chat_id=chat_id, message_id=second, response_code="c3", now=NOW)
        too_late = NOW + CARD_UPDATE_WINDOW
        assert (
            await take_card_code(session, chat_id=chat_id, message_id=second, now=too_late) is None
        )
        just_in_time = too_late - dt.timedelta(seconds=1)
        assert await take_card_code(
            session, chat_id=chat_id, message_id=second, now=just_in_time
        ) == (
            "c3",
            "t-2",
        )


async def test_the_demo_personas_get_their_userids_once(db: Database) -> None:
    from services.demo.data import DEMO_STAFF_NAME
    from services.demo.wecom import seed_demo_wecom

    await import_sample(db)
    async with db.session() as session:
        await add_staff(session, name=DEMO_STAFF_NAME, now=NOW)
        assert await seed_demo_wecom(session, now=NOW) == 3
        assert await seed_demo_wecom(session, now=NOW) == 3
        people = (await session.execute(select(WeComPerson))).scalars().all()
    assert sorted(p.userid for p in people) == ["demo-department", "demo-member", "demo-staff"]
    assert len([a for a in await _audit_actions(db) if a[0] == "wecom.userid"]) == 3
