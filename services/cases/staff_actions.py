"""What every staff action on a case shares: the scope check, the status check, the audit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.accounts.scope import StaffScope
from services.audit import Actor, audit, changes
from services.cases.common import lock_issue, require_status
from services.errors import DomainError
from storage.models import Issue

__all__ = ["audit_change", "require_status", "snapshot", "staff_case"]


def snapshot(issue: Issue) -> dict[str, Any]:
    """The fields staff actions change, for the audit log."""
    return {
        "status": issue.status,
        "assignee_member_id": issue.assignee_member_id,
        "assignee_department_id": issue.assignee_department_id,
        "due_at": issue.due_at.isoformat() if issue.due_at else None,
        "duplicate_of_id": issue.duplicate_of_id,
    }


async def staff_case(session: AsyncSession, issue_id: int, scope: StaffScope) -> Issue:
    """The case, locked, if it is within the scope; unknown otherwise."""
    issue = await lock_issue(session, issue_id)
    if not scope.covers(issue.station_id):
        # Out of scope reads the same as unknown: no hint that the case exists.
        raise DomainError("issue_unknown")
    return issue


def audit_change(
    session: AsyncSession,
    issue: Issue,
    before: dict[str, Any],
    *,
    actor: Actor,
    action: str,
    now: dt.datetime,
    **extra: Any,
) -> None:
    """An audit entry with the fields the action changed."""
    old, new = changes(before, snapshot(issue))
    audit(
        session,
        actor=actor,
        action=action,
        object_kind="issue",
        object_id=issue.number,
        before=old,
        after={**new, **extra},
        now=now,
    )
