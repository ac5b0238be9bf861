"""Demo consultation outcomes: one at each of the six stages, one fed back to a demo resident.

The demo department (the one the department persona answers for) holds the assigned
suggestion and has answered the handled and fed-back ones; the fed-back outcome is linked to
the demo resident's case, so the resident has heard how it ended and may rate it. Loading
them again adds nothing.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.accounts.departments import department_by_code
from services.accounts.scope import StaffScope
from services.audit import Actor
from services.demo.cases import DEMO_DEPARTMENT_CODE, DEMO_RESIDENT_CHAT_ID
from services.members.rules import RuleBook
from services.outbox.notices import Notifier
from services.outcomes.forming import OutcomeDraft, form_outcome
from services.outcomes.stages import MoveInput, move_suggestion
from services.pipeline.handling import answer_item
from storage.enums import STAGE_ORDER, Adoption, Stage
from storage.models import ChatIdentity, Handling, Issue, Member, Outcome, Resident, Suggestion

DEMO_TOPIC = "老旧小区改造"
# (title, the suggestion, the stage it is brought to)
DEMO_OUTCOMES = (
    ("关于加强社区养老服务的协商成果", "在每个街道建设一处嵌入式养老服务中心。", Stage.FORMED),
    (
        "关于优化中小学课后服务的协商成果",
        "延长课后服务时间，并引入非遗、体育等课程。",
        Stage.SUBMITTED,
    ),
    (
        "关于规范共享单车停放的协商成果",
        "在地铁口划定电子围栏停放区，超区停放纳入信用管理。",
        Stage.REVIEWED,
    ),
    ("关于老旧小区加装电梯的协商成果", "简化加装电梯审批流程，设立专项补助资金。", Stage.ASSIGNED),
    ("关于物业服务质量提升的协商成果", "建立物业服务质量评价和公示制度。", Stage.HANDLED),
    (
        "关于小区电梯维修保障的协商成果",
        "设立电梯维修应急基金，停运24小时内必须修复。",
        Stage.FED_BACK,
    ),
)


async def _demo_case(session: AsyncSession) -> Issue | None:
    """The demo resident's case that went to the demo department."""
    rows = await session.execute(
        select(Issue)
        .join(Resident, col(Resident.id) == col(Issue.resident_id))
        .join(ChatIdentity, col(ChatIdentity.id) == col(Resident.identity_id))
        .where(
            col(ChatIdentity.chat_id) == DEMO_RESIDENT_CHAT_ID,
            col(Issue.assignee_department_id).is_not(None),
        )
        .order_by(col(Issue.id))
        .limit(1)
    )
    return rows.scalars().first()


async def _answer(
    session: AsyncSession,
    suggestion_id: int,
    department_id: int,
    now: dt.datetime,
    notifier: Notifier,
) -> None:
    """The demo department's answer, as its handler gives it: the suggestion is then handled."""
    rows = await session.execute(
        select(col(Handling.id)).where(
            col(Handling.suggestion_id) == suggestion_id, col(Handling.answered_at).is_(None)
        )
    )
    for handling_id in list(rows.scalars()):
        await answer_item(
            session,
            handling_id=handling_id or 0,
            department_id=department_id,
            answer="已纳入年度工作计划，相关制度本月出台并向社会公布。",
            adoption=Adoption.ADOPTED,
            actor=Actor("department", department_id, "演示承办人"),
            now=now,
            notifier=notifier,
        )


async def seed_demo_outcomes(
    session: AsyncSession,
    *,
    now: dt.datetime,
    tz: dt.tzinfo,
    rulebook: RuleBook,
    notifier: Notifier,
) -> int:
    """Form and move the demo outcomes, unless the demo has some already; how many were formed."""
    if (await session.execute(select(col(Outcome.id)).limit(1))).first() is not None:
        return 0
    department = await department_by_code(session, DEMO_DEPARTMENT_CODE)
    if department is None or department.id is None:
        return 0
    members = (
        await session.execute(
            select(col(Member.id)).where(col(Member.code).in_(["M001", "M002", "M003"]))
        )
    ).scalars()
    member_ids = tuple(member_id for member_id in members if member_id is not None)
    case = await _demo_case(session)
    office = StaffScope(staff_id=0, name="demo", admin=True, station_ids=frozenset())
    actor = Actor.cli("demo")
    rules = rulebook.for_year(now.astimezone(tz).year).pipeline
    today = now.astimezone(tz).date()
    steps = {
        Stage.SUBMITTED: MoveInput(),
        Stage.REVIEWED: MoveInput(
            review_by="市政府分管副市长",
            review_on=today - dt.timedelta(days=3),
            review_text="请相关部门认真研究，抓好落实。",
        ),
        Stage.ASSIGNED: MoveInput(lead_department_id=department.id),
        Stage.FED_BACK: MoveInput(feedback="承办单位已答复并落实，已向参与委员和相关群众通报。"),
    }
    formed = 0
    for title, text, target in DEMO_OUTCOMES:
        outcome = await form_outcome(
            session,
            draft=OutcomeDraft(
                source="research",
                title=title,
                suggestions=(text,),
                research_on=today - dt.timedelta(days=20),
                member_ids=member_ids,
                case_numbers=(case.number,)
                if case is not None and target == Stage.FED_BACK
                else (),
                topic=DEMO_TOPIC if target in (Stage.ASSIGNED, Stage.FED_BACK) else None,
                key=target == Stage.HANDLED,
            ),
            scope=office,
            actor=actor,
            rules=rules,
            now=now,
            tz=tz,
        )
        formed += 1
        suggestion = (
            await session.execute(
                select(Suggestion).where(col(Suggestion.outcome_id) == outcome.id)
            )
        ).scalar_one()
        assert suggestion.id is not None
        for stage in STAGE_ORDER[1 : STAGE_ORDER.index(target) + 1]:
            if stage == Stage.HANDLED:
                await _answer(session, suggestion.id, department.id, now, notifier)
                continue
            await move_suggestion(
                session,
                suggestion_id=suggestion.id,
                drawn_for=STAGE_ORDER[STAGE_ORDER.index(stage) - 1],
                to_stage=stage,
                inputs=steps[stage],
                scope=office,
                actor=actor,
                rulebook=rulebook,
                now=now,
                tz=tz,
                notifier=notifier,
            )
    return formed
