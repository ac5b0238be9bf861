"""Departments' handling: open items, answers item by item, more time, face-to-face meetings."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from services.accounts.scope import scope_of
from services.audit import Actor, list_entries
from services.errors import DomainError
from services.members.rules import RuleBook
from services.pipeline import extensions, face, guards, handling
from services.pipeline.department_views import department_card
from storage.db import Database
from storage.enums import ExtensionDecision
from storage.models import Handling, Proposal, Staff, Suggestion
from tests.support.cases import department_assignee, staff_desk
from tests.support.members import NOW, TZ, member_by_code
from tests.support.notices import button_data, notifier, outbox
from tests.support.pipeline_rows import DUE, assigned_proposal, assigned_suggestion

BOOK = RuleBook()


async def scene(db: Database) -> tuple[int, int, int, list[int]]:
    """Housing leads and education co-handles M001's proposal of three items."""
    housing = (await department_assignee(db, "housing")).id
    education = (await department_assignee(db, "education")).id
    member = await member_by_code(db, "M001")
    proposal_id, items = await assigned_proposal(
        db, member_id=member.id or 0, departments=[housing, education]
    )
    return housing, education, proposal_id, items


async def rows_of(db: Database, department_id: int) -> list[Handling]:
    async with db.session() as session:
        return list(
            (
                await session.execute(
                    select(Handling)
                    .where(Handling.department_id == department_id)
                    .order_by(Handling.id)
                )
            ).scalars()
        )


async def answer(
    db: Database, row: Handling, adoption: str = "adopted", **extra: object
) -> Handling:
    async with db.session() as session:
        return await handling.answer_item(
            session,
            handling_id=row.id or 0,
            department_id=extra.pop("department_id", row.department_id),  # type: ignore[arg-type]
            answer=str(extra.pop("text", "已纳入年度计划")),
            adoption=adoption,
            actor=Actor("department", row.department_id, "住建局"),
            now=NOW,
            notifier=notifier(),
        )


async def test_open_items_are_grouped_scoped_and_flag_overdue(roster: Database) -> None:
    housing, education, proposal_id, items = await scene(roster)
    _, suggestion_id = await assigned_suggestion(
        roster, departments=[housing], due_at=NOW - dt.timedelta(days=1)
    )
    async with roster.session() as session:
        groups = await handling.department_open_items(session, department_id=housing, now=NOW)
        other = await handling.department_open_items(session, department_id=education, now=NOW)
    assert [(g.kind, g.key, g.overdue) for g in groups] == [
        ("s", suggestion_id, True),
        ("p", proposal_id, False),
    ]
    assert [i.suggestion.id for i in groups[1].items] == items
    assert [(g.kind, len(g.items)) for g in other] == [("p", 3)]


async def test_open_items_query_uses_the_department_index(roster: Database) -> None:
    housing, *_ = await scene(roster)
    async with roster.session() as session:
        if session.get_bind().dialect.name != "sqlite":
            return  # PostgreSQL plans small tables as scans; the plan is read on SQLite
        from sqlalchemy import text

        await handling.department_open_items(session, department_id=housing)
        plan = await session.execute(
            text(
                "EXPLAIN QUERY PLAN SELECT * FROM handling WHERE department_id = :d "
                "AND answered_at IS NULL ORDER BY due_at"
            ),
            {"d": housing},
        )
        assert "ix_handling_department_open" in " ".join(str(r) for r in plan.all())


