"""What staff read of the hotspots, and the topic one becomes.

Administrators see every hotspot. Station staff see the hotspots of their stations only: those
whose cases came mostly to one of their stations, or whose hotline records lie nearest one of
them; a hotspot of no station is for administrators. Any other id is refused as unknown
(``hotspot_not_found``), so a forged id tells nothing.
"""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.accounts.scope import StaffScope
from services.audit import Actor
from services.errors import DomainError
from services.topics.records import DESCRIPTION_MAX, TITLE_MAX, create_topic
from services.translation import gettext as _
from storage.enums import TopicLinkKind, TopicSource
from storage.models import Hotspot, HotspotMember, HotspotRun, IssueCategory, Topic, TopicLink

PAGE = 5


def _visible(scope: StaffScope) -> object:
    if scope.admin:
        return True
    return col(Hotspot.station_id).in_(sorted(scope.station_ids))


async def latest_month(session: AsyncSession) -> str | None:
    """The newest month that has a run."""
    return await session.scalar(select(func.max(HotspotRun.month)))


async def run_of(session: AsyncSession, *, month: str) -> HotspotRun | None:
    """The month's run, if it ran."""
    return await session.scalar(select(HotspotRun).where(col(HotspotRun.month) == month))


async def hotspot_page(
    session: AsyncSession, *, month: str, scope: StaffScope, page: int, size: int = PAGE
) -> tuple[list[Hotspot], int]:
    """One page (from 0) of the month's hotspots the staff member may see, largest first.

    Returned with how many there are in all.
    """
    where = [col(HotspotRun.month) == month, _visible(scope)]
    total = await session.scalar(
        select(func.count()).select_from(Hotspot).join(HotspotRun).where(*where)  # type: ignore[arg-type]
    )
    rows = await session.scalars(
        select(Hotspot)
        .join(HotspotRun)
        .where(*where)  # type: ignore[arg-type]
        .order_by(col(Hotspot.rank))
        .offset(max(page, 0) * size)
        .limit(size)
    )
    return list(rows), int(total or 0)


async def get_hotspot(session: AsyncSession, *, hotspot_id: int, scope: StaffScope) -> Hotspot:
    """The hotspot, when the staff member may see it; ``hotspot_not_found`` otherwise."""
    hotspot = await session.get(Hotspot, hotspot_id)
    if hotspot is None or not (
        scope.admin or (hotspot.station_id is not None and scope.covers(hotspot.station_id))
    ):
        raise DomainError("hotspot_not_found")
    return hotspot


async def month_of_hotspot(session: AsyncSession, hotspot: Hotspot) -> str:
    """The month of the run the hotspot belongs to."""
    return str(
        await session.scalar(
            select(col(HotspotRun.month)).where(col(HotspotRun.id) == hotspot.run_id)
        )
    )


def examples_of(hotspot: Hotspot) -> list[str]:
    """Its example texts (phone numbers already cut out when the run stored them)."""
    return [str(text) for text in json.loads(hotspot.examples or "[]")]


async def topic_of_hotspot(session: AsyncSession, *, hotspot_id: int) -> Topic | None:
    """The topic made from the hotspot, if one was."""
    return await session.scalar(
        select(Topic)
        .join(TopicLink, col(TopicLink.topic_id) == col(Topic.id))
        .where(col(TopicLink.kind) == TopicLinkKind.HOTSPOT, col(TopicLink.ref_id) == hotspot_id)
        .order_by(col(Topic.id))
        .limit(1)
    )


async def hotspot_to_topic(
    session: AsyncSession,
    *,
    hotspot_id: int,
    scope: StaffScope,
    actor: Actor,
    now: dt.datetime,
    tz: dt.tzinfo,
) -> tuple[Topic, bool]:
    """The topic made from the hotspot, and whether it was made now.

    A hotspot becomes one topic: a second request returns the first topic unchanged. The
    topic (source HOTSPOT) links the hotspot, each of its cases and each hotline record.
    """
    hotspot = await get_hotspot(session, hotspot_id=hotspot_id, scope=scope)
    existing = await topic_of_hotspot(session, hotspot_id=hotspot_id)
    if existing is not None:
        return existing, False
    category = (
        await session.get(IssueCategory, hotspot.category_id) if hotspot.category_id else None
    )
    month = await month_of_hotspot(session, hotspot)
    what = "、".join(hotspot.top_words.split()[:3])
    title = f"{hotspot.place}：{what}" if what else hotspot.place
    if category is not None:
        title = f"{category.name_zh}｜{title}"
    lines = [
        _("Hotspot of {month}: {size} reports ({last} the month before)").format(
            month=month, size=hotspot.size, last=hotspot.size_last_month
        )
    ]
    lines += [f"· {text}" for text in examples_of(hotspot)]
    members = await session.execute(
        select(col(HotspotMember.kind), col(HotspotMember.ref_id)).where(
            col(HotspotMember.hotspot_id) == hotspot_id
        )
    )
    kinds = {"issue": TopicLinkKind.ISSUE, "hotline": TopicLinkKind.HOTLINE}
    links = [(TopicLinkKind.HOTSPOT, hotspot_id)]
    links += [(kinds[kind], int(ref_id)) for kind, ref_id in members if kind in kinds]
    topic = await create_topic(
        session,
        year=now.astimezone(tz).year,
        title=title[:TITLE_MAX],
        description="\n".join(lines)[:DESCRIPTION_MAX],
        source=TopicSource.HOTSPOT,
        actor=actor,
        now=now,
        links=links,
        station_id=hotspot.station_id,
    )
    return topic, True
