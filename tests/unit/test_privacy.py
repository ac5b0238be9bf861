"""A resident's own data on SQLite and PostgreSQL: the export, and erasing it."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from services.accounts import identities
from services.accounts.staff import add_staff, bind_staff
from services.audit import Actor, audit
from services.cases import residents as issues
from services.cases.residents import IssueDraft, PhotoRef
from services.errors import DomainError
from services.outbox.queue import Outgoing, Recipient, add
from services.privacy.own_data import export_resident_data, forget_resident, holds_only_the_chat
from services.reference.catalog import get_station_by_code, list_categories
from services.topics.records import create_topic
from storage.db import Database, write_transaction
from storage.enums import ActorKind, IssueEventKind, TopicSource
from storage.models import (
    Attachment,
    AuditEntry,
    ChatIdentity,
    FsmRecord,
    Issue,
    IssueEvent,
    IssueSupport,
    OutboxMessage,
    Resident,
    StationSubscription,
    Topic,
)
from tests.support.cases import resident_of
from tests.support.privacy_scan import Needles, leftovers

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)
CHAT = 987_654_321
OTHER_CHAT = 555_000_111
PHONE = "13912345678"
OTHER_PHONE = "13700001111"
LATITUDE, LONGITUDE = 38.123457, 106.654321


# --- a resident with everything -------------------------------------------------------------


async def report(
    db: Database,
    resident_id: int,
    *,
    photos: tuple[str, ...] = (),
    channel: str = "telegram",
    phone: str = PHONE,
    location: tuple[float, float] = (LATITUDE, LONGITUDE),
) -> Issue:
    async with db.session() as session:
        station = await get_station_by_code(session, "jf-beian")
        category = (await list_categories(session))[0]
        assert station is not None and station.id is not None and category.id is not None
        draft = IssueDraft(
            station_id=station.id,
            category_id=category.id,
            description=f"路灯坏了一周。Street light out; call {phone} after 6 pm.",
            photos=[PhotoRef(file_id=name, file_unique_id=f"u-{name}") for name in photos],
            latitude=location[0],
            longitude=location[1],
            contact_phone=phone,
            channel=channel,
            token=f"draft-{resident_id}-{len(photos)}",
        )
        return await issues.create_issue(
            session, resident_id=resident_id, draft=draft, now=NOW, tz=SHANGHAI
        )


async def add_timeline(db: Database, issue: Issue, resident_id: int) -> None:
    """A staff reply, an internal note, and the resident's rating with a comment."""
    assert issue.id is not None
    later = NOW + dt.timedelta(days=2)
    async with db.session() as session, write_transaction(session):
        session.add_all(
            [
                IssueEvent(
                    issue_id=issue.id,
                    created_at=later,
                    kind=IssueEventKind.REPLY,
                    actor=ActorKind.STAFF,
                    actor_id=1,
                    actor_name="王芳",
                    body="The light was repaired on Monday.",
                ),
                IssueEvent(
                    issue_id=issue.id,
                    created_at=later,
                    kind=IssueEventKind.NOTE,
                    actor=ActorKind.STAFF,
                    public=False,
                    body=f"Called the resident on {PHONE}.",
                ),
                IssueEvent(
                    issue_id=issue.id,
                    created_at=later + dt.timedelta(hours=1),
                    kind=IssueEventKind.RATED,
                    actor=ActorKind.RESIDENT,
                    actor_id=resident_id,
                    body=f"Fixed, thank you. Still reachable at {PHONE}.",
                ),
            ]
        )
        stored = await session.get(Issue, issue.id)
        assert stored is not None
        stored.rating, stored.solved, stored.rated_at = 5, True, later
        audit(
            session,
            actor=Actor("staff", 1, "王芳"),
            action="issue.edit",
            object_kind="issue",
            object_id=issue.id,
            before={"contact_phone": PHONE, "status": "new"},
            after={"contact_phone": None, "status": "accepted"},
            now=later,
        )


async def subscribe_and_queue(
    db: Database, identity_id: int, resident_id: int, *, dialog_row: bool = True
) -> None:
    async with db.session() as session, write_transaction(session):
        station = await get_station_by_code(session, "xq-jingde")
        assert station is not None and station.id is not None
        session.add(
            StationSubscription(resident_id=resident_id, station_id=station.id, created_at=NOW)
        )
        identity = await session.get(ChatIdentity, identity_id)
        assert identity is not None
        for n in range(2):
            await add(
                session,
                to=Recipient.of(identity),
                message=Outgoing(text=f"Case update {n}"),
                dedupe_key=f"privacy-test:{identity_id}:{n}",
                now=NOW,
                kind="issue_status",
            )
        if not dialog_row:
            return
        session.add(
            FsmRecord(
                key=f"fsm:123456:{identity.chat_id}:{identity.chat_id}:default",
                state="ReportForm:review",
                data=json.dumps({"phone": PHONE, "photos": [{"file_id": "draft-photo"}]}),
                updated_at=NOW,
            )
        )


