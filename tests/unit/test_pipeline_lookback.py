"""Look back: due items per department, the department's word, the members' second rating."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from services.audit import Actor
from services.errors import DomainError
from services.pipeline.config import PipelineRules
from services.pipeline.lookback import (
    confirm_lookback,
    due_lookbacks,
    lookback_holds,
    rate_lookback,
)
from storage.db import Database
from storage.models import PipelineEvent, PipelineRating, Suggestion
from tests.support.members import NOW
from tests.support.notices import TZ, notifier, outbox
from tests.support.pipeline_fixtures import department, handling, member_ids, outcome, proposal

DAY = dt.timedelta(days=1)
RULES = PipelineRules()


async def world(db: Database) -> dict[str, int]:
    """Fed-back suggestions old and recent, a closed proposal, two departments."""
    ids = await member_ids(db)
    lead = await department(db, "lead", chats=[9101])
    other = await department(db, "other", chats=[9201])
    _oid, (old, recent, dated) = await outcome(
        db,
        number="2026-C-0001",
        stages=[
            ("fed_back", NOW - 200 * DAY),
            ("fed_back", NOW - 60 * DAY),
            ("fed_back", NOW - 60 * DAY),
        ],
        members=[ids["M001"], ids["M002"]],
    )
    async with db.session() as session:
        row = await session.get(Suggestion, dated)
        assert row is not None
        row.lookback_on = (NOW - DAY).date()
        await session.commit()
    await handling(db, [old, recent, dated], lead, due_at=NOW - 300 * DAY, answered_at=NOW)
    await handling(db, [old], other, due_at=NOW - 300 * DAY, answered_at=NOW, lead=False)
    pid, items = await proposal(
        db, member_id=ids["M003"], number="2025-T-0009", state="closed", year=2025,
        rated_at=NOW - 190 * DAY,
    )  # fmt: skip
    await handling(db, items, other, due_at=NOW - 300 * DAY, answered_at=NOW - 250 * DAY)
    return {"lead": lead, "other": other, "old": old, "recent": recent, "dated": dated,
            "proposal": pid, **ids}  # fmt: skip


async def test_due_look_backs_are_scoped_to_the_lead(roster: Database) -> None:
    w = await world(roster)
    async with roster.session() as session:
        everything = await due_lookbacks(session, now=NOW, tz=TZ, rules=RULES)
        mine = await due_lookbacks(session, now=NOW, tz=TZ, rules=RULES, department_id=w["lead"])
        theirs = await due_lookbacks(session, now=NOW, tz=TZ, rules=RULES, department_id=w["other"])
    assert [(i.kind, i.id) for i in everything] == [
        ("s", w["old"]), ("s", w["dated"]), ("p", w["proposal"]),
    ]  # fmt: skip
    assert [(i.kind, i.id) for i in mine] == [("s", w["old"]), ("s", w["dated"])]
    # The other department co-handled the old suggestion but leads only the proposal.
    assert [(i.kind, i.id) for i in theirs] == [("p", w["proposal"])]
    assert mine[0].due_on == dt.date(2026, 11, 4)
    assert mine[1].due_on == (NOW - DAY).date()


async def test_confirm_then_rate_again(roster: Database) -> None:
    w = await world(roster)

    async def confirm(kind: str, item: int, dep: int, note: str = "路灯仍在使用") -> int:
        async with roster.session() as session:
            return await confirm_lookback(
                session, kind=kind, item_id=item, department_id=dep, holds=True, note=note,
                actor=Actor("department", dep), now=NOW, tz=TZ, rules=RULES, notifier=notifier(),
            )  # fmt: skip

    with pytest.raises(DomainError, match="lookback_unknown"):
        await confirm("s", w["old"], w["other"])  # not theirs
    with pytest.raises(DomainError, match="lookback_unknown"):
        await confirm("s", w["recent"], w["lead"])  # not due
    with pytest.raises(DomainError, match="text_empty"):
        await confirm("s", w["old"], w["lead"], note="  ")
    with pytest.raises(DomainError, match="text_too_long"):
        await confirm("s", w["old"], w["lead"], note="x" * 1001)
    assert await confirm("s", w["old"], w["lead"]) == 2  # M001 and M002's chats
    with pytest.raises(DomainError, match="lookback_done"):
        await confirm("s", w["old"], w["lead"])
    assert await confirm("p", w["proposal"], w["other"]) == 1  # M003
    requests = await outbox(roster, "pipeline-lookback-rate")
    assert sorted(r.chat_id for r in requests) == [1, 2, 3]
    async with roster.session() as session:
        row = await session.get(Suggestion, w["old"])
        assert row is not None and row.lookback_at == NOW and row.lookback_note == "路灯仍在使用"
        assert await lookback_holds(session, kind="s", item_id=w["old"]) is True
        assert await lookback_holds(session, kind="s", item_id=w["dated"]) is None
        lines = (
            await session.execute(select(PipelineEvent).where(PipelineEvent.kind == "lookback"))
        ).scalars()
        assert {line.actor for line in lines} == {"department"}
        still_due = await due_lookbacks(session, now=NOW, tz=TZ, rules=RULES)
    assert [(i.kind, i.id) for i in still_due] == [("s", w["dated"])]

    async def rate(
        kind: str, item: int, member: int, value: str, reason: str | None = None
    ) -> None:
        async with roster.session() as session:
            await rate_lookback(
                session, kind=kind, item_id=item, member_id=member, value=value, reason=reason,
                now=NOW,
            )  # fmt: skip

    with pytest.raises(DomainError, match="lookback_unknown"):
        await rate("s", w["old"], w["M003"], "satisfied")  # did not take part
    with pytest.raises(DomainError, match="lookback_unknown"):
        await rate("s", w["dated"], w["M001"], "satisfied")  # no word from the department yet
    with pytest.raises(DomainError, match="reason_missing"):
        await rate("s", w["old"], w["M001"], "unsatisfied")
    with pytest.raises(DomainError, match="rating_value"):
        await rate("s", w["old"], w["M001"], "great")
    await rate("s", w["old"], w["M001"], "unsatisfied", "路灯又坏了")
    await rate("p", w["proposal"], w["M003"], "satisfied")
    with pytest.raises(DomainError, match="already_rated"):
        await rate("s", w["old"], w["M001"], "satisfied")
    async with roster.session() as session:
        ratings = (await session.execute(select(PipelineRating))).scalars().all()
    assert sorted((r.subject, r.purpose, r.value) for r in ratings) == [
        (f"proposal:{w['proposal']}", "lookback", "satisfied"),
        (f"suggestion:{w['old']}", "lookback", "unsatisfied"),
    ]
