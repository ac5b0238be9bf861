"""Reminders about residents' cases: to staff, to residents, to assignees.

Unassigned cases go to their station's staff, answers waiting for a rating to the resident,
cases past their due date to the assignee and then to staff.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, or_, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.cases.audience import assignee_chats, staff_chats_for_station
from services.reminders.planning import Due, label, latest_after
from services.reminders.settings import ReminderSettings
from storage.enums import IssueEventKind, IssueStatus
from storage.models import ChatIdentity, Issue, IssueEvent, Resident
from storage.types import UTCDateTime


async def issue_reminders(
    session: AsyncSession, *, now: dt.datetime, settings: ReminderSettings
) -> list[Due]:
    """Unassigned cases to staff, rating requests to residents, overdue cases to assignees.

    Keys carry the moment they count from (the latest reply, the current due date), so a
    case answered again or given a new due date is reminded about again, and only then.
    """
    dues: list[Due] = []
    # A case waits for an assignee from its report, or from its latest hand-back or reopening.
    returned = (
        select(func.max(IssueEvent.created_at))
        .where(
            col(IssueEvent.issue_id) == col(Issue.id),
            or_(
                col(IssueEvent.kind) == IssueEventKind.HANDED_BACK,
                col(IssueEvent.to_status) == IssueStatus.REOPENED,
            ),
        )
        .scalar_subquery()
    )
    waiting_since = type_coerce(func.coalesce(returned, col(Issue.created_at)), UTCDateTime)
    unassigned = (
        await session.execute(
            select(Issue, waiting_since).where(
                col(Issue.status).in_(
                    [IssueStatus.NEW, IssueStatus.ACCEPTED, IssueStatus.REOPENED]
                ),
                col(Issue.assignee_member_id).is_(None),
                col(Issue.assignee_department_id).is_(None),
                waiting_since <= now - settings.unassigned_after,
            )
        )
    ).all()
    staff_of: dict[int, list[ChatIdentity]] = {}

    async def staff_chats(station_id: int) -> list[ChatIdentity]:
        if station_id not in staff_of:
            staff_of[station_id] = await staff_chats_for_station(session, station_id)
        return staff_of[station_id]

    for issue, since in unassigned:
        # Waiting since the report: the key it always had. Since a return: that moment's key.
        stamp = int(since.timestamp())
        moment = "" if stamp == int(issue.created_at.timestamp()) else f"{stamp}:"
        for identity in await staff_chats(issue.station_id):
            dues.append(
                Due(
                    key=f"issue:{issue.id}:unassigned:{moment}{identity.id}",
                    kind="issue-unassigned",
                    identity=identity,
                    data={"issue": issue},
                )
            )
    answered = (
        await session.execute(
            select(Issue, ChatIdentity)
            .join(Resident, col(Resident.id) == col(Issue.resident_id))
            .join(ChatIdentity, col(ChatIdentity.id) == col(Resident.identity_id))
            .where(
                col(Issue.status).in_([IssueStatus.ANSWERED, IssueStatus.RESOLVED]),
                col(Issue.rated_at).is_(None),
                col(Issue.last_reply_at).is_not(None),
                col(Issue.last_reply_at) <= now - min(settings.rate_after),
                col(Issue.last_reply_at) > now - max(settings.rate_after) - settings.summary_valid,
            )
        )
    ).all()
    for issue, identity in answered:
        assert issue.last_reply_at is not None
        after = latest_after(issue.last_reply_at, settings.rate_after, now)
        assert after is not None
        stamp = int(issue.last_reply_at.timestamp())
        dues.append(
            Due(
                key=f"issue:{issue.id}:rate-{label(after)}:{stamp}",
                kind="issue-rate",
                identity=identity,
                data={"issue": issue},
                resident_case=issue,
            )
        )
    overdue = (
        await session.execute(
            select(Issue).where(
                col(Issue.status).in_([IssueStatus.ASSIGNED, IssueStatus.REOPENED]),
                col(Issue.due_at) < now,
                or_(
                    col(Issue.assignee_member_id).is_not(None),
                    col(Issue.assignee_department_id).is_not(None),
                ),
            )
        )
    ).scalars()
    for issue in list(overdue):
        assert issue.due_at is not None
        stamp = int(issue.due_at.timestamp())
        for identity in await assignee_chats(session, issue):
            dues.append(
                Due(
                    key=f"issue:{issue.id}:overdue:{stamp}:{identity.id}",
                    kind="issue-overdue",
                    identity=identity,
                    data={"issue": issue},
                )
            )
        if issue.due_at + settings.overdue_staff_after < now:
            for identity in await staff_chats(issue.station_id):
                dues.append(
                    Due(
                        key=f"issue:{issue.id}:overdue-staff:{stamp}:{identity.id}",
                        kind="issue-overdue-staff",
                        identity=identity,
                        data={"issue": issue},
                    )
                )
    return dues
