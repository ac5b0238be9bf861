"""Who took part in a yearly campaign: active members with an activity in its month, and not.

Every activity logged for a day of a campaign month is the campaign's, whatever its kind: the
documents name the campaigns' themes, not kinds of their own.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.errors import DomainError
from services.members.labels import group_label
from services.members.rules import Campaign, Rules
from services.reference.catalog import display_name
from services.reminders.campaigns import month_bounds
from services.reports.workbook import Table, workbook
from services.translation import gettext as _
from storage.enums import MemberStatus
from storage.models import Activity, Member, Sector


@dataclass(frozen=True)
class CampaignRow:
    """One active member's activities in the campaign's month."""

    code: str
    name: str
    sector: Sector
    group: str
    activities: int
    person_times: int

    @property
    def took_part(self) -> bool:
        """At least one activity in the month."""
        return self.activities > 0


@dataclass(frozen=True)
class CampaignReport:
    """A campaign month and every active member's part in it."""

    year: int
    month: int
    campaign: Campaign
    rows: list[CampaignRow]

    @property
    def took_part(self) -> list[CampaignRow]:
        """Members with at least one activity in the month."""
        return [row for row in self.rows if row.took_part]

    @property
    def missing(self) -> list[CampaignRow]:
        """Members with none."""
        return [row for row in self.rows if not row.took_part]


async def campaign_report(
    session: AsyncSession, *, year: int, month: int, rules: Rules
) -> CampaignReport:
    """Every active member with their activities in a campaign month (``DomainError`` if none)."""
    campaign = rules.campaign_months.get(month)
    if campaign is None:
        raise DomainError("not_a_campaign_month", month=month)
    first, last = month_bounds(year, month)
    stmt = (
        select(
            Member,
            Sector,
            func.count(col(Activity.id)),
            func.coalesce(func.sum(Activity.people_count), 0),
        )
        .join(Sector, col(Sector.id) == col(Member.sector_id))
        .outerjoin(
            Activity,
            (col(Activity.member_id) == col(Member.id))
            & col(Activity.occurred_on).between(first, last)
            & col(Activity.deleted_at).is_(None),
        )
        .where(col(Member.status) == MemberStatus.ACTIVE)
        .group_by(col(Member.id), col(Sector.id))
        .order_by(col(Sector.sort_order), col(Sector.id), col(Member.code))
    )
    rows = [
        CampaignRow(
            code=member.code,
            name=member.name,
            sector=sector,
            group=member.assessment_group,
            activities=int(count),
            person_times=int(people),
        )
        for member, sector, count, people in (await session.execute(stmt)).all()
    ]
    return CampaignReport(year=year, month=month, campaign=campaign, rows=rows)


def campaign_title(report: CampaignReport, locale: str) -> str:
    """``2026-05 campaign: Visiting sector group people``."""
    return _("{year}-{month:02d} campaign: {name}").format(
        year=report.year, month=report.month, name=display_name(report.campaign, locale)
    )


def campaign_summary(report: CampaignReport, locale: str, *, limit: int | None = None) -> str:
    """Plain text: how many took part, then who did not (``limit`` caps that list)."""
    missing = report.missing
    lines = [
        campaign_title(report, locale),
        _("{done} of {total} active members logged at least one activity this month.").format(
            done=len(report.took_part), total=len(report.rows)
        ),
    ]
    if missing:
        lines += ["", _("No activity in the month:")]
        shown = missing if limit is None else missing[:limit]
        lines += [
            _("{name} ({sector})").format(name=row.name, sector=display_name(row.sector, locale))
            for row in shown
        ]
        if len(shown) < len(missing):
            lines.append(_("…and {more} more.").format(more=len(missing) - len(shown)))
    return "\n".join(lines)


def campaign_workbook(report: CampaignReport, locale: str) -> bytes:
    """Every active member: took part or not, activities and person-times in the month."""
    yes, no = _("yes"), _("no")
    table = Table(
        title=_("Campaign"),
        header=[
            _("Code"),
            _("Name"),
            _("Sector"),
            _("Group"),
            _("Took part"),
            _("Activities in the month"),
            _("Person-times in the month"),
        ],
        rows=[
            [
                row.code,
                row.name,
                display_name(row.sector, locale),
                group_label(row.group),
                yes if row.took_part else no,
                row.activities,
                row.person_times,
            ]
            for row in report.rows
        ],
    )
    return workbook(campaign_title(report, locale), [table])