async def full_resident(db: Database) -> tuple[int, int, Issue]:
    identity_id, resident_id = await resident_of(db, CHAT)
    issue = await report(db, resident_id, photos=("tg-photo-a", "tg-photo-b"))
    await add_timeline(db, issue, resident_id)
    await subscribe_and_queue(db, identity_id, resident_id)
    return identity_id, resident_id, issue


# --- the export -----------------------------------------------------------------------------


async def test_export_holds_everything_about_the_resident(db: Database) -> None:
    identity_id, _resident_id, issue = await full_resident(db)
    draft = IssueDraft(
        station_id=0,
        category_id=0,
        description="half written",
        photos=[PhotoRef(file_id="draft-photo")],
        contact_phone=PHONE,
    )
    async with db.session() as session:
        data = await export_resident_data(
            session, identity_id=identity_id, now=NOW, locale="en", draft=draft
        )
    json.dumps(data, ensure_ascii=False)
    assert data["chat"]["channel"] == "telegram"
    assert data["chat"]["chat_id"] == CHAT
    assert data["chat"]["first_seen"] == "2026-11-20T02:00:00+00:00"
    [case] = data["cases"]
    assert case["number"] == issue.number
    assert case["station"] == {"code": "jf-beian", "name": "Bei'an Community Liaison Station"}
    assert case["contact_phone"] == PHONE
    assert case["contact_consent_at"] == "2026-11-20T02:00:00+00:00"
    assert case["location"] == {"latitude": LATITUDE, "longitude": LONGITUDE}
    assert case["due_at"] is not None and case["status"] == "new"
    assert (case["rating"], case["solved"]) == (5, True)
    assert [photo["file_id"] for photo in case["photos"]] == ["tg-photo-a", "tg-photo-b"]
    timeline = [(line["kind"], line["by"]) for line in case["timeline"]]
    assert timeline == [("submitted", "resident"), ("reply", "staff"), ("rated", "resident")]
    assert all("Called the resident" not in (line["text"] or "") for line in case["timeline"])
    assert [s["station"]["code"] for s in data["station_subscriptions"]] == ["xq-jingde"]
    assert [(m["kind"], m["state"]) for m in data["messages"]] == [("issue_status", "pending")] * 2
    unfinished = data["unfinished_report"]
    assert unfinished["description"] == "half written"
    assert unfinished["contact_phone"] == PHONE
    assert unfinished["photos"] == [{"channel": "telegram", "file_id": "draft-photo"}]
    assert not holds_only_the_chat(data)


async def test_export_of_a_chat_without_a_resident(db: Database) -> None:
    async with db.session() as session:
        identity = await identities.touch_identity(
            session, channel="web", chat_id=OTHER_CHAT, chat_type="private", now=NOW
        )
        assert identity.id is not None
        data = await export_resident_data(session, identity_id=identity.id, now=NOW)
        missing = await export_resident_data(session, identity_id=identity.id + 999, now=NOW)
    assert data["chat"]["channel"] == "web" and data["resident_since"] is None
    assert holds_only_the_chat(data)
    assert missing["chat"] is None and holds_only_the_chat(missing)


# --- erasing --------------------------------------------------------------------------------


