"""Social-conditions reports (社情民意信息) members write from the cases assigned to them.

Staff accept or return them; an accepted report is recorded in the member's performance
record as a "social-report" activity, which fulfils that one of the yearly "six ones".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.accounts.scope import StaffScope
from services.assessment.ledger import check_open, refresh_years
from services.audit import Actor, audit
from services.calendar import Quarter, local_today
from services.cases.audience import staff_chats_for_station
from services.cases.common import check_text
from services.errors import DomainError
from services.meetings.invitations import member_chats
from services.members.rules import RuleBook
from services.members.tallies import refresh_tally
from services.outbox.notices import Notifier
from services.outbox.queue import Recipient, add
from storage.db import write_transaction
from storage.enums import ActivitySource, ReportState
from storage.models import (
    Activity,
    ConditionsReport,
    ConditionsReportIssue,
    Issue,
    Member,
)

REPORT_KIND = "social-report"
TITLE_MAX = 120
BODY_MAX = 4000
MAX_CASES = 10
NOTE_MAX = 1000


@dataclass(frozen=True)
class ReportView:
    """A report with its member and the numbers of its cases."""

    report: ConditionsReport
    member: Member
    case_numbers: list[str]
    station_ids: list[int]


async def submit_report(
    session: AsyncSession,
    *,
    member_id: int,
    issue_ids: Sequence[int],
    title: str,
    body: str,
    now: dt.datetime,
    notifier: Notifier,
    rulebook: RuleBook | None = None,
    tz: dt.tzinfo | None = None,
) -> ConditionsReport:
    """Send a report to staff, written from cases currently assigned to the member.

    With ``rulebook`` and ``tz`` the member's assessment counts it at once (M13).
    """
    ids = list(dict.fromkeys(issue_ids))
    if not 1 <= len(ids) <= MAX_CASES:
        raise DomainError("cases_range", minimum=1, maximum=MAX_CASES)
    title = check_text(title, maximum=TITLE_MAX)
    body = check_text(body, maximum=BODY_MAX)
    async with write_transaction(session):
        issues = list(
            (
                await session.execute(
                    select(Issue).where(
                        col(Issue.id).in_(ids), col(Issue.assignee_member_id) == member_id
                    )
                )
            ).scalars()
        )
        if len(issues) != len(ids):
            raise DomainError("issue_unknown")
        report = ConditionsReport(
            member_id=member_id,
            title=title,
            body=body,
            state=ReportState.SUBMITTED,
            submitted_at=now,
        )
        session.add(report)
        await session.flush()
        assert report.id is not None
        session.add_all(ConditionsReportIssue(report_id=report.id, issue_id=i) for i in ids)
        if rulebook is not None and tz is not None:
            await refresh_years(
                session,
                source_kind="report",
                source_id=report.id,
                years=[local_today(now, tz).year],
                rulebook=rulebook,
                tz=tz,
                now=now,
            )
        member = await session.get(Member, member_id)
        assert member is not None
        # Only the staff who can open it hear of it: those whose stations hold all its cases
        # (see _in_scope), administrators always.
        stations = sorted({issue.station_id for issue in issues})
        readers = await staff_chats_for_station(session, stations[0])
        for station_id in stations[1:]:
            also = {identity.id for identity in await staff_chats_for_station(session, station_id)}
            readers = [identity for identity in readers if identity.id in also]
        for identity in readers:
            await add(
                session,
                to=Recipient.of(identity),
                message=notifier.render("report-submitted", identity, report=report, member=member),
                dedupe_key=f"report:{report.id}:submitted:{identity.id}",
                now=now,
                kind="report-submitted",
            )
    return report


def _in_scope(scope: StaffScope) -> Any:
    """Reports all of whose cases are at the scope's stations.

    A report drawing on cases of several stations' staff is decided by an administrator: station
    staff would otherwise read, and judge, other stations' cases.
    """
    if scope.admin:
        return None
    elsewhere = (
        select(col(ConditionsReportIssue.report_id))
        .join(Issue, col(Issue.id) == col(ConditionsReportIssue.issue_id))
        .where(
            col(ConditionsReportIssue.report_id) == col(ConditionsReport.id),
            col(Issue.station_id).not_in(sorted(scope.station_ids)),
        )
    )
    return ~exists(elsewhere)


async def list_reports(
    session: AsyncSession, *, scope: StaffScope, state: str = ReportState.SUBMITTED, limit: int = 20
) -> list[ReportView]:
    """Reports in ``state`` within the scope (see ``_in_scope``), oldest first."""
    stmt = (
        select(ConditionsReport, Member)
        .join(Member, col(Member.id) == col(ConditionsReport.member_id))
        .where(col(ConditionsReport.state) == state)
        .order_by(col(ConditionsReport.submitted_at), col(ConditionsReport.id))
        .limit(limit)
    )
    clause = _in_scope(scope)
    if clause is not None:
        stmt = stmt.where(clause)
    rows = (await session.execute(stmt)).all()
    return [await _view(session, report, member) for report, member in rows]


async def count_reports(session: AsyncSession, *, scope: StaffScope) -> int:
    """How many reports wait for a decision within the scope."""
    stmt = (
        select(func.count())
        .select_from(ConditionsReport)
        .where(col(ConditionsReport.state) == ReportState.SUBMITTED)
    )
    clause = _in_scope(scope)
    if clause is not None:
        stmt = stmt.where(clause)
    return int((await session.execute(stmt)).scalar_one())


async def _view(session: AsyncSession, report: ConditionsReport, member: Member) -> ReportView:
    rows = (
        await session.execute(
            select(col(Issue.number), col(Issue.station_id))
            .join(ConditionsReportIssue, col(ConditionsReportIssue.issue_id) == col(Issue.id))
            .where(col(ConditionsReportIssue.report_id) == report.id)
            .order_by(col(Issue.number))
        )
    ).all()
    return ReportView(
        report=report,
        member=member,
        case_numbers=[number for number, _ in rows],
        station_ids=sorted({station for _, station in rows}),
    )


async def get_report(
    session: AsyncSession, *, report_id: int, scope: StaffScope
) -> ReportView | None:
    """One report, if all its cases are at the scope's stations."""
    report = await session.get(ConditionsReport, report_id)
    if report is None:
        return None
    member = await session.get(Member, report.member_id)
    assert member is not None
    view = await _view(session, report, member)
    if not all(scope.covers(station_id) for station_id in view.station_ids):
        return None
    return view


