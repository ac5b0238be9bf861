"""When reminders fall due: the committee's offsets, shared by the planner and invitations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class ReminderSettings:
    """When reminders fall due; every value can be changed per committee."""

    meeting_before: tuple[dt.timedelta, ...] = (dt.timedelta(days=2), dt.timedelta(hours=2))
    nudge_before: dt.timedelta = dt.timedelta(days=1)
    minimum_days_before_end: tuple[int, ...] = (14, 3)
    morning: dt.time = dt.time(9, 0)
    summary_valid: dt.timedelta = dt.timedelta(days=7)
    unassigned_after: dt.timedelta = dt.timedelta(hours=24)
    rate_after: tuple[dt.timedelta, ...] = (dt.timedelta(days=3), dt.timedelta(days=7))
    overdue_staff_after: dt.timedelta = dt.timedelta(days=2)


def latest_passed(
    moment: dt.datetime, offsets: Sequence[dt.timedelta], now: dt.datetime
) -> dt.timedelta | None:
    """Of the reminders ``offset`` before ``moment``, the one most recently due; None if none."""
    passed = [offset for offset in offsets if moment - offset <= now]
    return min(passed) if passed else None


@dataclass(frozen=True)
class Folded:
    """What a meeting's invitation says for the reminders whose moment passed before it.

    ``soon``: a reminder before the start was already due, so the invitation says the
    meeting starts soon. ``nudge``: the nudge to answer was already due, so the invitation
    asks for an answer or a leave request itself.
    """

    soon: bool = False
    nudge: bool = False

    @classmethod
    def at(cls, starts_at: dt.datetime, settings: ReminderSettings, now: dt.datetime) -> Folded:
        """The reminders an invitation written at ``now`` stands in for."""
        return cls(
            soon=latest_passed(starts_at, settings.meeting_before, now) is not None,
            nudge=starts_at - settings.nudge_before <= now,
        )
