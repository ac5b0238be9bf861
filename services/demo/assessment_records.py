"""The demo's assessment records: extra fictional members, and a year of their work.

Everything is drawn from a seeded ``random.Random``, so the same year always gets the same
records; only dates before ``now`` are used, so a live year never holds the future. The rows
are written directly (meetings, invitations, activities, reports) or through the proposals'
and entries' own writers (audited like the office's work); the caller rebuilds the ledger.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from services.assessment.entries import EntryDraft, insert_entry
from services.audit import Actor
from services.proposals.records import ProposalDraft, save_proposal
from storage.enums import Attendance, MeetingResponse
from storage.models import Activity, ConditionsReport, Meeting, MeetingInvitee

ACTOR = Actor.cli("demo")
# Made-up names: common surnames and given names combined, nobody in particular.
SURNAMES = "孙周吴郑冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华"
GIVEN = ("晓东", "雅琴", "国栋", "丽萍", "振宇", "春梅", "宏伟", "静怡", "建军", "若兰", "子涵")
GROUPS = ("standing", "local", "local", "nonlocal", "hkmo")
SECTORS = ("cdl", "jiusan", "culture", "agriculture", "environment", "union", "economy", "cpc")
COMMITTEES = ("economy", "social-legal", "culture-history", "population-environment")
ACTIVITY_KINDS = (
    "liaison-visit", "liaison-forum", "liaison-survey", "station-duty", "research",
    "training", "sector-activity", "welfare",
)  # fmt: skip
LEVELS = {"M17": ("city", "party", "national"), "M18": ("oral", "written")}
LEVELS |= {"M19": ("report", "article"), "M20": ("adopted", "policy")}


def extra_roster(count: int = 22) -> list[dict[str, str]]:
    """Roster rows for ``count`` fictional members (M101…), the last two in the office."""
    rows = []
    for index in range(count):
        office = index >= count - 2
        rows.append(
            {
                "code": f"M{101 + index}",
                "name": SURNAMES[index % len(SURNAMES)] + GIVEN[index % len(GIVEN)],
                "sector": SECTORS[index % len(SECTORS)],
                "group": "local" if office else GROUPS[index % len(GROUPS)],
                "committee": COMMITTEES[index % len(COMMITTEES)],
                "stations": "",
                "status": "active",
                "term": "2023-2028",
                "office": "yes" if office else "no",
            }
        )
    return rows


@dataclass(frozen=True)
class Roster:
    """Who the demo year is about: members (id → sector id, group) and sectors.

    ``personas`` are the demo's own members, whose activities the demo tour already shows:
    no activities or reports are made up for them, so their quarter stays as the tour tells it.
    """

    members: dict[int, tuple[int, str]]
    sector_ids: list[int]
    personas: frozenset[int] = frozenset()


def _day(rng: random.Random, year: int, last: dt.date) -> dt.date:
    end = min(dt.date(year, 12, 20), last)
    start = dt.date(year, 1, 5)
    return start + dt.timedelta(days=rng.randrange(max(1, (end - start).days)))


async def _meetings(
    session: AsyncSession, rng: random.Random, year: int, roster: Roster, now: dt.datetime
) -> int:
    plan = [("plenary", 3), ("standing", 4), ("standing", 9), ("bimonthly", 5)]
    plan += [("thematic", 7), ("sector", 10), ("talk-it-over", 11)]
    made = 0
    for number, (kind, month) in enumerate(plan, start=1):
        starts = dt.datetime(year, month, 12, 1, 0, tzinfo=dt.UTC)
        if starts + dt.timedelta(days=1) >= now:
            continue
        meeting = Meeting(
            kind=kind,
            title=f"{year}年第{number}次会议",
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=3),
            venue="政协会议中心",
            checkin_code=f"{year % 100:02d}{number:04d}",
            checkin_token=f"demo-assessment-{year}-{number}",
            created_at=starts - dt.timedelta(days=14),
            closed_at=starts + dt.timedelta(days=1),
        )
        session.add(meeting)
        await session.flush()
        for member_id, (_sector, group) in roster.members.items():
            if kind == "standing" and group != "standing":
                continue
            outcome = rng.choices(list(Attendance), weights=(82, 11, 7))[0]
            session.add(
                MeetingInvitee(
                    meeting_id=meeting.id or 0,
                    member_id=member_id,
                    response=MeetingResponse.LEAVE_APPROVED
                    if outcome == Attendance.EXCUSED
                    else MeetingResponse.ATTENDING,
                    responded_at=starts - dt.timedelta(days=3),
                    checked_in_at=starts if outcome == Attendance.ATTENDED else None,
                    attendance=outcome,
                )
            )
        made += 1
    return made


async def seed_year(
    session: AsyncSession, *, year: int, roster: Roster, now: dt.datetime, tz: dt.tzinfo
) -> int:
    """Write one year of records in the caller's transaction; returns how many."""
    rng = random.Random(f"liaison-demo-{year}")  # noqa: S311 - reproducible demo data, no secret
    last = (now - dt.timedelta(days=1)).astimezone(tz).date()
    count = await _meetings(session, rng, year, roster, now)
    ids = sorted(roster.members)
    for member_id in ids:
        sector_id, _group = roster.members[member_id]
        diligence = rng.uniform(0.3, 1.0)
        if member_id in roster.personas:
            continue
        for _ in range(int(14 * diligence)):
            kind = rng.choice(ACTIVITY_KINDS)
            stamp = dt.datetime.combine(_day(rng, year, last), dt.time(2), dt.UTC)
            session.add(
                Activity(
                    member_id=member_id,
                    kind=kind,
                    occurred_on=stamp.date(),
                    sector_id=sector_id,
                    people_count=rng.randint(3, 30),
                    summary="走访群众，听取意见建议",
                    source="member",
                    created_at=stamp,
                    updated_at=stamp,
                )
            )
            count += 1
        for index in range(rng.randrange(3)):
            submitted = dt.datetime.combine(_day(rng, year, last), dt.time(3), dt.UTC)
            session.add(
                ConditionsReport(
                    member_id=member_id,
                    title=f"关于社区养老服务的建议（{index + 1}）",
                    body="群众反映社区养老服务供给不足，建议增设日间照料中心。",
                    # Decided already: the staff's queue of reports stays the tour's.
                    state="accepted",
                    submitted_at=submitted,
                    decided_at=submitted + dt.timedelta(days=7),
                )
            )
            count += 1
    count += await _proposals(session, rng, year, roster, last, now)
    count += await _entries(session, rng, year, roster, last, now)
    return count