async def decide_report(
    session: AsyncSession,
    *,
    report_id: int,
    accept: bool,
    note: str | None,
    scope: StaffScope,
    actor: Actor,
    rulebook: RuleBook,
    now: dt.datetime,
    tz: dt.tzinfo,
    notifier: Notifier,
) -> ConditionsReport:
    """Accept (recorded as the member's social-report activity) or return a report."""
    cleaned = check_text(note, maximum=NOTE_MAX) if note else None
    async with write_transaction(session):
        view = await get_report(session, report_id=report_id, scope=scope)
        if view is None:
            raise DomainError("report_unknown")
        report = view.report
        if report.state != ReportState.SUBMITTED:
            raise DomainError("already_decided", decision=report.state)
        # The report counts in the year it was submitted: a closed year is the record.
        counted_in = report.submitted_at.astimezone(tz).year
        await check_open(session, years=[counted_in])
        report.state = ReportState.ACCEPTED if accept else ReportState.RETURNED
        report.decided_at = now
        report.decided_by_staff_id = scope.staff_id
        report.staff_note = cleaned
        if accept:
            report.activity_id = await _record_activity(
                session, view.member, report, rulebook=rulebook, now=now, tz=tz
            )
        await refresh_years(
            session,
            source_kind="report",
            source_id=report.id or 0,
            years=[counted_in],
            rulebook=rulebook,
            tz=tz,
            now=now,
        )
        audit(
            session,
            actor=actor,
            action="report.accept" if accept else "report.return",
            object_kind="conditions_report",
            object_id=report.id,
            before={"state": ReportState.SUBMITTED},
            after={"state": report.state, "note": cleaned},
            now=now,
        )
        for identity in (await member_chats(session, [view.member.id or 0]))[view.member.id or 0]:
            await add(
                session,
                to=Recipient.of(identity),
                message=notifier.render("report-decision", identity, report=report),
                dedupe_key=f"report:{report.id}:decision:{identity.id}",
                now=now,
                kind="report-decision",
            )
    return report


async def _record_activity(
    session: AsyncSession,
    member: Member,
    report: ConditionsReport,
    *,
    rulebook: RuleBook,
    now: dt.datetime,
    tz: dt.tzinfo,
) -> int:
    assert member.id is not None
    today = local_today(now, tz)
    activity = Activity(
        member_id=member.id,
        kind=REPORT_KIND,
        occurred_on=today,
        sector_id=member.sector_id,
        people_count=0,
        summary=report.title,
        channel="office",
        source=ActivitySource.OFFICE,
        created_at=now,
        updated_at=now,
    )
    session.add(activity)
    await session.flush()
    assert activity.id is not None
    await refresh_tally(
        session, member_id=member.id, quarter=Quarter.of(today), rules=rulebook.for_year(today.year)
    )
    return activity.id


async def member_reports(session: AsyncSession, *, member_id: int) -> Sequence[ConditionsReport]:
    """A member's reports, newest first."""
    return (
        (
            await session.execute(
                select(ConditionsReport)
                .where(col(ConditionsReport.member_id) == member_id)
                .order_by(col(ConditionsReport.submitted_at).desc())
            )
        )
        .scalars()
        .all()
    )
