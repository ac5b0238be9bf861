"""The year-end summary notice: a member's own year in a few lines."""

from __future__ import annotations

from collections.abc import Mapping

from aiogram.utils.i18n import gettext as _

from handlers.callbacks import MemberMenuCB
from handlers.notices.buttons import button
from handlers.texts import escape
from services.assessment.archive_types import Named
from services.assessment.ranking import points_text
from services.assessment.types import AttendanceFigures
from services.outbox.queue import Outgoing


class AssessmentSummaryNotices:
    """The summary; ``KINDS`` maps the notice kind to the method that renders it."""

    KINDS: Mapping[str, str] = {"assessment-year-summary": "assessment_year_summary"}

    def assessment_year_summary(
        self,
        *,
        locale: str,
        year: int,
        total_c: int,
        rank: int | None,
        size: int,
        group: Named | None,
        attendance: AttendanceFigures,
        six_done: int,
        six_total: int,
        top: list[tuple[Named, int]],
    ) -> Outgoing:
        """To one member: total, rank n of N in the group, attendance, six ones, top items."""
        lines = [
            _("📒 Your {year} in the committee: {points} points.").format(
                year=year, points=points_text(total_c)
            )
        ]
        if rank is not None and group is not None:
            lines.append(
                _("Rank {rank} of {size} in {group} (final once the year is published).").format(
                    rank=rank, size=size, group=escape(group.name(locale))
                )
            )
        if attendance.invited:
            lines.append(
                _(
                    "Meetings: {rate:.0%} attended ({attended} of {invited}, {excused} on leave)."
                ).format(
                    rate=attendance.attended_share,
                    attended=attendance.attended,
                    invited=attendance.invited,
                    excused=attendance.excused,
                )
            )
        if six_total:
            lines.append(
                _("Six ones done: {done} of {total}.").format(done=six_done, total=six_total)
            )
        if top:
            items = "、".join(
                f"{escape(name.name(locale))} {points_text(value)}" for name, value in top
            )
            lines.append(_("Most points from: {items}.").format(items=items))
        lines.append(_("You receive this once a year, as a member of the committee."))
        return Outgoing(
            text="\n".join(lines),
            buttons=[[button(_("📊 My progress"), MemberMenuCB(action="progress"))]],
        )