async def _proposals(
    session: AsyncSession,
    rng: random.Random,
    year: int,
    roster: Roster,
    last: dt.date,
    now: dt.datetime,
) -> int:
    ids = sorted(roster.members)
    leads = rng.sample(ids, k=len(ids) * 2 // 3)
    drafts = [
        ProposalDraft(
            year=year,
            number=f"{year}-T-{number:04d}",
            title=f"关于优化营商环境的提案（{number}）",
            submitted_on=_day(rng, year, last),
            member_id=lead,
            cosigner_ids=tuple(rng.sample([i for i in ids if i != lead], k=rng.randrange(4))),
            rating=rng.choices(("", "excellent", "key", "excellent_key"), (14, 3, 2, 1))[0],
        )
        for number, lead in enumerate(leads, start=1)
    ]
    drafts += [
        ProposalDraft(
            year=year,
            number=f"{year}-J-{number:04d}",
            title=f"界别提案：关于乡村振兴的建议（{number}）",
            submitted_on=_day(rng, year, last),
            sector_id=sector_id,
            rating="",
        )
        for number, sector_id in enumerate(roster.sector_ids, start=1)
    ]
    for draft in drafts:
        await save_proposal(session, draft, actor=ACTOR, now=now)
    return len(drafts)


async def _entries(
    session: AsyncSession,
    rng: random.Random,
    year: int,
    roster: Roster,
    last: dt.date,
    now: dt.datetime,
) -> int:
    drafts = []
    for member_id in sorted(roster.members):
        for item, levels in LEVELS.items():
            if rng.random() < 0.3:
                drafts.append(
                    EntryDraft(
                        year=year,
                        item_code=item,
                        level=rng.choice(levels),
                        occurred_on=_day(rng, year, last),
                        title="调研报告被市委采用" if item == "M17" else "专题协商会发言",
                        evidence="办公室存档",
                        member_id=member_id,
                    )
                )
    for sector_id in roster.sector_ids:
        drafts.append(
            EntryDraft(
                year=year,
                item_code=rng.choice(("S04", "S05")),
                level="",
                occurred_on=_day(rng, year, last),
                title="界别组织专题视察",
                member_id=None,
                sector_id=sector_id,
            )
        )
    for draft in drafts:
        if draft.item_code == "S04":
            draft = EntryDraft(**{**draft.__dict__, "level": rng.choice(("oral", "written"))})
        await insert_entry(session, draft, actor=ACTOR, channel="import", now=now)
    return len(drafts)
