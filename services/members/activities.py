"""Members' liaison activities: log, edit and delete one's own, with every change kept."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.assessment.ledger import check_open, refresh_years
from services.calendar import Quarter, local_today
from services.cases.residents import PhotoRef
from services.errors import DomainError, NotFoundError
from services.members.rules import RuleBook, Rules
from services.members.tallies import refresh_tally
from storage.db import write_transaction
from storage.enums import ActivityAction, ActivitySource
from storage.models import (
    Activity,
    ActivityPairedPerson,
    ActivityPhoto,
    ActivityRevision,
    PairedPerson,
    Sector,
    Station,
)

PEOPLE_MIN = 1
PEOPLE_MAX = 500
SUMMARY_MIN = 10
SUMMARY_MAX = 1000
PLACE_MAX = 100
MAX_PHOTOS = 5


@dataclass(frozen=True)
class ActivityInput:
    """What a member entered for one activity."""

    kind: str
    occurred_on: dt.date
    sector_id: int
    people_count: int
    summary: str
    place: str = ""
    station_id: int | None = None
    photos: Sequence[PhotoRef] = ()
    paired_person_ids: Sequence[int] = ()
    channel: str = "telegram"


def earliest_date(today: dt.date) -> dt.date:
    """The oldest date an activity may carry: the first day of the previous quarter."""
    return Quarter.of(today).previous().start


def check_date(day: dt.date, today: dt.date) -> dt.date:
    """Refuse dates in the future or before the previous quarter."""
    if day > today:
        raise DomainError("date_future")
    if day < earliest_date(today):
        raise DomainError("date_too_old", earliest=earliest_date(today))
    return day


def check_people(count: int) -> int:
    """Refuse counts outside 1 to 500."""
    if not PEOPLE_MIN <= count <= PEOPLE_MAX:
        raise DomainError("people_range", minimum=PEOPLE_MIN, maximum=PEOPLE_MAX)
    return count


def check_summary(text: str) -> str:
    """The trimmed summary, or a refusal when it is too short or too long."""
    cleaned = text.strip()
    if len(cleaned) < SUMMARY_MIN:
        raise DomainError("summary_too_short", length=len(cleaned), minimum=SUMMARY_MIN)
    if len(cleaned) > SUMMARY_MAX:
        raise DomainError("summary_too_long", length=len(cleaned), maximum=SUMMARY_MAX)
    return cleaned


def check_place(text: str) -> str:
    """The trimmed place name, or a refusal when it is too long."""
    cleaned = " ".join(text.split())
    if len(cleaned) > PLACE_MAX:
        raise DomainError("place_too_long", length=len(cleaned), maximum=PLACE_MAX)
    return cleaned


def can_change(activity: Activity, rules: Rules, now: dt.datetime) -> bool:
    """Whether the edit window of an entry is still open."""
    return now - activity.created_at <= dt.timedelta(days=rules.edit_window_days)


async def _checked(
    session: AsyncSession,
    *,
    member_id: int,
    data: ActivityInput,
    rules: Rules,
    today: dt.date,
    date_is_new: bool = True,
) -> ActivityInput:
    if rules.kind(data.kind) is None:
        raise DomainError("kind_unknown")
    if date_is_new:
        check_date(data.occurred_on, today)
    check_people(data.people_count)
    summary = check_summary(data.summary)
    place = check_place(data.place)
    if len(data.photos) > MAX_PHOTOS:
        raise DomainError("too_many_photos", maximum=MAX_PHOTOS)
    if await session.get(Sector, data.sector_id) is None:
        raise DomainError("sector_unknown")
    if data.station_id is not None and await session.get(Station, data.station_id) is None:
        raise DomainError("station_unknown")
    paired = set(data.paired_person_ids)
    if paired:
        own = set(
            (
                await session.execute(
                    select(col(PairedPerson.id)).where(col(PairedPerson.member_id) == member_id)
                )
            ).scalars()
        )
        if not paired <= own:
            raise DomainError("paired_unknown")
    return ActivityInput(
        **{**asdict(data), "summary": summary, "place": place, "photos": tuple(data.photos)}
    )


def _snapshot(activity: Activity, data: ActivityInput) -> str:
    return json.dumps(
        {
            "kind": activity.kind,
            "occurred_on": activity.occurred_on.isoformat(),
            "sector_id": activity.sector_id,
            "people_count": activity.people_count,
            "place": activity.place,
            "station_id": activity.station_id,
            "summary": activity.summary,
            "photos": [photo.file_id for photo in data.photos],
            "paired_person_ids": sorted(data.paired_person_ids),
        },
        ensure_ascii=False,
    )


async def _replace_children(session: AsyncSession, activity_id: int, data: ActivityInput) -> None:
    await session.execute(
        delete(ActivityPhoto).where(col(ActivityPhoto.activity_id) == activity_id)
    )
    await session.execute(
        delete(ActivityPairedPerson).where(col(ActivityPairedPerson.activity_id) == activity_id)
    )
    session.add_all(
        ActivityPhoto(
            activity_id=activity_id,
            position=position,
            channel=data.channel,
            file_id=photo.file_id,
            file_unique_id=photo.file_unique_id,
        )
        for position, photo in enumerate(data.photos)
    )
    session.add_all(
        ActivityPairedPerson(activity_id=activity_id, paired_person_id=person_id)
        for person_id in dict.fromkeys(data.paired_person_ids)
    )
    await session.flush()


async def log_activity(
    session: AsyncSession,
    *,
    member_id: int,
    data: ActivityInput,
    rulebook: RuleBook,
    now: dt.datetime,
    tz: dt.tzinfo,
) -> Activity:
    """Store a new activity of the member, its history's first line and its quarter's tally."""
    rules = rulebook.for_year(data.occurred_on.year)
    data = await _checked(
        session, member_id=member_id, data=data, rules=rules, today=local_today(now, tz)
    )
    async with write_transaction(session):
        # A closed assessment year is the record: nothing may be added under it.
        await check_open(session, years=[data.occurred_on.year])
        activity = Activity(
            member_id=member_id,
            kind=data.kind,
            occurred_on=data.occurred_on,
            sector_id=data.sector_id,
            people_count=data.people_count,
            place=data.place,
            station_id=data.station_id,
            summary=data.summary,
            channel=data.channel,
            created_at=now,
            updated_at=now,
        )
        session.add(activity)
        await session.flush()
        assert activity.id is not None
        await _replace_children(session, activity.id, data)
        session.add(
            ActivityRevision(
                activity_id=activity.id,
                at=now,
                action=ActivityAction.CREATED,
                snapshot=_snapshot(activity, data),
            )
        )
        await refresh_tally(
            session, member_id=member_id, quarter=Quarter.of(data.occurred_on), rules=rules
        )
        await refresh_years(
            session,
            source_kind="activity",
            source_id=activity.id,
            years=[data.occurred_on.year],
            rulebook=rulebook,
            tz=tz,
            now=now,
        )
    return activity


async def _own_activity(session: AsyncSession, member_id: int, activity_id: int) -> Activity:
    activity = await session.get(Activity, activity_id)
    if activity is None or activity.member_id != member_id or activity.deleted_at is not None:
        raise NotFoundError("activity")
    if activity.source != ActivitySource.MEMBER:
        # The office recorded it (an accepted report): only the office may change it.
        raise DomainError("recorded_by_office")
    return activity


async def edit_activity(
    session: AsyncSession,
    *,
    member_id: int,
    activity_id: int,
    data: ActivityInput,
    rulebook: RuleBook,
    now: dt.datetime,
    tz: dt.tzinfo,
) -> Activity:
    """Change one's own activity within the edit window; the change goes into its history."""
    activity = await _own_activity(session, member_id, activity_id)
    old_quarter = Quarter.of(activity.occurred_on)
    rules = rulebook.for_year(data.occurred_on.year)
    if not can_change(activity, rules, now):
        raise DomainError("edit_window_closed", days=rules.edit_window_days)
    data = await _checked(
        session,
        member_id=member_id,
        data=data,
        rules=rules,
        today=local_today(now, tz),
        date_is_new=data.occurred_on != activity.occurred_on,
    )
    async with write_transaction(session):
        activity = await _own_activity(session, member_id, activity_id)
        years = {activity.occurred_on.year, data.occurred_on.year}
        await check_open(session, years=years)
        activity.kind = data.kind
        activity.occurred_on = data.occurred_on
        activity.sector_id = data.sector_id
        activity.people_count = data.people_count
        activity.place = data.place
        activity.station_id = data.station_id
        activity.summary = data.summary
        activity.updated_at = now
        await session.flush()
        await _replace_children(session, activity_id, data)
        session.add(
            ActivityRevision(
                activity_id=activity_id,
                at=now,
                action=ActivityAction.EDITED,
                snapshot=_snapshot(activity, data),
            )
        )
        for quarter in {old_quarter, Quarter.of(data.occurred_on)}:
            await refresh_tally(
                session,
                member_id=member_id,
                quarter=quarter,
                rules=rulebook.for_year(quarter.year),
            )
        await refresh_years(
            session,
            source_kind="activity",
            source_id=activity_id,
            years=years,
            rulebook=rulebook,
            tz=tz,
            now=now,
        )
    return activity


