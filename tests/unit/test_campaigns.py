"""Campaign months: bilingual names, a reminder as each opens, the report of who took part."""

from __future__ import annotations

import datetime as dt
import io
import tomllib
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from pydantic import ValidationError
from sqlalchemy import update
from sqlmodel import col
from typer.testing import CliRunner

from bot.cli import app
from bot.planner import Planner
from services.clock import ManualClock
from services.errors import DomainError
from services.members.activities import ActivityInput, log_activity
from services.members.rules import RULES_DIR, RuleBook, Rules
from services.reports.campaign import campaign_report, campaign_summary, campaign_workbook
from storage.db import Database, write_transaction
from storage.models import Member
from tests.support.members import member_by_code
from tests.support.notices import message_of, outbox
from tests.unit.test_reminders import context, keys

TZ = ZoneInfo("Asia/Shanghai")
BOOK = RuleBook()
RULES = BOOK.for_year(2026)
MAY_MORNING = dt.datetime(2026, 5, 1, 1, 0, tzinfo=dt.UTC)  # 09:00 on 1 May in Shanghai


def raw_rules() -> dict[str, object]:
    with (RULES_DIR / "2026.toml").open("rb") as handle:
        return tomllib.load(handle)


def test_campaigns_are_bilingual_and_the_plain_form_still_reads() -> None:
    may = RULES.campaign_months[5]
    assert (may.name_zh, may.name_en) == ("访界别群众", "Visiting sector group people")
    assert set(RULES.campaign_months) == {5, 9}
    old = raw_rules() | {"campaign_months": {"5": "visit sector groups"}}
    plain = Rules.model_validate(old).campaign_months[5]
    assert plain.name_zh == plain.name_en == "visit sector groups"
    with pytest.raises(ValidationError, match="campaign months must be 1 to 12"):
        Rules.model_validate(raw_rules() | {"campaign_months": {"13": "never"}})


async def test_each_active_linked_member_is_reminded_once_as_the_month_opens(
    roster: Database, tmp_path: Path
) -> None:
    async with roster.session() as session, write_transaction(session):
        await session.execute(
            update(Member).where(col(Member.code) == "M003").values(status="suspended")
        )
    clock = ManualClock(MAY_MORNING - dt.timedelta(minutes=1))
    planner = Planner(context(roster, clock, tmp_path))
    assert await planner.quarter_checks() == 0
    clock.set(MAY_MORNING)
    await planner.quarter_checks()  # the month's pace warnings go out this morning too
    assert len(await outbox(roster, "campaign-open")) == 2  # M001, M002; M003 is suspended
    clock.set(MAY_MORNING + dt.timedelta(days=12))
    assert await planner.quarter_checks() == 0
    m1 = (await member_by_code(roster, "M001")).id
    assert any(key.startswith(f"campaign:2026:5:{m1}:") for key in await keys(roster))
    [first, *_] = await outbox(roster, "campaign-open")
    text = message_of(first).text
    assert "Visiting sector group people" in text and "2026-05-01 – 2026-05-31" in text
    # Dropped if still undelivered when the month is over.
    assert first.expires_at == dt.datetime(2026, 6, 1, tzinfo=TZ)
    clock.set(dt.datetime(2026, 6, 1, 1, 0, tzinfo=dt.UTC))
    await planner.quarter_checks()
    assert len(await outbox(roster, "campaign-open")) == 2


async def test_no_reminder_outside_the_campaign_months(roster: Database, tmp_path: Path) -> None:
    clock = ManualClock(dt.datetime(2026, 6, 2, 1, 0, tzinfo=dt.UTC))
    await Planner(context(roster, clock, tmp_path)).quarter_checks()
    assert await outbox(roster, "campaign-open") == []


async def log_on(db: Database, code: str, day: dt.date, people: int = 5) -> None:
    member = await member_by_code(db, code)
    assert member.id is not None
    async with db.session() as session:
        await log_activity(
            session,
            member_id=member.id,
            data=ActivityInput(
                kind="liaison-visit",
                occurred_on=day,
                sector_id=member.sector_id,
                people_count=people,
                summary="Visited teachers of the district's schools.",
            ),
            rulebook=BOOK,
            now=dt.datetime.combine(day, dt.time(4), tzinfo=dt.UTC),
            tz=TZ,
        )


async def test_the_report_lists_who_took_part(roster: Database) -> None:
    await log_on(roster, "M001", dt.date(2026, 5, 3))
    await log_on(roster, "M001", dt.date(2026, 5, 20), people=7)
    await log_on(roster, "M002", dt.date(2026, 4, 30))  # the month before: not the campaign's
    async with roster.session() as session:
        report = await campaign_report(session, year=2026, month=5, rules=RULES)
        with pytest.raises(DomainError, match="not_a_campaign_month"):
            await campaign_report(session, year=2026, month=6, rules=RULES)
    assert [row.code for row in report.took_part] == ["M001"]
    [m1] = report.took_part
    assert (m1.activities, m1.person_times) == (2, 12)
    assert len(report.missing) == 7
    text = campaign_summary(report, "en", limit=3)
    assert "2026-05 campaign: Visiting sector group people" in text
    assert "1 of 8 active members logged at least one activity this month." in text
    assert "…and 4 more." in text
    book = load_workbook(io.BytesIO(campaign_workbook(report, "en")))
    sheet = book["Campaign"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("Code", "Name", "Sector", "Group", "Took part")
    assert [row[4] for row in rows[1:]].count("yes") == 1


def test_the_campaign_report_from_the_command_line(env: Path) -> None:
    from tests.support.members import SAMPLE_ROSTER

    runner = CliRunner()
    runner.invoke(app, ["db", "seed"])
    imported = runner.invoke(app, ["members", "import", str(SAMPLE_ROSTER)])
    assert imported.exit_code == 0, imported.output
    result = runner.invoke(app, ["report", "campaign", "--year", "2026", "--month", "9"])
    assert result.exit_code == 0, result.output
    assert "2026-09 campaign: Helping people's livelihoods" in result.output
    assert "0 of 8 active members" in result.output
    assert (env / "reports" / "campaign-2026-09.xlsx").exists()
    wrong = runner.invoke(app, ["report", "campaign", "--year", "2026", "--month", "6"])
    assert wrong.exit_code == 2
    assert "not a campaign month" in wrong.output
