"""Reminders of the yearly campaigns: each active member, as a campaign month opens.

The rules' ``campaign_months`` name the months (visiting sector groups in May, livelihood help
in September). From the month's first morning to its end, every active member's linked chats
are reminded once; a member linked later in the month is reminded then. A reminder not
delivered by the month's end (quiet hours, a long outage) is dropped: it would only mislead.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.calendar import local_today
from services.meetings.invitations import member_chats
from services.members.rules import RuleBook
from services.reminders.planning import Due
from services.reminders.settings import ReminderSettings
from storage.enums import MemberStatus
from storage.models import Member


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    """The first and the last day of a month."""
    first = dt.date(year, month, 1)
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return first, following - dt.timedelta(days=1)


def campaign_key(year: int, month: int, member_id: int, identity_id: int) -> str:
    """One reminder per member and month; each of the member's chats gets it once."""
    return f"campaign:{year}:{month}:{member_id}:{identity_id}"


async def campaign_reminders(
    session: AsyncSession,
    *,
    now: dt.datetime,
    tz: dt.tzinfo,
    rulebook: RuleBook,
    settings: ReminderSettings,
) -> list[Due]:
    """The campaign reminders due now: none outside a campaign month or before its morning."""
    today = local_today(now, tz)
    campaign = rulebook.for_year(today.year).campaign_months.get(today.month)
    if campaign is None:
        return []
    first, last = month_bounds(today.year, today.month)
    if now < dt.datetime.combine(first, settings.morning, tzinfo=tz):
        return []
    closes = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    member_ids = list(
        (
            await session.execute(
                select(col(Member.id))
                .where(col(Member.status) == MemberStatus.ACTIVE)
                .order_by(col(Member.id))
            )
        ).scalars()
    )
    chats = await member_chats(session, [member_id for member_id in member_ids if member_id])
    return [
        Due(
            key=campaign_key(today.year, today.month, member_id, identity.id or 0),
            kind="campaign-open",
            identity=identity,
            data={"campaign": campaign, "first": first, "last": last},
            expires_at=closes,
        )
        for member_id, identities in chats.items()
        for identity in identities
    ]