async def test_forget_keeps_anonymous_cases_and_removes_the_rest(db: Database) -> None:
    identity_id, resident_id, issue = await full_resident(db)
    _other_identity, other_resident = await resident_of(db, OTHER_CHAT)
    other_issue = await report(
        db, other_resident, photos=("other-photo",), phone=OTHER_PHONE, location=(38.5, 106.5)
    )
    async with db.session() as session:
        result = await forget_resident(
            session,
            identity_id=identity_id,
            now=NOW,
            dialog_keys=[f"fsm:123456:{CHAT}:{CHAT}:default"],
        )
    assert result.removed == {
        "cases": 1,
        "photos": 2,
        "subscriptions": 1,
        "messages": 2,
        "dialog_states": 1,
        "chats": 1,
    }
    assert result.media_keys == ()
    needles = Needles(
        CHAT,
        texts=(PHONE, "tg-photo-a", "tg-photo-b", "draft-photo"),
        numbers=(LATITUDE, LONGITUDE),
    )
    assert await leftovers(db, needles) == []
    async with db.session() as session:
        kept = await session.get(Issue, issue.id)
        assert kept is not None
        assert kept.resident_id is None and kept.anonymous and kept.draft_token is None
        assert (kept.latitude, kept.longitude, kept.contact_consent_at) == (None, None, None)
        assert kept.description.startswith("路灯坏了一周。Street light out; call [removed]")
        assert (kept.rating, kept.solved) == (5, True)
        events = (
            (await session.execute(select(IssueEvent).where(IssueEvent.issue_id == issue.id)))
            .scalars()
            .all()
        )
        bodies = [event.body for event in events if event.public]
        assert "The light was repaired on Monday." in bodies
        assert "Fixed, thank you. Still reachable at [removed]." in bodies
        assert all(event.actor_id is None for event in events if event.actor == "resident")
        assert await session.get(Resident, resident_id) is None
        assert await session.get(ChatIdentity, identity_id) is None
        other = await session.get(Issue, other_issue.id)
        assert other is not None and other.contact_phone == OTHER_PHONE
        assert other.latitude == 38.5
        photos = (await session.execute(select(Attachment.file_id))).scalars().all()
        assert photos == ["other-photo"]
        entries = (await session.execute(select(AuditEntry).order_by(AuditEntry.id))).scalars()
        edit, erased = list(entries)
        assert edit.before is not None and json.loads(edit.before)["contact_phone"] is None
        assert erased.action == "resident.forget" and erased.actor_kind == "resident"
        assert json.loads(erased.after or "{}")["cases"] == 1


async def test_forget_a_chat_without_a_resident(db: Database) -> None:
    async with db.session() as session:
        identity = await identities.touch_identity(
            session, channel="telegram", chat_id=CHAT, chat_type="private", now=NOW
        )
        assert identity.id is not None
        result = await forget_resident(session, identity_id=identity.id, now=NOW)
    assert result.removed == {"messages": 0, "dialog_states": 0, "chats": 1}
    assert await leftovers(db, Needles(CHAT)) == []


async def test_forget_refuses_a_staff_chat(db: Database) -> None:
    async with db.session() as session:
        staff = await add_staff(session, name="王芳", now=NOW)
        identity = await identities.touch_identity(
            session, channel="telegram", chat_id=CHAT, chat_type="private", now=NOW
        )
        async with write_transaction(session):
            await bind_staff(session, staff_id=staff.id or 0, identity=identity, now=NOW)
        identity_id = identity.id
        assert identity_id is not None
        with pytest.raises(DomainError) as raised:
            await forget_resident(session, identity_id=identity_id, now=NOW)
    assert raised.value.code == "not_a_resident"
    async with db.session() as session:
        assert await session.get(ChatIdentity, identity_id) is not None


async def test_web_files_shared_with_another_case_are_kept(db: Database) -> None:
    identity_id, resident_id = await resident_of(db, CHAT, channel="web")
    await report(db, resident_id, photos=("web-own", "web-shared"), channel="web")
    _other_identity, other_resident = await resident_of(db, OTHER_CHAT, channel="web")
    await report(db, other_resident, photos=("web-shared",), channel="web")
    async with db.session() as session:
        result = await forget_resident(
            session,
            identity_id=identity_id,
            now=NOW,
            media_candidates={"web-upload", "web-shared", "web-own"},
        )
    assert result.media_keys == ("web-own", "web-upload")
    async with db.session() as session:
        left = (await session.execute(select(OutboxMessage))).scalars().all()
    assert left == []


async def test_follows_and_suggested_topics_are_exported_and_lose_the_name(db: Database) -> None:
    identity_id, resident_id = await resident_of(db, CHAT)
    _other_identity, other_resident = await resident_of(db, OTHER_CHAT)
    other_issue = await report(db, other_resident)
    async with db.writing() as session:
        session.add(
            IssueSupport(
                issue_id=other_issue.id or 0, resident_id=resident_id, channel="web", created_at=NOW
            )
        )
        topic = await create_topic(
            session,
            year=2026,
            title="背街小巷的路灯",
            description="晚上太黑",
            source=TopicSource.RESIDENT,
            actor=Actor(ActorKind.RESIDENT, resident_id),
            now=NOW,
        )
    async with db.session() as session:
        data = await export_resident_data(session, identity_id=identity_id, now=NOW)
    assert [case["number"] for case in data["followed_cases"]] == [other_issue.number]
    assert [row["title"] for row in data["suggested_topics"]] == ["背街小巷的路灯"]
    assert data["session_questions"] == [] and not holds_only_the_chat(data)
    async with db.session() as session:
        result = await forget_resident(session, identity_id=identity_id, now=NOW, dialog_keys=[])
    assert result.removed["topics"] == 1
    async with db.session() as session:
        kept = await session.get(Topic, topic.id)
        follows = (await session.execute(select(IssueSupport))).scalars().all()
    assert kept is not None and kept.proposer_id is None and follows == []
