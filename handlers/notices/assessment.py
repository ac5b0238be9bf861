"""Notices of the duty assessment: the year's excellent lists, and each member's own line."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from aiogram.utils.i18n import gettext as _

from handlers.callbacks import MemberMenuCB
from handlers.notices.buttons import button
from handlers.texts import escape
from services.assessment.ranking import RankedRow, points_text
from services.assessment.standings import GroupStanding
from services.outbox.queue import Outgoing
from services.reference.catalog import display_name
from storage.models import Sector


class AssessmentNotices:
    """Assessment notices; ``KINDS`` maps a notice kind to the method that renders it."""

    tz: dt.tzinfo
    KINDS: Mapping[str, str] = {
        "assessment-published": "assessment_published",
        "assessment-own-line": "assessment_own_line",
    }

    def assessment_published(
        self,
        *,
        locale: str,
        year: int,
        members: list[tuple[str, Sector | None]],
        sectors: list[Sector],
    ) -> Outgoing:
        """To every member: the excellent members and sectors the chairs' meeting decided."""
        none = _("none")
        people = "、".join(
            _("{name} ({sector})").format(
                name=name, sector=display_name(sector, locale) if sector else ""
            )
            for name, sector in members
        )
        text = " ".join(
            [
                _("🏅 The {year} duty assessment is published.").format(year=year),
                _("Excellent members: {names}.").format(names=escape(people or none)),
                _("Excellent sectors: {names}.").format(
                    names=escape("、".join(display_name(s, locale) for s in sectors) or none)
                ),
                _("You receive this as a member of the committee."),
            ]
        )
        return Outgoing(
            text=text, buttons=[[button(_("📊 My progress"), MemberMenuCB(action="progress"))]]
        )

    def assessment_own_line(
        self,
        *,
        locale: str,
        year: int,
        group: GroupStanding,
        row: RankedRow,
        excellent: bool | None,
    ) -> Outgoing:
        """To one member: their total, rank in their group, and whether they are excellent."""
        points = points_text(row.total_c)
        if row.rank is None:
            line = _("Your {year} total is {points} points; you were not ranked this year.").format(
                year=year, points=points
            )
        else:
            line = _(
                "Your {year} total is {points} points: rank {rank} of {size} in {group}."
            ).format(
                year=year,
                points=points,
                rank=row.rank,
                size=group.size,
                group=escape(group.name(locale)),
            )
        verdict = (
            _("You were decided an excellent member.")
            if excellent
            else _("You are not among the excellent members this year.")
        )
        return Outgoing(
            text=f"📋 {line} {verdict}",
            buttons=[[button(_("📊 My progress"), MemberMenuCB(action="progress"))]],
        )
