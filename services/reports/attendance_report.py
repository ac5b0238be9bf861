"""Attendance as a first-class figure: the office's year, each meeting kind, each member.

"Attendance rose from about 80 % to over 90 % once the scores were published": the office
reads the year's rate, its split into attended, excused (leave asked, 有事必请假) and absent per
meeting kind, and every member's rate, lowest first, for the year and for their term. The
chat, the command line and the workbook all read :func:`attendance_report`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.assessment.attendance import (
    ALL_KINDS,
    _figures,
    closed_in,
    effective_attendance,
)
from services.assessment.types import AttendanceFigures
from services.meetings.invitations import meeting_kind
from services.reports.workbook import Share, Table, workbook
from services.translation import gettext as _
from storage.enums import MemberStatus
from storage.models import Meeting, MeetingInvitee, Member


@dataclass(frozen=True)
class MemberAttendance:
    """One member's figures per meeting kind (and ``"all"``) in the period read."""

    member_id: int
    code: str
    name: str
    by_kind: dict[str, AttendanceFigures]

    @property
    def total(self) -> AttendanceFigures:
        """Every kind together."""
        return self.by_kind.get(ALL_KINDS, AttendanceFigures())


@dataclass(frozen=True)
class AttendanceReport:
    """The office's figures per kind, and every member's, lowest attended share first."""

    years: tuple[int, ...]
    office: dict[str, AttendanceFigures]
    members: tuple[MemberAttendance, ...]


async def attendance_report(
    session: AsyncSession,
    *,
    years: list[int],
    tz: dt.tzinfo,
    undecided_leave: str = "excused",
) -> AttendanceReport:
    """The figures of ``years`` (one year, or a term's): two GROUP BY queries over invitations.

    Members invited to no closed meeting are listed with empty figures, after the others
    (nothing to rate them on, but the office should see who was never invited).
    """
    outcome = effective_attendance(undecided_leave)
    base: Any = (
        select(col(MeetingInvitee.member_id), col(Meeting.kind), outcome, func.count())
        .select_from(MeetingInvitee)
        .join(Meeting, col(Meeting.id) == col(MeetingInvitee.meeting_id))
        .where(closed_in(years, tz), col(MeetingInvitee.attendance).is_not(None))
        .group_by(col(MeetingInvitee.member_id), col(Meeting.kind), outcome)
    )
    rows = (await session.execute(base)).all()
    per_member: dict[int, list[tuple[str, str, int]]] = defaultdict(list)
    for member_id, kind, state, count in rows:
        per_member[member_id].append((kind, state, int(count)))
    office = _figures(
        [(kind, state, count) for one in per_member.values() for kind, state, count in one]
    )
    members = (
        await session.execute(
            select(Member).where(col(Member.status) != MemberStatus.LEFT).order_by(col(Member.code))
        )
    ).scalars()
    listed = [
        MemberAttendance(m.id or 0, m.code, m.name, _figures(per_member.get(m.id or 0, [])))
        for m in members
    ]
    listed.sort(key=lambda m: (not m.total.invited, m.total.attended_share, m.code))
    return AttendanceReport(tuple(years), office, tuple(listed))


def kind_label(code: str, locale: str) -> str:
    """A meeting kind's name in ``locale``; ``all`` is every kind together."""
    if code == ALL_KINDS:
        return _("All meetings")
    kind = meeting_kind(code)
    if kind is None:
        return code
    return kind.name_zh if locale.startswith("zh") else kind.name_en


def share(value: float) -> str:
    """A share as a whole percentage."""
    return f"{value:.0%}"


def figures_cells(figures: AttendanceFigures) -> list[str]:
    """Invited, attended, excused, absent and the three shares, as text."""
    return [
        str(figures.invited),
        str(figures.attended),
        str(figures.excused),
        str(figures.absent),
        share(figures.attended_share),
        share(figures.excused_share),
        share(figures.absent_share),
    ]


def figures_header() -> list[str]:
    """The headers of :func:`figures_cells`."""
    return [
        _("Invited"),
        _("Attended"),
        _("Excused"),
        _("Absent"),
        _("Attended %"),
        _("Excused %"),
        _("Absent %"),
    ]


def attendance_workbook(
    year_report: AttendanceReport, term_report: AttendanceReport | None, locale: str
) -> bytes:
    """One sheet per period: the office's rows first, then a row per member and meeting kind."""
    header = [_("Code"), _("Name"), _("Meeting kind"), *figures_header()]
    tables = []
    periods = [(str(year_report.years[0]), year_report)]
    if term_report is not None:
        periods.append((_("Term"), term_report))
    for title, report in periods:
        rows: list[list[Any]] = []
        for kind in _kinds(report.office):
            rows.append(["", _("Office"), kind_label(kind, locale), *_cells(report.office[kind])])
        for member in report.members:
            for kind in _kinds(member.by_kind):
                cells = _cells(member.by_kind[kind])
                rows.append([member.code, member.name, kind_label(kind, locale), *cells])
        tables.append(Table(title, header, rows))
    return workbook(_("Attendance"), tables)


def _kinds(by_kind: dict[str, AttendanceFigures]) -> list[str]:
    """Meeting kinds by code, every kind together last."""
    return sorted(by_kind, key=lambda kind: (kind == ALL_KINDS, kind))


def _cells(figures: AttendanceFigures) -> list[Any]:
    return [
        figures.invited,
        figures.attended,
        figures.excused,
        figures.absent,
        Share(figures.attended_share),
        Share(figures.excused_share),
        Share(figures.absent_share),
    ]
