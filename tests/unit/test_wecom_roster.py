"""The roster's optional ``wecom_userid`` column: named once, checked, never someone else's."""

from __future__ import annotations

from sqlalchemy import select

from services.accounts.staff import add_staff
from services.accounts.wecom import set_wecom_userid
from services.members.roster import import_roster
from services.members.roster_files import read_rows
from services.members.rules import RuleBook
from storage.db import Database
from storage.models import AuditEntry, Member, WeComPerson
from tests.support.members import NOW, SAMPLE_ROSTER


def _rows(userids: dict[str, str]) -> list[dict[str, str]]:
    rows = read_rows(SAMPLE_ROSTER)
    for row in rows:
        row["wecom_userid"] = userids.get(row["code"], "")
    return rows


async def _named(db: Database) -> dict[str, str]:
    async with db.session() as session:
        rows = await session.execute(
            select(WeComPerson.userid, Member.code).join(Member, Member.id == WeComPerson.member_id)
        )
        return {code: userid for userid, code in rows.all()}


async def test_the_column_names_userids_and_a_second_import_changes_nothing(db: Database) -> None:
    rules = RuleBook().for_year(NOW.year)
    async with db.session() as session:
        first = await import_roster(
            session, _rows({"M001": "zhang-jh", "M002": "li.wj"}), now=NOW, rules=rules
        )
        again = await import_roster(
            session, _rows({"M001": "zhang-jh", "M002": "li.wj"}), now=NOW, rules=rules
        )
        # An empty cell leaves the userid as it is; a new one replaces the old.
        moved = await import_roster(session, _rows({"M001": "zhangjh"}), now=NOW, rules=rules)
        audited = (
            await session.execute(select(AuditEntry).where(AuditEntry.action == "wecom.userid"))
        ).all()
    assert first.errors == [] and again.errors == [] and moved.errors == []
    assert again.updated == 0 and moved.updated == 1
    assert await _named(db) == {"M001": "zhangjh", "M002": "li.wj"}
    assert len(audited) == 3


async def test_a_bad_or_taken_userid_refuses_its_row(db: Database) -> None:
    rules = RuleBook().for_year(NOW.year)
    async with db.session() as session:
        staff = await add_staff(session, name="王芳", now=NOW)
        await set_wecom_userid(session, userid="wangfang", staff_id=staff.id, now=NOW)
        report = await import_roster(
            session,
            _rows({"M001": "张建华", "M002": "wangfang", "M003": "twice", "M004": "twice"}),
            now=NOW,
            rules=rules,
        )
    errors = dict(report.errors)
    assert "1 to 64 letters" in errors[2]
    assert errors[3] == "wecom_userid 'wangfang' belongs to someone else"
    assert errors[5] == "wecom_userid 'twice' belongs to someone else"
    assert 4 not in errors
    assert await _named(db) == {"M003": "twice"}
