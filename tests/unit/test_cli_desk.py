"""The desk's command line: ``liaison staff``, ``departments``, ``audit``, ``meetings``, ``outbox``.

Every command runs through typer's CliRunner against a SQLite file named by
``LIAISON_DATABASE_URL``; the tests then read the database back to check what really changed.
The commands use the system clock, so times here are relative to now, not the tests' START.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from typer.testing import CliRunner, Result

from bot.cli import app
from services.accounts.identities import touch_identity
from services.accounts.invites import VALID_FOR, hash_code, issue_invite, redeem_invite
from services.audit import Actor, audit
from services.outbox.queue import Delivery, OutboxState, Outgoing, Recipient, claim, enqueue, record
from storage.db import Database, write_transaction
from storage.models import (
    AuditEntry,
    Department,
    InviteCode,
    Meeting,
    MeetingInvitee,
    Member,
    OutboxMessage,
    Staff,
    StaffBinding,
    StaffStation,
    Station,
)
from tests.conftest import START
from tests.support.members import SAMPLE_ROSTER

T = TypeVar("T")
TZ = ZoneInfo("Asia/Shanghai")
CODE = re.compile(r"Code: ([A-Z0-9]{12})\b")


# --- fixtures and helpers ---------------------------------------------------------------------


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LIAISON_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("LIAISON_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("LIAISON_DEFAULT_LOCALE", "en")
    # --since is a local date: pin the zone so the boundary below is where the test says.
    monkeypatch.setenv("LIAISON_TIMEZONE", "Asia/Shanghai")
    # Without a token no command asks Telegram for the bot's name.
    monkeypatch.delenv("LIAISON_TELEGRAM_TOKEN", raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    return tmp_path


@pytest.fixture
def cli(env: Path) -> Callable[..., Result]:
    """Run ``liaison ARGS`` on a seeded database."""
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(app, list(args))

    seeded = invoke("db", "seed")
    assert seeded.exit_code == 0, seeded.output
    return invoke


def on_db(env: Path, action: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run one async action on the CLI's database, from a synchronous test."""

    async def go() -> T:
        db = Database(f"sqlite+aiosqlite:///{env / 'cli.db'}")
        try:
            async with db.session() as session:
                return await action(session)
        finally:
            await db.dispose()

    return asyncio.run(go())


def rows(env: Path, stmt: Any) -> list[Any]:
    async def go(session: AsyncSession) -> list[Any]:
        return list((await session.execute(stmt)).scalars())

    return on_db(env, go)


def invite_code(output: str) -> str:
    match = CODE.search(output)
    assert match, f"no invitation code in {output!r}"
    return match.group(1)


def link_chat(env: Path, chat_id: int, **owner: int) -> None:
    """Link a Telegram chat the way a person does: redeem an invitation for the owner."""
    now = START

    async def go(session: AsyncSession) -> None:
        issued = await issue_invite(session, now=now, **owner)
        identity = await touch_identity(
            session, channel="telegram", chat_id=chat_id, chat_type="private", now=now
        )
        await redeem_invite(session, identity=identity, code=issued.code, now=now)

    on_db(env, go)


def member_id(env: Path, code: str) -> int:
    [member] = rows(env, select(Member).where(Member.code == code))
    assert member.id is not None
    return int(member.id)


def local(days: int, time: str) -> str:
    """A local ISO moment ``days`` from today, as ``meetings add`` takes it."""
    day = START.astimezone(TZ).date() + dt.timedelta(days=days)
    return f"{day.isoformat()}T{time}"


# --- liaison staff ----------------------------------------------------------------------------


def test_staff_add_an_administrator_prints_an_invitation_stored_hashed(
    cli: Callable[..., Result], env: Path
) -> None:
    result = cli("staff", "add", "王芳", "--base-url", "https://chat.example.org/")
    assert result.exit_code == 0, result.output
    assert "Staff #1 王芳 (administrator) added." in result.output
    code = invite_code(result.output)
    assert f"Link: https://chat.example.org/?start=inv-{code}" in result.output
    [staff] = rows(env, select(Staff))
    assert (staff.name, staff.role, staff.active) == ("王芳", "admin", True)
    assert rows(env, select(StaffStation)) == []
    [invite] = rows(env, select(InviteCode))
    assert invite.staff_id == staff.id and invite.member_id is None
    # Only the hash is kept: whoever reads the database cannot link a chat with it.
    assert invite.code_hash == hash_code(code) and code not in invite.code_hash
    assert invite.expires_at - invite.created_at == VALID_FOR
    [entry] = rows(env, select(AuditEntry).where(AuditEntry.action == "staff.add"))
    assert entry.actor_kind == "cli" and entry.object_id == str(staff.id)


