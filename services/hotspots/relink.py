"""Topics made from a month's hotspots follow them when the month is run again.

Running a month again replaces its hotspots with new rows. A topic made from an old hotspot
would otherwise point at a deleted row, and the same problem could be turned into a second
topic. Before the old rows go, :func:`topics_of_run` notes each topic's hotspot reports;
after the new ones are written, :func:`relink_topics` moves each topic's link to the new
hotspot sharing most of those reports (none when nothing is shared: the topic keeps its links
to the cases and hotline records themselves).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.enums import TopicLinkKind
from storage.models import Hotspot, HotspotMember, TopicLink


@dataclass(frozen=True)
class LinkedHotspot:
    """A topic's hotspot of the run being replaced, and the reports it held."""

    topic_id: int
    hotspot_id: int
    reports: frozenset[tuple[str, int]]


async def topics_of_run(session: AsyncSession, *, run_id: int) -> list[LinkedHotspot]:
    """The topics linked to the hotspots of ``run_id``, with each hotspot's reports."""
    links = (
        await session.execute(
            select(col(TopicLink.topic_id), col(TopicLink.ref_id))
            .join(Hotspot, col(Hotspot.id) == col(TopicLink.ref_id))
            .where(col(TopicLink.kind) == TopicLinkKind.HOTSPOT, col(Hotspot.run_id) == run_id)
        )
    ).all()
    found = []
    for topic_id, hotspot_id in links:
        reports = await session.execute(
            select(col(HotspotMember.kind), col(HotspotMember.ref_id)).where(
                col(HotspotMember.hotspot_id) == hotspot_id
            )
        )
        found.append(
            LinkedHotspot(
                topic_id, hotspot_id, frozenset((kind, ref_id) for kind, ref_id in reports)
            )
        )
    return found


async def relink_topics(session: AsyncSession, *, linked: list[LinkedHotspot], run_id: int) -> int:
    """Point each noted topic at the new hotspot of ``run_id`` sharing most of its reports.

    Returns how many topics found a new hotspot; the others lose only their hotspot link.
    """
    moved = 0
    for old in linked:
        shared: Counter[int] = Counter()
        for kind, ref_id in old.reports:
            rows = await session.scalars(
                select(col(HotspotMember.hotspot_id))
                .join(Hotspot, col(Hotspot.id) == col(HotspotMember.hotspot_id))
                .where(
                    col(Hotspot.run_id) == run_id,
                    col(HotspotMember.kind) == kind,
                    col(HotspotMember.ref_id) == ref_id,
                )
            )
            shared.update(rows.all())
        link = (
            col(TopicLink.topic_id) == old.topic_id,
            col(TopicLink.kind) == TopicLinkKind.HOTSPOT,
            col(TopicLink.ref_id) == old.hotspot_id,
        )
        if not shared:
            await session.execute(delete(TopicLink).where(*link))
            continue
        new_id = shared.most_common(1)[0][0]
        taken = await session.scalar(
            select(col(TopicLink.topic_id)).where(
                col(TopicLink.kind) == TopicLinkKind.HOTSPOT,
                col(TopicLink.ref_id) == new_id,
                col(TopicLink.topic_id) != old.topic_id,
            )
        )
        if taken is not None:
            # Ids may be reused by the new rows (SQLite): the topic's own link is not "taken".
            # Two old hotspots merged into one: the first topic keeps it.
            await session.execute(delete(TopicLink).where(*link))
            continue
        await session.execute(update(TopicLink).where(*link).values(ref_id=new_id))
        moved += 1
    return moved
