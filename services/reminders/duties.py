"""Reminders of members' duties: short of the quarter's minimum, behind on pace, staff summary."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from services.accounts.staff import staff_recipients
from services.calendar import Quarter, local_today
from services.meetings.invitations import member_chats
from services.members.compliance import quarter_compliance, short_of_minimum
from services.members.progress import Pace, pace_of
from services.members.rules import RuleBook
from services.reminders.planning import Due, label
from services.reminders.settings import ReminderSettings, latest_passed
from storage.enums import MemberStatus


def _morning(day: dt.date, settings: ReminderSettings, tz: dt.tzinfo) -> dt.datetime:
    return dt.datetime.combine(day, settings.morning, tzinfo=tz)


async def minimum_reminders(
    session: AsyncSession,
    *,
    now: dt.datetime,
    tz: dt.tzinfo,
    rulebook: RuleBook,
    settings: ReminderSettings,
) -> list[Due]:
    """Members short of the quarter's minimum, staff's summary of the last quarter, pace."""
    today = local_today(now, tz)
    quarter = Quarter.of(today)
    rules = rulebook.for_year(quarter.year)
    dues: list[Due] = []
    rows = await quarter_compliance(session, quarter=quarter, rules=rules, tz=tz)
    active = [row for row in rows if row.status == MemberStatus.ACTIVE]
    chats = await member_chats(session, [row.member_id for row in active])
    before_end = [dt.timedelta(days=days) for days in settings.minimum_days_before_end]
    end = _morning(quarter.end + dt.timedelta(days=1), settings, tz)
    offset = latest_passed(end, before_end, now)
    if offset is not None and now < end:
        for row in short_of_minimum(active):
            for identity in chats.get(row.member_id, []):
                dues.append(
                    Due(
                        key=f"minimum:{quarter}:{label(offset)}:{identity.id}",
                        kind="minimum-short",
                        identity=identity,
                        data={"row": row, "quarter": quarter, "today": today},
                    )
                )
    month_start = _morning(today.replace(day=1), settings, tz)
    if month_start <= now < month_start + settings.summary_valid and today.month != 1:
        for row in active:
            pace, expected = pace_of(row.year_person_times, rules.year_minimum_person_times, today)
            if pace != Pace.BEHIND:
                continue
            for identity in chats.get(row.member_id, []):
                dues.append(
                    Due(
                        key=f"pace:{today:%Y-%m}:{identity.id}",
                        kind="pace-behind",
                        identity=identity,
                        data={"row": row, "expected": round(expected), "today": today},
                    )
                )
    summary_due = _morning(quarter.start, settings, tz)
    if summary_due <= now < summary_due + settings.summary_valid:
        previous = quarter.previous()
        last = await quarter_compliance(
            session, quarter=previous, rules=rulebook.for_year(previous.year), tz=tz
        )
        short = short_of_minimum(last)
        total = sum(1 for r in last if r.status == MemberStatus.ACTIVE)
        for _staff, _to, identity in await staff_recipients(session):
            dues.append(
                Due(
                    key=f"minimum:{previous}:summary:{identity.id}",
                    kind="minimum-summary",
                    identity=identity,
                    data={"quarter": previous, "short": short, "total": total},
                )
            )
    return dues
