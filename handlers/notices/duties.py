"""Notices about members' duties: the quarter's minimum, the year's pace, staff summaries."""

from __future__ import annotations

import datetime as dt

from aiogram.utils.i18n import gettext as _

from handlers.callbacks import (
    MemberMenuCB,
    StaffMenuCB,
)
from handlers.notices.buttons import button
from handlers.texts import escape
from services.calendar import Quarter
from services.members.compliance import MemberQuarterRow
from services.outbox.queue import Outgoing
from services.reference.catalog import display_name


class DutyNotices:
    """Duty notices; ``tz`` is the committee's time zone."""

    tz: dt.tzinfo

    def minimum_short(
        self, *, locale: str, row: MemberQuarterRow, quarter: Quarter, today: dt.date
    ) -> Outgoing:
        """To a member with no qualifying activity yet this quarter."""
        text = _(
            "⚠️ {days} days are left in {year} Q{number}, and you have {done} qualifying liaison "
            "activities this quarter (the minimum is {minimum}).\n"
            "You receive this because members hold at least {minimum} activity with the people "
            "of their sector every quarter."
        ).format(
            days=quarter.days_left(today),
            year=quarter.year,
            number=quarter.number,
            done=row.qualifying,
            minimum=row.quarter_minimum,
        )
        return Outgoing(
            text=text, buttons=[[button(_("🗓 Log an activity"), MemberMenuCB(action="log"))]]
        )

    def pace_behind(
        self, *, locale: str, row: MemberQuarterRow, expected: int, today: dt.date
    ) -> Outgoing:
        """To a member behind on the year's person-times."""
        text = _(
            "📉 You have reached {done} person-times so far this year; about {expected} would be "
            "on pace for the yearly minimum of {target}.\n"
            "You receive this on the first day of each month while you are behind."
        ).format(done=row.year_person_times, expected=expected, target=row.year_minimum)
        return Outgoing(
            text=text,
            buttons=[[button(_("📊 My progress"), MemberMenuCB(action="progress"))]],
        )

    def minimum_summary(
        self, *, locale: str, quarter: Quarter, short: list[MemberQuarterRow], total: int
    ) -> Outgoing:
        """To staff on the first day of a quarter: last quarter's shortfalls."""
        lines = [
            _(
                "📋 {year} Q{number}: {short} of {total} active members did not meet the minimum."
            ).format(year=quarter.year, number=quarter.number, short=len(short), total=total)
        ]
        names = [
            _("{name} ({sector})").format(name=row.name, sector=display_name(row.sector, locale))
            for row in short[:30]
        ]
        if names:
            lines.append(escape("、".join(names)))
        if len(short) > 30:
            lines.append(_("…and {more} more.").format(more=len(short) - 30))
        lines.append(
            _("You receive this on the first day of each quarter as the office's administrator.")
        )
        return Outgoing(
            text="\n".join(lines),
            buttons=[[button(_("📊 The quarter report"), StaffMenuCB(action="report"))]],
        )
