"""Assignees, decisions and ratings on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from services.accounts.identities import touch_identity
from services.accounts.scope import StaffScope
from services.cases import assignee as case_assignee
from services.cases import casework
from services.cases.common import Assignee
from services.cases.decisions import decide_extension, rate_case
from services.errors import DomainError
from services.members.conditions_reports import decide_report, list_reports, submit_report
from services.members.rules import RuleBook
from storage.db import Database, write_transaction
from storage.enums import IssueStatus, ReportState
from storage.models import Activity, ActivityTally, DepartmentBinding
from tests.support.cases import (
    NOW,
    Desk,
    department_assignee,
    member_assignee,
    reload,
    resident_case,
    staff_desk,
)
from tests.support.notices import TZ, message_of, notifier, outbox


async def assigned(
    db: Database, to: Assignee, chat_id: int = 555, **case: object
) -> tuple[int, Desk]:
    issue = await resident_case(db, chat_id, **case)  # type: ignore[arg-type]
    desk = await staff_desk(db, name=f"staff {chat_id}", chat_id=90000 + chat_id)
    async with db.session() as session:
        await casework.assign(
            session,
            issue_id=issue.id or 0,
            to=to,
            due_at=None,
            scope=desk.scope,
            actor=desk.actor,
            now=NOW,
            notifier=notifier(),
        )
    return issue.id or 0, desk


async def test_assignees_see_and_answer_only_their_cases(db: Database) -> None:
    member = await member_assignee(db)
    other = await member_assignee(db, "M002")
    issue_id, _desk = await assigned(db, member)
    async with db.session() as session:
        page = await case_assignee.assigned_page(session, assignee=member)
        assert [item.issue.id for item in page.items] == [issue_id] and page.open_count == 1
        assert (await case_assignee.assigned_page(session, assignee=other)).total == 0
        assert (
            await case_assignee.assigned_issue(session, assignee=other, issue_id=issue_id) is None
        )
        with pytest.raises(DomainError):
            await case_assignee.assignee_reply(
                session, issue_id=issue_id, text="Hi", assignee=other, now=NOW, notifier=notifier()
            )
        await case_assignee.assignee_reply(
            session,
            issue_id=issue_id,
            text="We met the estate manager; the lane is clear now.",
            assignee=member,
            now=NOW,
            notifier=notifier(),
        )
    stored = await reload(db, issue_id)
    assert stored.status == IssueStatus.ANSWERED and stored.last_reply_at == NOW
    [reply] = await outbox(db, "case-reply")
    assert reply.chat_id == 555
    text = message_of(reply).text
    assert "lane is clear" in text and member.name not in text


async def test_more_time_is_asked_once_and_decided_by_staff(db: Database) -> None:
    department = await department_assignee(db)
    issue_id, desk = await assigned(db, department)
    due = (await reload(db, issue_id)).due_at
    assert due is not None
    async with db.session() as session:
        for days in (0, 61):
            with pytest.raises(DomainError):
                await case_assignee.request_extension(
                    session, issue_id=issue_id, days=days, reason="x", assignee=department,
                    now=NOW, notifier=notifier(),
                )  # fmt: skip
        extension = await case_assignee.request_extension(
            session,
            issue_id=issue_id,
            days=7,
            reason="Waiting for the budget.",
            assignee=department,
            now=NOW,
            notifier=notifier(),
        )
        extension_id = extension.id or 0  # read before a refusal rolls the session back
        with pytest.raises(DomainError) as twice:
            await case_assignee.request_extension(
                session, issue_id=issue_id, days=3, reason="again", assignee=department,
                now=NOW, notifier=notifier(),
            )  # fmt: skip
        assert twice.value.code == "extension_pending"
        outsider = StaffScope(staff_id=0, name="x", admin=False, station_ids=frozenset())
        with pytest.raises(DomainError) as hidden:
            await decide_extension(
                session, extension_id=extension_id, grant=True, scope=outsider,
                actor=desk.actor, now=NOW, notifier=notifier(),
            )  # fmt: skip
        assert hidden.value.code == "extension_unknown"
        await decide_extension(
            session,
            extension_id=extension_id,
            grant=True,
            scope=desk.scope,
            actor=desk.actor,
            now=NOW,
            notifier=notifier(),
        )
        with pytest.raises(DomainError) as again:
            await decide_extension(
                session, extension_id=extension_id, grant=False, scope=desk.scope,
                actor=desk.actor, now=NOW, notifier=notifier(),
            )  # fmt: skip
        assert again.value.code == "already_decided"
    assert (await reload(db, issue_id)).due_at == due + dt.timedelta(days=7)
    [request] = await outbox(db, "case-extension-request")
    assert "Waiting for the budget." in message_of(request).text
    [moved] = await outbox(db, "case-due-changed")
    assert moved.chat_id == 555


async def test_handing_back_puts_the_case_in_the_queue(db: Database) -> None:
    from services.cases.triage import queue_page

    member = await member_assignee(db)
    issue_id, desk = await assigned(db, member)
    async with db.session() as session:
        assert (await queue_page(session, scope=desk.scope)).total == 0
        await case_assignee.hand_back(
            session,
            issue_id=issue_id,
            reason="Not my sector.",
            assignee=member,
            now=NOW,
            notifier=notifier(),
        )
        queue = await queue_page(session, scope=desk.scope)
    assert [item.issue.id for item in queue.items] == [issue_id]
    stored = await reload(db, issue_id)
    assert stored.status == IssueStatus.ACCEPTED and stored.assignee_member_id is None
    handed = await outbox(db, "case-handed-back")
    assert handed and "Not my sector." in message_of(handed[0]).text


@pytest.mark.parametrize(
    ("stars", "solved", "status"),
    [(5, True, "resolved"), (3, True, "resolved"), (2, True, "reopened"), (5, False, "reopened")],
)
async def test_a_rating_resolves_or_reopens(
    db: Database, stars: int, solved: bool, status: str
) -> None:
    member = await member_assignee(db)
    issue_id, _desk = await assigned(db, member)
    resident_id = (await reload(db, issue_id)).resident_id or 0
    async with db.session() as session:
        with pytest.raises(DomainError) as early:
            await rate_case(
                session, resident_id=resident_id, issue_id=issue_id, rating=4, solved=True,
                now=NOW, notifier=notifier(),
            )  # fmt: skip
        assert early.value.code == "not_ratable"
        await case_assignee.assignee_reply(
            session, issue_id=issue_id, text="Done.", assignee=member, now=NOW,
            notifier=notifier(),
        )  # fmt: skip
        with pytest.raises(DomainError):
            await rate_case(
                session, resident_id=resident_id + 1, issue_id=issue_id, rating=4, solved=True,
                now=NOW, notifier=notifier(),
            )  # fmt: skip
        await rate_case(
            session,
            resident_id=resident_id,
            issue_id=issue_id,
            rating=stars,
            solved=solved,
            now=NOW,
            notifier=notifier(),
        )
        with pytest.raises(DomainError) as twice:
            await rate_case(
                session, resident_id=resident_id, issue_id=issue_id, rating=1, solved=False,
                now=NOW, notifier=notifier(),
            )  # fmt: skip
        assert twice.value.code in ("already_rated", "not_ratable")
    stored = await reload(db, issue_id)
    assert (stored.status, stored.rating, stored.solved) == (status, stars, solved)
    reopened = await outbox(db, "case-reopened")
    assert bool(reopened) == (status == "reopened")
    if status == "reopened":
        assert stored.resolved_at is None and stored.due_at is not None and stored.due_at > NOW


async def test_reopened_answered_again_asks_for_a_new_rating(db: Database) -> None:
    member = await member_assignee(db)
    issue_id, _desk = await assigned(db, member)
    resident_id = (await reload(db, issue_id)).resident_id or 0
    later = NOW + dt.timedelta(days=1)
    async with db.session() as session:
        await case_assignee.assignee_reply(
            session, issue_id=issue_id, text="Done.", assignee=member, now=NOW,
            notifier=notifier(),
        )  # fmt: skip
        await rate_case(
            session, resident_id=resident_id, issue_id=issue_id, rating=1, solved=False,
            now=NOW, notifier=notifier(),
        )  # fmt: skip
        await case_assignee.assignee_reply(
            session, issue_id=issue_id, text="Went again; it works now.", assignee=member,
            now=later, notifier=notifier(),
        )  # fmt: skip
        await rate_case(
            session, resident_id=resident_id, issue_id=issue_id, rating=5, solved=True,
            now=later, notifier=notifier(),
        )  # fmt: skip
    stored = await reload(db, issue_id)
    assert (stored.status, stored.answered_at, stored.last_reply_at) == ("resolved", NOW, later)


async def test_a_department_handler_hears_of_assignments(db: Database) -> None:
    department = await department_assignee(db)
    async with db.session() as session:
        identity = await touch_identity(
            session, channel="telegram", chat_id=9100, chat_type="private", now=NOW
        )
        async with write_transaction(session):
            session.add(
                DepartmentBinding(
                    department_id=department.id,
                    channel="telegram",
                    identity_id=identity.id or 0,
                    bound_at=NOW,
                )
            )
    await assigned(db, department)
    [notice] = await outbox(db, "case-assigned")
    assert notice.chat_id == 9100 and "Please answer the resident by" in message_of(notice).text


async def test_a_report_from_cases_counts_once_accepted(db: Database) -> None:
    member = await member_assignee(db)
    first, desk = await assigned(db, member, 701)
    second, _ = await assigned(db, member, 702)
    stranger, _ = await assigned(db, await member_assignee(db, "M002"), 703)
    kwargs = {"member_id": member.id, "now": NOW, "notifier": notifier()}
    async with db.session() as session:
        with pytest.raises(DomainError) as foreign:
            await submit_report(
                session, issue_ids=[first, stranger], title="Parking", body="...", **kwargs
            )
        assert foreign.value.code == "issue_unknown"
        with pytest.raises(DomainError):
            await submit_report(session, issue_ids=[], title="Parking", body="...", **kwargs)
        report = await submit_report(
            session,
            issue_ids=[first, second, first],
            title="Night parking around Bei'an",
            body="Residents report cars in the fire lane nightly; we suggest patrols.",
            **kwargs,
        )
        [view] = await list_reports(session, scope=desk.scope)
        assert len(view.case_numbers) == 2
        decided = await decide_report(
            session,
            report_id=report.id or 0,
            accept=True,
            note=None,
            scope=desk.scope,
            actor=desk.actor,
            rulebook=RuleBook(),
            now=NOW,
            tz=TZ,
            notifier=notifier(),
        )
        assert decided.state == ReportState.ACCEPTED and decided.activity_id is not None
        activity = await session.get(Activity, decided.activity_id)
        assert activity is not None and (activity.kind, activity.source) == (
            "social-report",
            "office",
        )
        tally = (
            await session.execute(select(ActivityTally).where(ActivityTally.member_id == member.id))
        ).scalar_one()
    # "Submit at least one social-conditions report" is the third of the six ones.
    assert (tally.six_3, tally.qualifying, tally.person_times) == (1, 0, 0)
    async with db.session() as session:
        assert await list_reports(session, scope=desk.scope) == []
    submitted = await outbox(db, "report-submitted")
    assert len(submitted) == 3  # every administrator's chat
    assert "Night parking around Bei'an" in message_of(submitted[0]).text


async def test_office_activities_cannot_be_changed_by_the_member(db: Database) -> None:
    from services.members.activities import delete_activity

    member = await member_assignee(db)
    async with db.session() as session, write_transaction(session):
        activity = Activity(
            member_id=member.id,
            kind="social-report",
            occurred_on=NOW.date(),
            sector_id=1,
            people_count=0,
            summary="Accepted report",
            channel="office",
            source="office",
            created_at=NOW,
            updated_at=NOW,
        )
        session.add(activity)
    async with db.session() as session:
        with pytest.raises(DomainError) as refused:
            await delete_activity(
                session, member_id=member.id, activity_id=activity.id or 0, rulebook=RuleBook(),
                now=NOW,
            )  # fmt: skip
    assert refused.value.code == "recorded_by_office"


async def test_a_report_is_announced_only_to_staff_who_can_open_it(db: Database) -> None:
    member = await member_assignee(db)
    beian, admin = await assigned(db, member, 711)  # admin: the office's chat 90711
    jingde, _ = await assigned(db, member, 712, station="xq-jingde")
    await staff_desk(db, stations=("jf-beian",), name="北站", chat_id=8801)
    await staff_desk(db, stations=("jf-beian", "xq-jingde"), name="两站", chat_id=8802)
    kwargs = {"member_id": member.id, "now": NOW, "notifier": notifier()}
    async with db.session() as session:
        one = await submit_report(
            session, issue_ids=[beian], title="Bei'an parking", body="One station.", **kwargs
        )
        both = await submit_report(
            session, issue_ids=[beian, jingde], title="Parking", body="Two stations.", **kwargs
        )
    told = await outbox(db, "report-submitted")

    def readers(report_id: int | None) -> set[int]:
        return {row.chat_id for row in told if f"report:{report_id}:" in row.dedupe_key}

    administrators = {90711, 90712}
    assert readers(one.id) == administrators | {8801, 8802}
    # Bei'an's own staff cannot open the two-station report, so they are not told of it.
    assert readers(both.id) == administrators | {8802}
    assert admin.scope.admin