async def delete_activity(
    session: AsyncSession,
    *,
    member_id: int,
    activity_id: int,
    rulebook: RuleBook,
    now: dt.datetime,
    tz: dt.tzinfo | None = None,
) -> None:
    """Delete one's own activity within the edit window; it stays in the history.

    ``tz`` dates the member's months of service in the assessment (UTC when left out).
    """
    activity = await _own_activity(session, member_id, activity_id)
    rules = rulebook.for_year(activity.occurred_on.year)
    if not can_change(activity, rules, now):
        raise DomainError("edit_window_closed", days=rules.edit_window_days)
    async with write_transaction(session):
        activity = await _own_activity(session, member_id, activity_id)
        await check_open(session, years=[activity.occurred_on.year])
        activity.deleted_at = now
        activity.updated_at = now
        session.add(
            ActivityRevision(
                activity_id=activity_id, at=now, action=ActivityAction.DELETED, snapshot="{}"
            )
        )
        await session.flush()
        await refresh_tally(
            session, member_id=member_id, quarter=Quarter.of(activity.occurred_on), rules=rules
        )
        await refresh_years(
            session,
            source_kind="activity",
            source_id=activity_id,
            years=[activity.occurred_on.year],
            rulebook=rulebook,
            tz=tz,
            now=now,
        )
