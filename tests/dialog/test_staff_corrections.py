"""The administrators' correction queue: decide with a note; stale and forged presses refused."""

from __future__ import annotations

from aiogram.methods import AnswerCallbackQuery

from services.assessment.corrections import request_correction
from services.assessment.scores import member_lines
from storage.db import Database
from tests.support.assessment_ledger import YEAR, entry, rebuild
from tests.support.chat import ChatUser, forged
from tests.support.members import NOW, member_by_code
from tests.support.notices import notifier

STALE = "the request was decided already"


def alerts(sent: list[object]) -> list[str]:
    return [str(r.text) for r in sent if isinstance(r, AnswerCallbackQuery) and r.text]


async def a_request(db: Database) -> None:
    member = await member_by_code(db, "M001")
    await entry(db, "M18", member_id=member.id, level="oral")
    await rebuild(db)
    async with db.session() as session:
        [line] = await member_lines(session, member_id=member.id or 0, year=YEAR)
        await request_correction(
            session,
            member_id=member.id or 0,
            year=YEAR,
            line_id=line.id,
            reason="Two speeches",
            now=NOW,
            notifier=notifier(),
        )


async def test_refuse_with_a_note_then_stale_press(roster: Database, office: ChatUser) -> None:
    await a_request(roster)
    sent = await office.send("/corrections")
    assert "waiting for a decision: 1" in office.texts(sent)[-1]
    sent = await office.press(forged(office, "corr:9999"))
    assert "This request is not available." in alerts(sent)
    sent = await office.press(office.button("张建华"))
    card = office.texts(sent)[-1]
    assert "Two speeches" in card and "office entry" in card
    refuse = office.button("Refuse")
    await office.press(refuse)
    sent = await office.send("Counted once by the rules.")
    assert "Refused; the member is told." in office.texts(sent)
    # Pressed again on the old card: the dialog moved on, nothing is decided twice.
    await office.press(refuse)


async def test_record_of_a_member_for_admins(roster: Database, office: ChatUser) -> None:
    sent = await office.send("/record M001")
    assert "张建华" in office.texts(sent)[-1]
    sent = await office.send("/record")
    assert "/record M001" in office.texts(sent)[-1]


async def test_decided_meanwhile_redraws_the_card(roster: Database, office: ChatUser) -> None:
    import dataclasses

    from services.assessment.corrections import decide_correction, pending_corrections
    from services.audit import Actor
    from tests.support.assessment_ledger import staff_scope

    await a_request(roster)
    await office.send("/corrections")
    await office.press(office.button("张建华"))
    scope = await staff_scope(roster)
    async with roster.session() as session:
        [view] = await pending_corrections(session, scope=scope)
        await decide_correction(
            session,
            correction_id=view.correction.id or 0,
            accept=True,
            note="",
            actor=Actor("staff", scope.staff_id),
            scope=dataclasses.replace(scope),
            now=NOW,
            notifier=notifier(),
        )
    sent = await office.press(office.button("Accept"))
    assert any(STALE in a for a in alerts(sent))
    assert "Decision: accepted" in office.texts(sent)[-1]
