"""/forget on a resident whose case went through the whole desk, on SQLite and PostgreSQL.

tests/unit/test_privacy.py writes the timeline with raw rows; here the case is accepted,
noted, assigned, given more time, turned into a social-conditions report, answered, rated,
handed back, answered by a department and rated again, all through the services, before the
resident asks to be forgotten. Then every text column of every table is scanned for what
identified them, and the desk's own record (件件有回音) is checked to be still whole.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection
from dataclasses import dataclass
from typing import TypedDict

import pytest
from aiogram.fsm.storage.base import DefaultKeyBuilder, StorageKey
from sqlalchemy import select
from sqlmodel import col

from services.accounts import identities
from services.accounts.invites import issue_invite, redeem_invite
from services.accounts.scope import StaffScope
from services.audit import Actor
from services.cases import answers as case_answers
from services.cases import assignee as case_assignee
from services.cases import casework
from services.cases import residents as issues
from services.cases.common import Assignee
from services.cases.decisions import decide_extension, rate_case
from services.cases.residents import IssueDraft, PhotoRef
from services.members.conditions_reports import decide_report, submit_report
from services.members.rules import RuleBook
from services.outbox.notices import Notifier
from services.privacy.own_data import forget_resident
from services.reference.catalog import get_station_by_code, list_categories
from services.reminders.cases import issue_reminders
from services.reminders.planning import queue_dues
from services.reminders.settings import ReminderSettings
from storage.db import Database, write_transaction
from storage.enums import ActorKind, ExtensionDecision, IssueEventKind, IssueStatus, ReportState
from storage.models import (
    Activity,
    ChatIdentity,
    ConditionsReport,
    ConditionsReportIssue,
    FsmRecord,
    Issue,
    IssueEvent,
    IssueExtension,
    OutboxMessage,
    Resident,
)
from tests.support.cases import (
    NOW,
    Desk,
    department_assignee,
    member_assignee,
    reload,
    resident_of,
    staff_desk,
)
from tests.support.notices import TZ, notifier
from tests.support.privacy_scan import Needles, leftovers

CHAT = 987_654_321
OTHER_CHAT = 555_000_111
PHONE = "13912345678"  # a mainland mobile
OTHER_PHONE = "13700001111"  # another resident's, which must survive the erasure
OFFICE_MOBILE = "13800138000"  # the street office's, given by staff in a reply
LATITUDE, LONGITUDE = 38.123457, 106.654321
PHOTOS = ("tg-desk-photo-a", "tg-desk-photo-b")
DRAFT_TOKEN = "draft-desk-0001"
ADMIN_CHAT, MEMBER_CHAT, HANDLER_CHAT = 9001, 1001, 9101
DAY = dt.timedelta(days=1)


# --- the scan: every table, every column ----------------------------------------------------


# --- the desk and the resident ----------------------------------------------------------------


async def redeem_for(
    db: Database, chat_id: int, *, member_id: int | None = None, department_id: int | None = None
) -> None:
    """Link a chat the way the bot does: an invitation code, redeemed from that chat."""
    async with db.session() as session:
        identity = await identities.touch_identity(
            session, channel="telegram", chat_id=chat_id, chat_type="private", now=NOW
        )
        issued = await issue_invite(
            session, member_id=member_id, department_id=department_id, now=NOW
        )
        await redeem_invite(session, identity=identity, code=issued.code, now=NOW)


class StaffArgs(TypedDict):
    """What every staff action takes besides the case and the moment."""

    scope: StaffScope
    actor: Actor
    notifier: Notifier


def staff_args(desk: Desk) -> StaffArgs:
    return {"scope": desk.scope, "actor": desk.actor, "notifier": notifier()}


@dataclass
class DeskPeople:
    """An administrator, a member and a department, each with a linked chat."""

    admin: Desk
    member: Assignee
    department: Assignee


@pytest.fixture
async def desk(db: Database) -> DeskPeople:
    admin = await staff_desk(db, name="王芳", chat_id=ADMIN_CHAT)
    member = await member_assignee(db, "M001")
    await redeem_for(db, MEMBER_CHAT, member_id=member.id)
    department = await department_assignee(db, "housing")
    await redeem_for(db, HANDLER_CHAT, department_id=department.id)
    return DeskPeople(admin, member, department)


async def report(
    db: Database,
    resident_id: int,
    description: str,
    *,
    phone: str | None = None,
    at: dt.datetime = NOW,
    photos: tuple[str, ...] = (),
    location: tuple[float, float] | None = None,
    token: str | None = None,
) -> int:
    """A case as the report dialog submits it; anonymous without ``phone``."""
    async with db.session() as session:
        station = await get_station_by_code(session, "jf-beian")
        category = (await list_categories(session))[0]
        assert station is not None and station.id is not None and category.id is not None
        draft = IssueDraft(
            station_id=station.id,
            category_id=category.id,
            description=description,
            photos=[PhotoRef(file_id=name, file_unique_id=f"u-{name}") for name in photos],
            latitude=location[0] if location else None,
            longitude=location[1] if location else None,
            contact_phone=phone,
            token=token,
        )
        issue = await issues.create_issue(
            session, resident_id=resident_id, draft=draft, now=at, tz=TZ
        )
        assert issue.id is not None
        return issue.id


async def rate(
    db: Database, resident_id: int, issue_id: int, stars: int, solved: bool, at: dt.datetime
) -> None:
    async with db.session() as session:
        await rate_case(
            session,
            resident_id=resident_id,
            issue_id=issue_id,
            rating=stars,
            solved=solved,
            now=at,
            notifier=notifier(),
        )


async def through_the_desk(
    db: Database, people: DeskPeople, issue_id: int, resident_id: int, *, quote: str = ""
) -> int:
    """Every step of the desk, in an order the statuses allow; return the report's id.

    ``quote`` is appended to what the member writes (a note, a reason, a report, a reply),
    as someone copying the resident's contact into their own text would.
    """
    admin, member = people.admin, people.member
    staff = staff_args(admin)
    async with db.session() as session:
        await casework.accept(session, issue_id=issue_id, now=NOW + dt.timedelta(hours=1), **staff)
        await case_answers.add_note(
            session,
            issue_id=issue_id,
            text=f"Resident prefers a call after 6 pm on {PHONE}.",
            actor=admin.actor,
            scope=admin.scope,
            now=NOW + dt.timedelta(hours=1),
        )
        await casework.assign(
            session,
            issue_id=issue_id,
            to=member,
            due_at=None,
            now=NOW + dt.timedelta(hours=2),
            **staff,
        )
        await case_answers.add_note(
            session,
            issue_id=issue_id,
            text=f"Visited gate 3; the lamp post is damaged.{quote}",
            actor=member.actor,
            assignee=member,
            now=NOW + DAY,
        )
        extension = await case_assignee.request_extension(
            session,
            issue_id=issue_id,
            days=5,
            reason=f"Spare parts are on order.{quote}",
            assignee=member,
            now=NOW + DAY,
            notifier=notifier(),
        )
        await decide_extension(
            session, extension_id=extension.id or 0, grant=True, now=NOW + DAY, **staff
        )
        conditions = await submit_report(
            session,
            member_id=member.id,
            issue_ids=[issue_id],
            title="Dark streets around Bei'an",
            body=f"Residents report street lights out for weeks at a time.{quote}",
            now=NOW + 2 * DAY,
            notifier=notifier(),
        )
        report_id = conditions.id or 0
        await decide_report(
            session,
            report_id=report_id,
            accept=True,
            note="Forwarded to the city.",
            rulebook=RuleBook(),
            tz=TZ,
            now=NOW + 2 * DAY,
            **staff,
        )
        await case_assignee.assignee_reply(
            session,
            issue_id=issue_id,
            text=f"The lamp will be replaced on Friday.{quote}",
            assignee=member,
            now=NOW + 3 * DAY,
            notifier=notifier(),
        )
        # The planner's request to rate waits in the resident's queue when they leave.
        dues = await issue_reminders(session, now=NOW + 6 * DAY, settings=ReminderSettings())
        assert await queue_dues(session, dues, notifier=notifier(), now=NOW + 6 * DAY) == 1
    await rate(db, resident_id, issue_id, 2, False, NOW + 6 * DAY)
    async with db.session() as session:
        await case_assignee.hand_back(
            session,
            issue_id=issue_id,
            reason=f"This needs the housing department.{quote}",
            assignee=member,
            now=NOW + 7 * DAY,
            notifier=notifier(),
        )
        await casework.assign(
            session,
            issue_id=issue_id,
            to=people.department,
            due_at=None,
            now=NOW + 7 * DAY,
            **staff,
        )
        await case_assignee.assignee_reply(
            session,
            issue_id=issue_id,
            text="A new lamp was installed on 28 November.",
            assignee=people.department,
            now=NOW + 8 * DAY,
            notifier=notifier(),
        )
    await rate(db, resident_id, issue_id, 5, True, NOW + 9 * DAY)
    return report_id


async def forget(
    db: Database, identity_id: int, dialog_keys: Collection[str] = ()
) -> dict[str, int]:
    async with db.session() as session:
        result = await forget_resident(
            session, identity_id=identity_id, now=NOW + 10 * DAY, dialog_keys=dialog_keys
        )
    return result.removed


def resident_needles() -> Needles:
    return Needles(CHAT, texts=(PHONE, *PHOTOS, DRAFT_TOKEN), numbers=(LATITUDE, LONGITUDE))


async def reported_with_contact(db: Database) -> tuple[int, int, int]:
    """The resident, with a case giving their phone (with consent), place and photos."""
    identity_id, resident_id = await resident_of(db, CHAT)
    issue_id = await report(
        db,
        resident_id,
        f"路灯坏了一周。The street light at gate 3 is out; call {PHONE}.",
        phone=PHONE,
        photos=PHOTOS,
        location=(LATITUDE, LONGITUDE),
        token=DRAFT_TOKEN,
    )
    return identity_id, resident_id, issue_id


# --- the whole desk, then /forget -------------------------------------------------------------


async def test_forget_after_the_whole_desk_leaves_an_anonymous_but_whole_record(
    db: Database, desk: DeskPeople
) -> None:
    identity_id, resident_id, issue_id = await reported_with_contact(db)
    report_id = await through_the_desk(db, desk, issue_id, resident_id)
    async with db.session() as session:
        queued = await session.execute(
            select(col(OutboxMessage.kind)).where(col(OutboxMessage.identity_id) == identity_id)
        )
        # The resident heard of each step: what they are owed goes with them.
        assert {"case-status", "case-reply", "case-due-changed", "issue-rate"} <= set(
            queued.scalars()
        )
    removed = await forget(db, identity_id)
    assert (removed["cases"], removed["photos"], removed["chats"]) == (1, 2, 1)
    assert await leftovers(db, resident_needles()) == []
    stored = await reload(db, issue_id)
    assert (stored.resident_id, stored.anonymous, stored.contact_phone) == (None, True, None)
    assert (stored.status, stored.rating, stored.solved) == (IssueStatus.RESOLVED, 5, True)
    assert stored.assignee_department_id == desk.department.id
    assert stored.description.endswith("call [removed].")
    async with db.session() as session:
        assert await session.get(Resident, resident_id) is None
        assert await session.get(ChatIdentity, identity_id) is None
        events = list(
            (
                await session.execute(
                    select(IssueEvent)
                    .where(col(IssueEvent.issue_id) == issue_id)
                    .order_by(col(IssueEvent.id))
                )
            ).scalars()
        )
        # Every answer the resident was given stays on the record, the notes redacted.
        replies = [e.body for e in events if e.kind == IssueEventKind.REPLY]
        assert replies == [
            "The lamp will be replaced on Friday.",
            "A new lamp was installed on 28 November.",
        ]
        notes = [e.body for e in events if e.kind == IssueEventKind.NOTE]
        assert notes == [
            "Resident prefers a call after 6 pm on [removed].",
            "Visited gate 3; the lamp post is damaged.",
        ]
        kinds = {e.kind for e in events}
        assert {IssueEventKind.EXTENSION, IssueEventKind.HANDED_BACK, IssueEventKind.DUE} <= kinds
        ratings = [e for e in events if e.kind == IssueEventKind.RATED]
        assert len(ratings) == 2 and all(e.actor_id is None for e in ratings)
        assert all(e.actor_id is None for e in events if e.actor == ActorKind.RESIDENT)
        # The member's work on the case is theirs, not the resident's: it stays.
        extension = (
            await session.execute(
                select(IssueExtension).where(col(IssueExtension.issue_id) == issue_id)
            )
        ).scalar_one()
        assert (extension.days, extension.decision) == (5, ExtensionDecision.GRANTED)
        conditions = await session.get(ConditionsReport, report_id)
        assert conditions is not None and conditions.state == ReportState.ACCEPTED
        linked = await session.execute(
            select(col(ConditionsReportIssue.issue_id)).where(
                col(ConditionsReportIssue.report_id) == report_id
            )
        )
        assert list(linked.scalars()) == [issue_id]
        assert await session.get(Activity, conditions.activity_id) is not None
        left = await session.execute(select(col(OutboxMessage.chat_id)).distinct())
        assert set(left.scalars()) == {ADMIN_CHAT, MEMBER_CHAT, HANDLER_CHAT}


async def test_forget_removes_the_phone_desk_people_copied_into_their_own_texts(
    db: Database, desk: DeskPeople
) -> None:
    identity_id, resident_id, issue_id = await reported_with_contact(db)
    # A member quoting the resident's contact in every text they write on the case: the
    # timeline is redacted, and so must every other copy of those texts be.
    await through_the_desk(db, desk, issue_id, resident_id, quote=f" Resident's number: {PHONE}.")
    await forget(db, identity_id)
    assert await leftovers(db, resident_needles()) == []


# --- a mainland mobile number in the resident's own texts --------------------------------------


def dialog_key(chat_id: int) -> str:
    """The dialog-state row of a private chat, as the FSM storage names it."""
    builder = DefaultKeyBuilder(with_bot_id=True, with_destiny=True)
    return builder.build(StorageKey(bot_id=123456, chat_id=chat_id, user_id=chat_id))


async def test_forget_cuts_the_residents_mobile_out_of_their_anonymous_texts(
    db: Database, desk: DeskPeople
) -> None:
    identity_id, resident_id = await resident_of(db, CHAT)
    # Anonymous: no contact phone was given, so nothing tells the erasure which number is
    # theirs; it has to recognise a mainland mobile number in what the resident wrote.
    first = await report(
        db, resident_id, f"Gate 3 light is dark every night. 有事打我电话{PHONE}。"
    )
    later = await report(
        db,
        resident_id,
        f"Still dark at gate 3, see my earlier case; reach me on {PHONE} after work.",
        at=NOW + 3 * DAY,
    )
    _other_identity, other_resident = await resident_of(db, OTHER_CHAT)
    others = await report(db, other_resident, f"Bins overflow at gate 5. Call me: {OTHER_PHONE}")
    staff = staff_args(desk.admin)
    async with db.session() as session:
        await casework.assign(
            session, issue_id=first, to=desk.member, due_at=None, now=NOW + DAY, **staff
        )
        await case_assignee.assignee_reply(
            session,
            issue_id=first,
            text="The lamp was replaced.",
            assignee=desk.member,
            now=NOW + 2 * DAY,
            notifier=notifier(),
        )
        await case_answers.staff_reply(
            session,
            issue_id=later,
            text=f"Merged with your earlier case; the street office is on {OFFICE_MOBILE}.",
            now=NOW + 4 * DAY,
            **staff,
        )
        # A third report the resident was still typing when they asked to be forgotten.
        async with write_transaction(session):
            session.add(
                FsmRecord(
                    key=dialog_key(CHAT),
                    state="ReportForm:description",
                    data=json.dumps({"description": f"Dark again. {PHONE}"}),
                    updated_at=NOW + 5 * DAY,
                )
            )
    await rate(db, resident_id, first, 4, True, NOW + 3 * DAY)
    removed = await forget(db, identity_id, dialog_keys=[dialog_key(CHAT)])
    assert (removed["cases"], removed["dialog_states"]) == (2, 1)
    assert await leftovers(db, Needles(CHAT, texts=(PHONE,))) == []
    async with db.session() as session:
        kept = {
            issue.id: issue
            for issue in (await session.execute(select(Issue).order_by(col(Issue.id)))).scalars()
        }
        # Only the number is cut: the rest of what the resident reported stays the record.
        assert kept[first].description.startswith("Gate 3 light is dark every night.")
        assert kept[later].description.startswith("Still dark at gate 3")
        # Another resident's texts, and a number staff gave out, are not the resident's.
        assert OTHER_PHONE in kept[others].description
        bodies = (
            await session.execute(
                select(col(IssueEvent.body)).where(col(IssueEvent.kind) == IssueEventKind.REPLY)
            )
        ).scalars()
        assert any(OFFICE_MOBILE in (body or "") for body in bodies)
