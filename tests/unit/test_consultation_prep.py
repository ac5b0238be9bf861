"""Preparing a consultation: materials in order, research tasks told and reminded, the draft
sent round and commented on, each commenter seeing only their own comments."""

from __future__ import annotations

import datetime as dt

import pytest

from services.consultations.drafts import (
    Commenter,
    add_comment,
    commenter_of,
    comments_for_staff,
    own_comments,
    save_draft,
    send_draft_round,
)
from services.consultations.guest_invites import redeem_guest_token
from services.consultations.materials import (
    add_material,
    material_for,
    materials_of,
    remove_material,
)
from services.consultations.research import (
    add_research_task,
    mark_task_done,
    research_reminders,
    tasks_of,
)
from services.errors import DomainError
from storage.db import Database, write_transaction
from storage.models import ChatIdentity, StoredFile
from tests.support.guests import CLI, chat, invite_member_chat, invited, upcoming_meeting
from tests.support.members import NOW, TZ, import_sample
from tests.support.notices import message_of, notifier, outbox


@pytest.fixture
async def roster(db: Database) -> Database:
    await import_sample(db)
    return db


async def _file(db: Database, key: str) -> None:
    async with db.session() as session, write_transaction(session):
        session.add(StoredFile(key=key, name=f"{key}.pdf", size=1, created_at=NOW))


async def test_materials_in_order_and_only_for_the_meeting_people(roster: Database) -> None:
    meeting_id = await upcoming_meeting(roster)
    other_id = await upcoming_meeting(roster, tag="b")
    member_id = await invite_member_chat(roster, meeting_id, "M001", 801)
    for key in ("a", "b", "c"):
        await _file(roster, key)
    async with roster.session() as session:
        added = [
            (
                await add_material(
                    session,
                    meeting_id=meeting_id,
                    file_key=key,
                    name=f"{key}.pdf",
                    staff_id=None,
                    now=NOW,
                    actor=CLI,
                )
            ).id
            or 0
            for key in ("a", "b", "c")
        ]
        await remove_material(
            session, meeting_id=meeting_id, material_id=added[1], now=NOW, actor=CLI
        )
        assert [m.name for m in await materials_of(session, meeting_id=meeting_id)] == [
            "a.pdf",
            "c.pdf",
        ]
        with pytest.raises(DomainError):
            await remove_material(
                session, meeting_id=other_id, material_id=added[0], now=NOW, actor=CLI
            )
        member_chat = await chat(roster, 801)
        found, _stored = await material_for(
            session,
            material_id=added[0],
            identity_id=member_chat.id or 0,
            member_id=member_id,
            now=NOW,
        )
        assert found.name == "a.pdf"
        stranger = await chat(roster, 802)
        with pytest.raises(DomainError):
            await material_for(
                session,
                material_id=added[0],
                identity_id=stranger.id or 0,
                member_id=None,
                now=NOW,
            )


async def test_a_research_task_tells_the_member_and_reminds_them(roster: Database) -> None:
    meeting_id = await upcoming_meeting(roster)
    await invite_member_chat(roster, meeting_id, "M001", 801)
    due = (NOW + dt.timedelta(days=3)).astimezone(TZ).date()
    async with roster.session() as session:
        task = await add_research_task(
            session,
            meeting_id=meeting_id,
            assignee="m001",
            what="调研<电梯>加装意愿",
            due_on=due,
            staff_id=None,
            now=NOW,
            tz=TZ,
            actor=CLI,
            notifier=notifier(),
        )
        task_id, task_member = task.id or 0, task.member_id
        free = await add_research_task(
            session,
            meeting_id=meeting_id,
            assignee="市规划院",
            what="测绘",
            due_on=due,
            staff_id=None,
            now=NOW,
            tz=TZ,
            actor=CLI,
            notifier=notifier(),
        )
        free_id, free_text = free.id or 0, free.assignee_text
        assert task_member is not None and free_text == "市规划院"
        with pytest.raises(DomainError) as past:
            await add_research_task(
                session,
                meeting_id=meeting_id,
                assignee="M001",
                what="x",
                due_on=due - dt.timedelta(days=30),
                staff_id=None,
                now=NOW,
                tz=TZ,
                actor=CLI,
                notifier=notifier(),
            )
        assert past.value.code == "due_past"
    told = await outbox(roster, "research-task")
    assert len(told) == 1
    assert "调研&lt;电梯&gt;加装意愿" in message_of(told[0]).text
    async with roster.session() as session:
        assert await research_reminders(session, now=NOW, tz=TZ) == []
        two_days_on = NOW + dt.timedelta(days=2)
        dues = await research_reminders(session, now=two_days_on, tz=TZ)
        assert [due.kind for due in dues] == ["research-due"]
        await mark_task_done(session, meeting_id=meeting_id, task_id=task_id, now=NOW, actor=CLI)
        assert await research_reminders(session, now=two_days_on, tz=TZ) == []
        with pytest.raises(DomainError):
            await mark_task_done(
                session, meeting_id=meeting_id + 1, task_id=free_id, now=NOW, actor=CLI
            )
        assert [t.done_at is not None for t in await tasks_of(session, meeting_id=meeting_id)] == [
            True,
            False,
        ]


