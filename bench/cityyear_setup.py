"""Setting the committee up as its office does, before and at the start of the year.

Before the workers start: ``liaison db seed`` (stations, sectors, categories, departments),
``liaison members import`` of a generated roster (CSV in the columns the README documents),
``liaison departments import`` of eight district offices, ``liaison staff add`` of the office's
administrator (whose chat is left unlinked: she does not work the queue), then station staff (a
few desks per station) and one invitation per desk, department handler and member. The
invitations are issued with ``services.accounts.invites.issue_invite`` (what ``liaison members
invite``, ``liaison staff invite`` and ``liaison departments invite`` call), in one process:
560 separate commands would spend most of a run starting Python. Staff accounts are created
with ``services.accounts.staff.add_staff`` (what ``liaison staff add --role station`` calls)
for the same reason.

Once the workers run, every person opens their link (``/start inv-<code>``) in their own chat
through the fake Bot API, exactly as they would tap it in Telegram: linking is the app's real
dialog.
"""

from __future__ import annotations

import asyncio
import csv
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlmodel import col

from bench.cityyear_app import run_cli
from bench.cityyear_platform import CityFake, TelegramUser
from bench.cityyear_scenario import ADMIN_CHAT, ADMIN_NAME, EXTRA_DEPARTMENTS, STATIONS, Scenario
from services.accounts.invites import issue_invite
from services.accounts.staff import add_staff
from services.clock import ShiftedClock
from storage.db import Database
from storage.models import Department, Member, Staff, Station

PAIRED = ("王丽（教师）", "刘强（社区居民）", "赵敏（园长）", "孙伟（家长）")
LINKED = re.compile(r"now linked|linked to")


@dataclass
class Invitations:
    """Each chat's one-time invitation payload (``inv-<code>``)."""

    by_chat: dict[int, str] = field(default_factory=dict)


def write_roster(scenario: Scenario, path: Path) -> None:
    """The roster file the office would import."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "code",
                "name",
                "sector",
                "group",
                "stations",
                "status",
                "term",
                *(f"paired_{number}" for number in range(1, 5)),
            ]
        )
        for member in scenario.members:
            writer.writerow(
                [
                    member.code,
                    member.name,
                    member.sector,
                    member.group,
                    member.station,
                    "active",
                    "2023-2028",
                    *PAIRED,
                ]
            )


def operator_commands(scenario: Scenario, env: dict[str, str], work: Path) -> dict[str, str]:
    """``liaison db seed`` (which upgrades first), then ``members import`` and ``staff add``.

    The last two run side by side, as two operators at two terminals would.
    """
    roster, departments = work / "roster.csv", work / "departments.csv"
    write_roster(scenario, roster)
    with departments.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["code", "name_zh", "name_en", "active"])
        for code, name in EXTRA_DEPARTMENTS:
            writer.writerow([code, f"{name[-1]}区办事处", name, "yes"])
    outputs = {"seed": run_cli(["db", "seed"], env, work)}
    with ThreadPoolExecutor(max_workers=3) as pool:
        imported = pool.submit(run_cli, ["members", "import", str(roster)], env, work)
        offices = pool.submit(run_cli, ["departments", "import", str(departments)], env, work)
        added = pool.submit(
            run_cli, ["staff", "add", ADMIN_NAME, "--username", "liaison_test_bot"], env, work
        )
        outputs["members_import"] = imported.result()
        outputs["departments_import"] = offices.result()
        outputs["staff_add"] = added.result().splitlines()[0]
    return {name: text.strip() for name, text in outputs.items()}


async def issue_invitations(
    scenario: Scenario, database_url: str, clock: ShiftedClock
) -> Invitations:
    """Staff accounts and an invitation for every staff, department and member chat."""
    invitations = Invitations()
    db = Database(database_url)
    try:
        async with db.session() as session:
            now = clock.now()
            stations = {
                row.code: row.id for row in (await session.execute(Station.__table__.select()))
            }
            for station, chats in scenario.staff_chats.items():
                code = STATIONS[station][0]
                for desk, chat in enumerate(chats, start=1):
                    added = await add_staff(
                        session,
                        name=f"{code} desk {desk}",
                        role="station",
                        station_ids=[stations[code]],
                        now=now,
                    )
                    assert added.id is not None
                    issued = await issue_invite(session, staff_id=added.id, now=now)
                    invitations.by_chat[chat] = issued.payload
            admin = await session.scalar(select(Staff.id).where(col(Staff.name) == ADMIN_NAME))
            if admin is not None:
                issued = await issue_invite(session, staff_id=admin, now=now)
                invitations.by_chat[ADMIN_CHAT] = issued.payload
            departments = {
                row.code: row.id for row in (await session.execute(Department.__table__.select()))
            }
            for code, chats in scenario.department_chats.items():
                for chat in chats:
                    issued = await issue_invite(session, department_id=departments[code], now=now)
                    invitations.by_chat[chat] = issued.payload
            members = {
                row.code: row.id for row in (await session.execute(Member.__table__.select()))
            }
            for member in scenario.members:
                issued = await issue_invite(session, member_id=members[member.code], now=now)
                invitations.by_chat[member.chat_id] = issued.payload
    finally:
        await db.dispose()
    return invitations


async def link_chats(fake: CityFake, invitations: Invitations, concurrency: int = 32) -> int:
    """Every invited person opens their link; returns how many chats were linked."""
    gate = asyncio.Semaphore(concurrency)

    async def link(chat: int, payload: str) -> bool:
        async with gate:
            person = TelegramUser(fake, chat, first_name="Invited", language_code="en")
            person.send(f"/start {payload}")
            await person.wait_text(LINKED)
            return True

    linked = await asyncio.gather(
        *(link(chat, payload) for chat, payload in invitations.by_chat.items())
    )
    return sum(linked)