async def test_answers_are_refused_for_other_departments_twice_and_out_of_state(
    roster: Database,
) -> None:
    housing, education, proposal_id, _ = await scene(roster)
    row = (await rows_of(roster, housing))[0]
    with pytest.raises(DomainError, match="not_found"):
        await answer(roster, row, department_id=education)
    with pytest.raises(DomainError, match="handling_adoption"):
        await answer(roster, row, "great")
    with pytest.raises(DomainError, match="text_too_long"):
        await answer(roster, row, text="长" * (guards.ANSWER_MAX + 1))
    await answer(roster, row)
    with pytest.raises(DomainError, match="handling_answered"):
        await answer(roster, row)
    async with roster.session() as session:
        proposal = await session.get(Proposal, proposal_id)
        assert proposal is not None
        proposal.state = "closed"
        await session.commit()
    with pytest.raises(DomainError, match="handling_closed"):
        await answer(roster, (await rows_of(roster, housing))[1])


async def test_last_answer_of_the_round_asks_the_author_to_rate(roster: Database) -> None:
    housing, education, proposal_id, _ = await scene(roster)
    for row in [*await rows_of(roster, housing), *await rows_of(roster, education)]:
        async with roster.session() as session:
            assert (await session.get(Proposal, proposal_id)).state == "assigned"  # type: ignore[union-attr]
        await answer(roster, row, "partly" if row.lead else "adopted")
    async with roster.session() as session:
        proposal = await session.get(Proposal, proposal_id)
        suggestion = (await session.execute(select(Suggestion))).scalars().first()
        assert len(await list_entries(session, action="handling.answer")) == 6
    assert proposal is not None and proposal.state == "answered" and proposal.answered_at == NOW
    assert suggestion is not None and suggestion.adoption == "partly"
    [notice] = await outbox(roster, "proposal-answered")
    assert notice.chat_id == 1
    assert button_data(notice, "Rate") == f"pp:rate:{proposal_id}:answered-1"


async def test_an_outcome_suggestion_is_handled_once_every_department_answered(
    roster: Database,
) -> None:
    housing = (await department_assignee(roster, "housing")).id
    education = (await department_assignee(roster, "education")).id
    _, suggestion_id = await assigned_suggestion(roster, departments=[housing, education])
    [lead] = await rows_of(roster, housing)
    [co] = await rows_of(roster, education)
    await answer(roster, co, "explained")
    await answer(roster, lead, "adopted")
    async with roster.session() as session:
        suggestion = await session.get(Suggestion, suggestion_id)
    assert suggestion is not None and (suggestion.stage, suggestion.adoption) == (
        "handled",
        "adopted",
    )
    assert len(await outbox(roster, "suggestion-handled")) == 1  # 王芳, the administrator


async def request(db: Database, department_id: int, kind: str, key: int, days: int = 14) -> int:
    async with db.session() as session:
        extension = await extensions.request_extension(
            session,
            department_id=department_id,
            kind=kind,
            object_id=key,
            days=days,
            reason="需要协调资金",
            actor=Actor("department", department_id, "住建局"),
            now=NOW,
            notifier=notifier(),
            rulebook=BOOK,
        )
        return extension.id or 0


async def decide(db: Database, extension_id: int, *, grant: bool, admin: bool = True) -> None:
    async with db.session() as session:
        if admin:
            staff = (await session.execute(select(Staff).where(Staff.name == "王芳"))).scalar_one()
            scope = await scope_of(session, staff)
        else:
            desk = await staff_desk(db, stations=("jf-beian",), name="站点")
            staff, scope = desk.staff, desk.scope
        await extensions.decide_extension(
            session,
            extension_id=extension_id,
            grant=grant,
            scope=scope,
            actor=Actor.staff(staff),
            now=NOW,
            notifier=notifier(),
        )