async def test_the_draft_goes_round_and_each_sees_only_their_comments(roster: Database) -> None:
    meeting_id = await upcoming_meeting(roster)
    member_id = await invite_member_chat(roster, meeting_id, "M001", 801)
    issued = await invited(roster, meeting_id)
    guest_chat = await chat(roster, 901)
    async with roster.session() as session:
        fresh = await session.get(ChatIdentity, guest_chat.id)
        assert fresh is not None
        await redeem_guest_token(session, identity=fresh, token=issued.token, now=NOW)
        until = NOW + dt.timedelta(days=2)
        with pytest.raises(DomainError) as early:
            await add_comment(
                session,
                meeting_id=meeting_id,
                commenter=Commenter(member_id=member_id),
                text="太早",
                now=NOW,
            )
        assert early.value.code == "no_draft"
        await save_draft(
            session,
            meeting_id=meeting_id,
            text="一、加装电梯的资金来源……",
            file_key=None,
            file_name=None,
            comments_until=until,
            staff_id=None,
            now=NOW,
            actor=CLI,
        )
        sent = await send_draft_round(
            session, meeting_id=meeting_id, now=NOW, actor=CLI, notifier=notifier()
        )
        assert sent == 2
        # Sending again reaches nobody twice.
        assert (
            await send_draft_round(
                session, meeting_id=meeting_id, now=NOW, actor=CLI, notifier=notifier()
            )
            == 0
        )
        member = await commenter_of(
            session, meeting_id=meeting_id, identity_id=0, member_id=member_id, now=NOW
        )
        guest = await commenter_of(
            session, meeting_id=meeting_id, identity_id=guest_chat.id or 0, member_id=None, now=NOW
        )
        stranger = await commenter_of(
            session, meeting_id=meeting_id, identity_id=12345, member_id=None, now=NOW
        )
        assert member is not None and guest is not None and stranger is None
        for who, text in ((member, "建议一"), (guest, "部门意见"), (member, "建议二")):
            await add_comment(session, meeting_id=meeting_id, commenter=who, text=text, now=NOW)
        with pytest.raises(DomainError) as late:
            await add_comment(
                session, meeting_id=meeting_id, commenter=member, text="迟到", now=until
            )
        assert late.value.code == "closed"
        assert [
            c.text for c in await own_comments(session, meeting_id=meeting_id, commenter=member)
        ] == ["建议一", "建议二"]
        assert [
            c.text for c in await own_comments(session, meeting_id=meeting_id, commenter=guest)
        ] == ["部门意见"]
        assert [
            (c.text, name) for c, name in await comments_for_staff(session, meeting_id=meeting_id)
        ] == [
            ("建议一", "张建华"),
            ("部门意见", "王局长"),
            ("建议二", "张建华"),
        ]
    notices = await outbox(roster, "draft-report")
    assert len(notices) == 2
    assert "dc:" in str(message_of(notices[0]).buttons)