def test_staff_add_station_staff_with_their_stations(cli: Callable[..., Result], env: Path) -> None:
    result = cli(
        "staff", "add", "李站", "--role", "station", "--station", "jf-beian",
        "--station", "jf-yuehai", "--username", "liaison_bot",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "(station staff) added." in result.output
    assert f"https://t.me/liaison_bot?start=inv-{invite_code(result.output)}" in result.output
    [staff] = rows(env, select(Staff))
    assert staff.role == "station"
    looked_after = rows(
        env,
        select(Station.code)
        .join(StaffStation, StaffStation.station_id == Station.id)
        .where(StaffStation.staff_id == staff.id),
    )
    assert sorted(looked_after) == ["jf-beian", "jf-yuehai"]


def test_staff_add_links_a_telegram_chat_without_an_invitation(
    cli: Callable[..., Result], env: Path
) -> None:
    result = cli("staff", "add", "王芳", "--telegram", "555")
    assert result.exit_code == 0, result.output
    assert "Linked to Telegram chat 555." in result.output and "code:" not in result.output
    [binding] = rows(env, select(StaffBinding))
    assert binding.channel == "telegram"
    assert rows(env, select(InviteCode)) == []


def test_staff_add_refuses_an_unknown_station_clearly(
    cli: Callable[..., Result], env: Path
) -> None:
    result = cli("staff", "add", "错站", "--role", "station", "--station", "nowhere")
    # A clear refusal naming the code, not a traceback.
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 1
    assert "Not added: no station has the code 'nowhere'." in result.output
    assert rows(env, select(Staff)) == []


def test_staff_add_refuses_station_staff_without_a_station_and_unknown_roles(
    cli: Callable[..., Result], env: Path
) -> None:
    result = cli("staff", "add", "李站", "--role", "station")
    assert (
        result.exit_code == 1
        and "Not added: station staff need at least one --station." in result.output
    )
    result = cli("staff", "add", "李站", "--role", "boss")
    assert (
        result.exit_code == 1 and "Not added: the role must be admin or station." in result.output
    )
    result = cli("staff", "add", "x" * 61)
    assert result.exit_code == 1 and "Not added: the name is empty or too long." in result.output
    assert rows(env, select(Staff)) == []
    assert rows(env, select(AuditEntry).where(AuditEntry.action == "staff.add")) == []


def test_staff_invite_replaces_the_unused_invitation(cli: Callable[..., Result], env: Path) -> None:
    first = invite_code(cli("staff", "add", "王芳").output)
    result = cli("staff", "invite", "1", "--base-url", "https://chat.example.org")
    assert result.exit_code == 0, result.output
    second = invite_code(result.output)
    assert second != first
    assert f"https://chat.example.org/?start=inv-{second}" in result.output
    assert "valid 7 days, one use" in result.output
    # The earlier code stops working: only the new one's hash is left.
    assert rows(env, select(InviteCode.code_hash)) == [hash_code(second)]
    [invite] = rows(env, select(InviteCode))
    assert invite.staff_id == 1 and invite.issued_by == "cli"


def test_staff_invite_refuses_unknown_and_malformed_ids(
    cli: Callable[..., Result], env: Path
) -> None:
    result = cli("staff", "invite", "99")
    assert result.exit_code == 1 and "No invitation: there is no staff member #99." in result.output
    assert cli("staff", "invite", "abc").exit_code == 2
    assert rows(env, select(InviteCode)) == []


# --- liaison departments ----------------------------------------------------------------------

DEPARTMENTS = (
    "code,name_zh,name_en,active\n"
    "water,市水务局,Water Affairs Bureau,yes\n"
    ",无编码单位,No code,yes\n"
    "parks,市园林局,Parks Bureau,maybe\n"
    "housing,市住房和城乡建设局,Housing Bureau,\n"
    "archive,市档案馆,Archives,no\n"
)


def departments(env: Path) -> dict[str, tuple[str, str, bool, dt.datetime]]:
    found = rows(env, select(Department))
    return {d.code: (d.name_zh, d.name_en, d.active, d.updated_at) for d in found}


def test_departments_import_reports_bad_rows_and_imports_the_rest(
    cli: Callable[..., Result], env: Path
) -> None:
    seeded = departments(env)
    assert len(seeded) == 8 and "housing" in seeded
    path = env / "departments.csv"
    path.write_text(DEPARTMENTS, encoding="utf-8")
    result = cli("departments", "import", str(path))
    assert result.exit_code == 1
    assert "2 created, 1 updated, 0 unchanged, 2 refused" in result.output
    assert "row 3: code missing" in result.output
    assert "row 4: active must be yes or no, not 'maybe'" in result.output
    after = departments(env)
    assert set(after) == set(seeded) | {"water", "archive"}
    assert after["water"][:3] == ("市水务局", "Water Affairs Bureau", True)
    assert after["archive"][2] is False
    assert after["housing"][1] == "Housing Bureau"  # the seeded English name was replaced
    [entry] = rows(env, select(AuditEntry).where(AuditEntry.action == "departments.import"))
    assert entry.object_id == "departments.csv" and '"created": 2' in (entry.after or "")

    again = cli("departments", "import", str(path))
    assert "0 created, 0 updated, 3 unchanged, 2 refused" in again.output
    assert departments(env) == after  # not even updated_at moved


def test_departments_import_of_a_clean_file_succeeds_and_other_files_are_refused(
    cli: Callable[..., Result], env: Path
) -> None:
    path = env / "clean.csv"
    path.write_text("code,name_zh,name_en,active\nwater,市水务局,Water,yes\n", encoding="utf-8")
    result = cli("departments", "import", str(path))
    assert result.exit_code == 0 and "1 created, 0 updated, 0 unchanged, 0 refused" in result.output
    wrong = env / "departments.txt"
    wrong.write_text("code\nx\n")
    result = cli("departments", "import", str(wrong))
    assert result.exit_code == 2 and "use a .csv or .xlsx file" in result.output
    assert cli("departments", "import", str(env / "missing.csv")).exit_code == 2
    assert len(departments(env)) == 9


def test_departments_list_shows_state_and_linked_chats(
    cli: Callable[..., Result], env: Path
) -> None:
    path = env / "departments.csv"
    path.write_text("code,name_zh,name_en,active\narchive,市档案馆,Archives,no\n")
    cli("departments", "import", str(path))
    [housing] = rows(env, select(Department.id).where(Department.code == "housing"))
    link_chat(env, 4401, department_id=housing)
    link_chat(env, 4402, department_id=housing)
    result = cli("departments", "list")
    assert result.exit_code == 0, result.output
    header, *body = result.output.splitlines()
    assert header.split() == ["Code", "Name"]
    lines = {line.split()[0]: line for line in body}
    assert len(lines) == 9
    assert "Housing and Urban-Rural Development Bureau  (active, 2 chats)" in lines["housing"]
    assert "Archives  (inactive, 0 chats)" in lines["archive"]
    assert "(active, 0 chats)" in lines["health"]


def test_departments_invite_prints_a_code_kept_hashed(
    cli: Callable[..., Result], env: Path
) -> None:
    first = cli("departments", "invite", "housing", "--base-url", "https://chat.example.org")
    assert first.exit_code == 0, first.output
    code = invite_code(first.output)
    assert f"https://chat.example.org/?start=inv-{code}" in first.output
    # A department may hand out several codes, one per handler: the first stays valid.
    second = invite_code(cli("departments", "invite", "housing").output)
    [housing] = rows(env, select(Department.id).where(Department.code == "housing"))
    hashes = rows(env, select(InviteCode.code_hash).where(InviteCode.department_id == housing))
    assert sorted(hashes) == sorted([hash_code(code), hash_code(second)])
    entries = rows(env, select(AuditEntry).where(AuditEntry.action == "invite.issue"))
    assert [(e.object_kind, e.object_id) for e in entries] == [("department", "housing")] * 2


def test_departments_invite_refuses_unknown_and_inactive_departments(
    cli: Callable[..., Result], env: Path
) -> None:
    result = cli("departments", "invite", "nowhere")
    assert (
        result.exit_code == 1
        and "No invitation: no active department has the code 'nowhere'." in result.output
    )
    path = env / "departments.csv"
    path.write_text("code,name_zh,name_en,active\narchive,市档案馆,Archives,no\n")
    cli("departments", "import", str(path))
    result = cli("departments", "invite", "archive")
    assert result.exit_code == 1 and "no active department has the code" in result.output
    assert rows(env, select(InviteCode)) == []


# --- liaison audit ----------------------------------------------------------------------------


def write_entries(env: Path, staff_id: int) -> None:
    """Staff actions at known local times around 2020-11-01 00:00 in Shanghai."""
    staff = Actor.staff(Staff(id=staff_id, name="王芳", role="admin", created_at=START))
    other = Actor("staff", staff_id + 1, "李站")
    entries: list[tuple[Actor, str, str, dict[str, str] | None, dt.datetime]] = [
        (staff, "issue.assign", "2020-000123", None, dt.datetime(2020, 10, 31, 23, 30)),
        (staff, "issue.accept", "2020-000123", {"status": "new"}, dt.datetime(2020, 11, 1, 0, 30)),
        (other, "issue.assign", "2020-000456", None, dt.datetime(2020, 11, 2, 9, 0)),
    ]

    async def go(session: AsyncSession) -> None:
        async with write_transaction(session):
            for actor, action, case, before, at in entries:
                audit(
                    session,
                    actor=actor,
                    action=action,
                    object_kind="issue",
                    object_id=case,
                    before=before,
                    after={"status": "accepted"} if before else None,
                    now=at.replace(tzinfo=TZ),
                )

    on_db(env, go)


def entries(output: str) -> list[list[str]]:
    """The audit table's rows as cells, under its header row."""
    header, *rows = output.splitlines()
    assert header.split() == ["When", "Who", "Action", "Object", "Before", "After"]
    return [re.split(r" {2,}", row.strip()) for row in rows]


def test_audit_lists_newest_first_with_every_filter(cli: Callable[..., Result], env: Path) -> None:
    assert cli("audit").output.strip() == "No entries."
    cli("staff", "add", "王芳")
    cli("staff", "add", "李站", "--role", "station", "--station", "jf-beian")
    write_entries(env, staff_id=1)

    every = entries(cli("audit").output)
    # The CLI's own entries (staff.add and whatever else it records) happened now, so they
    # come before the staff entries of 2020, which follow newest first.
    *recent, later, early, late = every
    assert any(line[1:4] == ["cli:- cli", "staff.add", "staff:2"] for line in recent)
    assert not any(line[0].startswith("2020-") for line in recent)
    assert [line[2] for line in (later, early, late)] == [
        "issue.assign", "issue.accept", "issue.assign",
    ]  # fmt: skip
    assert early[:4] == ["2020-11-01 00:30:00", "staff:1 王芳", "issue.accept", "issue:2020-000123"]
    assert early[4:] == ['{"status": "new"}', '{"status": "accepted"}']
    assert later[1] == "staff:2 李站" and late[0] == "2020-10-31 23:30:00"

    mine = entries(cli("audit", "--staff", "1").output)
    assert [line[2] for line in mine] == ["issue.accept", "issue.assign"]
    assert cli("audit", "--staff", "7").output.strip() == "No entries."

    assigned = entries(cli("audit", "--action", "issue.assign").output)
    assert [line[3] for line in assigned] == ["issue:2020-000456", "issue:2020-000123"]

    case = entries(cli("audit", "--case", "2020-000123").output)
    assert len(case) == 2 and all(line[3] == "issue:2020-000123" for line in case)

    # The date is local: 23:30 on 31 October in Shanghai is before 1 November, 00:30 is not.
    since = entries(cli("audit", "--since", "2020-11-01", "--case", "2020-000123").output)
    assert len(since) == 1 and since[0][2] == "issue.accept"
    assert entries(cli("audit", "--since", "2020-11-01").output) == every[:-1]

    assert entries(cli("audit", "--limit", "2").output) == every[:2]
    both = entries(
        cli("audit", "--staff", "1", "--action", "issue.assign", "--since", "2020-10-01").output
    )
    assert len(both) == 1 and both[0][0] == "2020-10-31 23:30:00"


def test_audit_refuses_bad_option_values(cli: Callable[..., Result]) -> None:
    result = cli("audit", "--since", "2026-13-01")
    assert result.exit_code == 2 and "write the date like 2026-11-01" in result.output
    assert cli("audit", "--limit", "many").exit_code == 2
    assert cli("audit", "--staff", "王芳").exit_code == 2


# --- liaison meetings -------------------------------------------------------------------------


@pytest.fixture
def roster(cli: Callable[..., Result], env: Path) -> dict[str, int]:
    """The sample roster, with M001 (education) and M002 (medicine) linked on Telegram."""
    result = cli("members", "import", str(SAMPLE_ROSTER))
    assert result.exit_code == 0, result.output
    chats = {"M001": 7001, "M002": 7002}
    for code, chat in chats.items():
        link_chat(env, chat, member_id=member_id(env, code))
    return chats


def test_meetings_add_stores_the_meeting_and_queues_invitations(
    cli: Callable[..., Result], env: Path, roster: dict[str, int]
) -> None:
    result = cli(
        "meetings", "add", "--kind", "bimonthly", "--title", "Elderly care",
        "--start", local(7, "14:30"), "--end", local(7, "17:00"), "--venue", "Committee hall",
        "--invite", "all", "--agenda", "Day care centres",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    [meeting] = rows(env, select(Meeting))
    assert f"Meeting #{meeting.id} created; check-in code {meeting.checkin_code}." in result.output
    assert meeting.title == "Elderly care" and meeting.agenda == "Day care centres"
    assert meeting.created_by_staff_id is None
    assert meeting.starts_at.astimezone(TZ).strftime("%H:%M") == "14:30"
    assert meeting.ends_at - meeting.starts_at == dt.timedelta(hours=2, minutes=30)
    assert len(rows(env, select(MeetingInvitee))) == 8
    invitations = rows(env, select(OutboxMessage).where(OutboxMessage.kind == "meeting-invitation"))
    assert sorted(row.chat_id for row in invitations) == [7001, 7002]  # only linked chats
    for row in invitations:
        assert row.state == "pending" and row.expires_at == meeting.starts_at
        assert "Elderly care" in Outgoing.loads(row.payload).text
    [entry] = rows(env, select(AuditEntry).where(AuditEntry.action == "meeting.create"))
    assert entry.actor_kind == "cli" and '"invited": 8' in (entry.after or "")
    listed = cli("meetings", "list").output
    assert "Elderly care" in listed and meeting.checkin_code in listed


def test_meetings_add_with_materials_sends_them_with_every_invitation(
    cli: Callable[..., Result], env: Path, roster: dict[str, int]
) -> None:
    paper = env / "议程.pdf"
    paper.write_bytes(b"%PDF-1.4 agenda")
    result = cli(
        "meetings", "add", "--kind", "plenary", "--title", "Plenary",
        "--start", local(7, "09:00"), "--end", local(7, "12:00"), "--venue", "Hall",
        "--invite", "all", "--materials", str(paper),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    [meeting] = rows(env, select(Meeting))
    assert meeting.materials_name == "议程.pdf" and meeting.materials_file
    sent = rows(env, select(OutboxMessage).where(OutboxMessage.kind == "meeting-materials"))
    assert sorted(row.chat_id for row in sent) == [7001, 7002]
    assert all(Outgoing.loads(row.payload).document == meeting.materials_file for row in sent)
    # Released early in quiet hours with the invitation, as their meeting nears.
    assert all(row.expires_at == meeting.starts_at for row in sent)

    huge = env / "huge.pdf"
    with huge.open("wb") as handle:
        handle.truncate(21 * 1024 * 1024)
    refused = cli(
        "meetings", "add", "--kind", "plenary", "--title", "Plenary again",
        "--start", local(8, "09:00"), "--end", local(8, "12:00"), "--venue", "Hall",
        "--invite", "all", "--materials", str(huge),
    )  # fmt: skip
    assert refused.exit_code == 2 and "larger than 20 MB" in refused.output
    assert len(rows(env, select(Meeting))) == 1


def test_meetings_add_invites_only_the_audience_named(
    cli: Callable[..., Result], env: Path, roster: dict[str, int]
) -> None:
    result = cli(
        "meetings", "add", "--kind", "sector", "--title", "Teachers' workload",
        "--start", local(3, "09:00"), "--end", local(3, "11:00"), "--venue", "Station hall",
        "--invite", "sector:education", "--invite", "member:M003",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    invited = rows(env, select(Member.code).join(MeetingInvitee))
    assert sorted(invited) == ["M001", "M003"]
    invitations = rows(env, select(OutboxMessage))
    assert [row.chat_id for row in invitations] == [7001]  # M003 has no linked chat


@pytest.mark.parametrize(
    ("change", "exit_code", "message"),
    [
        ({"--kind": "banquet"}, 1, "kind_unknown"),
        ({"--start": local(-1, "10:00"), "--end": local(-1, "12:00")}, 1, "starts_in_past"),
        ({"--end": local(7, "13:00")}, 1, "ends_before_start"),
        ({"--invite": "sector:nowhere"}, 1, "audience_unknown"),
        ({"--invite": "bogus"}, 1, "audience_invalid"),
        ({"--invite": "group:nobody-here"}, 1, "audience_nobody"),
        ({"--title": " "}, 1, "title_length"),
        ({"--start": "next Friday"}, 2, "write the time like 2026-12-05T14:30"),
    ],
)
def test_meetings_add_refusals_leave_nothing_behind(
    cli: Callable[..., Result],
    env: Path,
    roster: dict[str, int],
    change: dict[str, str],
    exit_code: int,
    message: str,
) -> None:
    options = {
        "--kind": "bimonthly",
        "--title": "Elderly care",
        "--start": local(7, "14:30"),
        "--end": local(7, "17:00"),
        "--venue": "Committee hall",
        "--invite": "all",
    } | change
    result = cli("meetings", "add", *[part for pair in options.items() for part in pair])
    assert result.exit_code == exit_code, result.output
    assert message in result.output
    assert rows(env, select(Meeting)) == [] and rows(env, select(OutboxMessage)) == []


def test_meetings_add_needs_its_options(cli: Callable[..., Result]) -> None:
    result = cli("meetings", "add", "--kind", "bimonthly", "--title", "x")
    assert result.exit_code == 2 and "Missing option" in result.output


# --- liaison outbox ---------------------------------------------------------------------------


def fill_outbox(env: Path) -> None:
    """Four messages: one sent, one failed, one to a chat that blocked the bot, one pending."""
    now = START

    async def go(session: AsyncSession) -> None:
        for chat, key in ((901, "sent"), (902, "failed"), (903, "blocked"), (904, "pending")):
            identity = await touch_identity(
                session, channel="telegram", chat_id=chat, chat_type="private", now=now
            )
            due = now + dt.timedelta(hours=1) if key == "pending" else now
            await enqueue(
                session,
                to=Recipient.of(identity),
                message=Outgoing(text=key),
                dedupe_key=key,
                now=now,
                due_at=due,
                kind="broadcast" if key == "failed" else "",
            )
        taken = {row.dedupe_key: row for row in await claim(
            session, channel="telegram", now=now, limit=10, quiet=False
        )}  # fmt: skip
        assert sorted(taken) == ["blocked", "failed", "sent"]

        def result(key: str, state: OutboxState, error: str | None = None) -> Delivery:
            row = taken[key]
            assert row.id is not None
            return Delivery(row.id, row.identity_id, state, message_id=1, error=error)

        await record(
            session,
            [
                result("sent", OutboxState.SENT),
                result("failed", OutboxState.FAILED, "Bad Request: message text is empty"),
                result("blocked", OutboxState.BLOCKED, "Forbidden: bot was blocked by the user"),
            ],
            now=now,
        )

    on_db(env, go)


def test_outbox_counts_by_state_and_lists_the_latest_failures(
    cli: Callable[..., Result], env: Path
) -> None:
    result = cli("outbox")
    assert result.exit_code == 0, result.output
    assert "pending: 0  sending: 0  sent: 0  failed: 0  blocked: 0  cancelled: 0" in result.output
    assert "latest failures" not in result.output

    fill_outbox(env)
    result = cli("outbox")
    assert result.exit_code == 0, result.output
    assert "pending: 1  sending: 0  sent: 1  failed: 1  blocked: 1  cancelled: 0" in result.output
    [failed] = rows(env, select(OutboxMessage).where(OutboxMessage.dedupe_key == "failed"))
    [blocked] = rows(env, select(OutboxMessage).where(OutboxMessage.dedupe_key == "blocked"))
    lines = result.output.splitlines()
    start = lines.index("Latest failures:")
    # Newest first; the kind, the chat, the attempts and Telegram's reason are all shown.
    assert lines[start + 1 :] == [
        f"  #{blocked.id} blocked telegram:903 - after 1 attempt(s): "
        "Forbidden: bot was blocked by the user",
        f"  #{failed.id} failed telegram:902 broadcast after 1 attempt(s): "
        "Bad Request: message text is empty",
    ]


def test_outbox_deliver_without_a_token_refuses(cli: Callable[..., Result]) -> None:
    result = cli("outbox", "deliver", "--until-empty")
    assert result.exit_code == 2 and "LIAISON_TELEGRAM_TOKEN is not set" in result.output
