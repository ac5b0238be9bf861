"""🏆 Assessment standings → ⚙ The year's steps: close, recommend, decide, publish, reopen.

The whole walk in the chat with the published notices in the outbox; a forged member id; a
close card drawn before the year was closed elsewhere; station staff refused; reopening.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, update
from sqlmodel import col

from handlers.staff import year_steps
from services.assessment.publication import close_year
from services.audit import Actor
from services.errors import DomainError
from services.reference.catalog import display_name
from storage.db import Database, write_transaction
from storage.enums import StaffRole
from storage.models import Sector, SpecialCommittee, Staff
from tests.dialog.test_year_reports import alerts
from tests.support.assessment_ledger import BOOK, TZ, YEAR
from tests.support.chat import ChatUser, forged
from tests.support.members import NOW
from tests.support.notices import outbox
from tests.unit.test_assessment_publication import seed_totals


async def open_steps(office: ChatUser) -> list[Any]:
    await office.send("📈 Reports")
    await office.press(office.button("Assessment standings"))
    return await office.press(office.button("The year's steps"))


async def closed_elsewhere(db: Database) -> None:
    async with db.session() as session:
        await close_year(
            session, year=YEAR, rules=BOOK.for_year(YEAR), actor=Actor.cli(), now=NOW, tz=TZ
        )


async def test_the_whole_walk(
    roster: Database, office: ChatUser, member: ChatUser, second_member: ChatUser
) -> None:
    ids = await seed_totals(roster)
    async with roster.session() as session:
        committee = (await session.execute(select(SpecialCommittee))).scalars().first()
        cndca = (
            await session.execute(select(Sector).where(col(Sector.code) == "cndca"))
        ).scalar_one()
        assert committee is not None
        committee_name, sector_name = committee.name_en, display_name(cndca, "en")
    card = office.texts(await open_steps(office))[-1]
    assert f"The year's steps · {YEAR}" in card and "The year is open" in card
    labels = " ".join(text for text, _data in office.inline_buttons())
    assert "Close the year" in labels and "Publish" not in labels and "Decide" not in labels
    # close: the card says what closing does, then the year is closed
    sent = await office.press(office.button("Close the year"))
    assert "Closing freezes the standings" in office.texts(sent)[-1]
    sent = await office.press(office.button("Close the year"))
    assert alerts(sent) == [f"{YEAR} is closed: its standings are frozen."]
    assert "The year is closed. Pool:" in office.texts(sent)[-1]
    # recommend: a committee, then its members ticked from the pool
    await office.press(office.button("Recommend"))
    sent = await office.press(forged(office, "committee:999"))
    assert alerts(sent) == ["This button is not valid."]
    await office.press(office.button(committee_name))
    await office.press(office.button("M002"))
    sent = await office.press(office.button("M003"))
    assert "(2 ticked)" in office.texts(sent)[-1]
    sent = await office.press(forged(office, f"rec_m:{ids['M007']}"))
    assert alerts(sent) == ["This button is not valid."]
    sent = await office.press(office.button("Save the recommendation"))
    assert alerts(sent) == ["The recommendation is recorded: 2 members."]
    assert "Recommended by the committees: 2." in office.texts(sent)[-1]
    # decide: the recommended are marked; a member outside the pool is refused
    await office.press(office.button("Decide"))
    labels = " ".join(text for text, _data in office.inline_buttons())
    assert "☐ ⭐ M002" in labels and "☐ ⭐ M003" in labels and "☐ M001" in labels
    sent = await office.press(forged(office, f"dec_m:{ids['M007']}"))
    assert alerts(sent) == ["This button is not valid."]
    sent = await office.press(forged(office, "dec_s:x1"))
    assert alerts(sent) == ["This button is not valid."]
    await office.press(office.button("M001"))
    await office.press(office.button("M002"))
    sent = await office.press(office.button(sector_name))
    assert "2 members, 1 sectors" in office.texts(sent)[-1]
    sent = await office.press(office.button("Save the decision"))
    assert alerts(sent) == ["The decision is recorded: 2 members and 1 sectors excellent."]
    # publish: the card says what publishing does; the notices are queued
    sent = await office.press(office.button("Publish"))
    assert "every linked member" in office.texts(sent)[-1]
    sent = await office.press(office.button("Publish"))
    assert alerts(sent) == [f"{YEAR} is published: 4 notices are on their way."]
    assert "The year is published" in office.texts(sent)[-1]
    rows = await outbox(roster)
    assert sorted({r.kind for r in rows}) == ["assessment-own-line", "assessment-published"]
    # M001 and M002 are linked: the lists and their own line each.
    assert len(rows) == 4
    assert [text for text, _data in office.inline_buttons() if "Publish" in text] == []


async def test_a_stale_close_card_is_refused(roster: Database, office: ChatUser) -> None:
    await seed_totals(roster)
    await open_steps(office)
    await office.press(office.button("Close the year"))
    confirm = office.button("Close the year")
    await closed_elsewhere(roster)
    sent = await office.press(confirm)
    assert alerts(sent) == ["This card is out of date: the year has changed."]
    assert "The year is closed. Pool:" in office.texts(sent)[-1]
    # a button the redrawn card no longer offers is refused too
    sent = await office.press(forged(office, "close"))
    assert alerts(sent) == ["This button is not valid."]


async def test_reopen(roster: Database, office: ChatUser) -> None:
    await seed_totals(roster)
    await closed_elsewhere(roster)
    await open_steps(office)
    sent = await office.press(office.button("Reopen"))
    assert "Reopening drops the frozen results" in office.texts(sent)[-1]
    sent = await office.press(office.button("Reopen"))
    assert alerts(sent) == [f"{YEAR} is open again."]
    assert "The year is open" in office.texts(sent)[-1]


async def test_station_staff_are_refused(roster: Database, office: ChatUser) -> None:
    await seed_totals(roster)
    await open_steps(office)
    close = office.button("Close the year")
    async with roster.session() as session, write_transaction(session):
        await session.execute(update(Staff).values(role=StaffRole.STATION))
    sent = await office.press(close)
    assert alerts(sent) == ["Members' figures are for the committee office's administrators."]
    async with roster.session() as session:
        assert (await session.execute(select(SpecialCommittee))).first() is not None
    rows = await outbox(roster)
    assert rows == []


async def test_the_year_before(roster: Database, office: ChatUser) -> None:
    await seed_totals(roster)
    await open_steps(office)
    sent = await office.press(office.button(f"The year {YEAR - 1}"))
    assert f"The year's steps · {YEAR - 1}" in office.texts(sent)[-1]
    await office.press(office.button("Close the year"))
    sent = await office.press(office.button("Close the year"))
    assert alerts(sent) == [f"{YEAR - 1} is closed: its standings are frozen."]
    assert "The year is closed" in office.texts(sent)[-1]
    sent = await office.press(office.button(f"The year {YEAR}"))
    assert f"The year's steps · {YEAR}" in office.texts(sent)[-1]
    assert "The year is open" in office.texts(sent)[-1]


async def test_a_refusal_is_said_in_words(
    roster: Database, office: ChatUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def refused(*_args: Any, **kwargs: Any) -> None:
        raise DomainError("year_future", year=kwargs["year"])

    await seed_totals(roster)
    monkeypatch.setattr(year_steps, "close_year", refused)
    await open_steps(office)
    await office.press(office.button("Close the year"))
    sent = await office.press(office.button("Close the year"))
    assert alerts(sent) == [f"{YEAR} has not begun: only a year under way or past can be closed."]
    assert "The year is open" in office.texts(sent)[-1]