async def test_granted_time_moves_the_departments_rows_and_the_proposal(roster: Database) -> None:
    housing, education, proposal_id, _ = await scene(roster)
    with pytest.raises(DomainError, match="days_range"):
        await request(roster, housing, "p", proposal_id, days=61)
    extension_id = await request(roster, housing, "p", proposal_id)
    with pytest.raises(DomainError, match="extension_pending"):
        await request(roster, housing, "p", proposal_id)
    [notice] = await outbox(roster, "handling-extension-request")
    assert button_data(notice, "Grant") == f"hx:grant:{extension_id}"
    with pytest.raises(DomainError, match="extension_unknown"):
        await decide(roster, extension_id, grant=True, admin=False)
    await decide(roster, extension_id, grant=True)
    with pytest.raises(DomainError, match="already_decided"):
        await decide(roster, extension_id, grant=False)
    later = DUE + dt.timedelta(days=14)
    assert {r.due_at for r in await rows_of(roster, housing)} == {later}
    assert {r.due_at for r in await rows_of(roster, education)} == {DUE}
    async with roster.session() as session:
        assert (await session.get(Proposal, proposal_id)).due_at == later  # type: ignore[union-attr]
        assert len(await list_entries(session, action="handling.extension")) == 1


async def test_refused_and_lapsed_requests(roster: Database) -> None:
    housing = (await department_assignee(roster, "housing")).id
    _, suggestion_id = await assigned_suggestion(roster, departments=[housing])
    refused = await request(roster, housing, "s", suggestion_id)
    await decide(roster, refused, grant=False)
    lapsing = await request(roster, housing, "s", suggestion_id)
    await answer(roster, (await rows_of(roster, housing))[0])
    with pytest.raises(DomainError, match="extension_lapsed"):
        await decide(roster, lapsing, grant=True)
    with pytest.raises(DomainError, match="handling_closed"):
        await request(roster, housing, "s", suggestion_id)
    async with roster.session() as session:
        card = await department_card(session, department_id=housing, kind="s", key=suggestion_id)
    assert card.extension is None and card.state == "handled"
    from storage.models import HandlingExtension

    async with roster.session() as session:
        decisions = [
            e.decision for e in (await session.execute(select(HandlingExtension))).scalars()
        ]
    assert decisions == [ExtensionDecision.REFUSED, ExtensionDecision.LAPSED]


async def test_a_department_sees_only_what_it_holds(roster: Database) -> None:
    housing, education, proposal_id, items = await scene(roster)
    justice = (await department_assignee(roster, "civil-affairs")).id
    _, suggestion_id = await assigned_suggestion(roster, departments=[education])
    async with roster.session() as session:
        card = await department_card(session, department_id=housing, kind="p", key=proposal_id)
        assert [i.suggestion.id for i in card.open_items] == items
        assert card.situation.startswith("老旧小区") and card.state == "assigned-1"
        assert [name for _, name in card.items[0].others]
        for department_id, kind, key in (
            (justice, "p", proposal_id),
            (housing, "s", suggestion_id),
            (housing, "p", 999_999),
            (housing, "x", proposal_id),
        ):
            with pytest.raises(DomainError, match="not_found"):
                await department_card(session, department_id=department_id, kind=kind, key=key)


async def test_face_meetings_are_recorded_by_assigned_departments_only(roster: Database) -> None:
    housing, _, proposal_id, _ = await scene(roster)
    justice = (await department_assignee(roster, "civil-affairs")).id
    today = NOW.astimezone(TZ).date()

    async def record(department_id: int, met_on: dt.date) -> None:
        async with roster.session() as session:
            await face.record_face_meeting(
                session,
                proposal_id=proposal_id,
                department_id=department_id,
                met_on=met_on,
                note="与委员当面沟通",
                actor=Actor("department", department_id, "住建局"),
                now=NOW,
                tz=TZ,
                notifier=notifier(),
            )

    with pytest.raises(DomainError, match="face_date_future"):
        await record(housing, today + dt.timedelta(days=1))
    with pytest.raises(DomainError, match="not_found"):
        await record(justice, today)
    await record(housing, today)
    [notice] = await outbox(roster, "proposal-face-meeting")
    assert notice.chat_id == 1
    async with roster.session() as session:
        assert len(await face.face_meetings(session, proposal_id=proposal_id)) == 1
        assert len(await list_entries(session, action="proposal.face_meeting")) == 1
