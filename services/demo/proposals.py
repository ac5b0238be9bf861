"""Demo proposals: one at each state, so that every persona has a proposal to act on.

The demo member has a draft to finish, proposals waiting for the office, one with the demo
department to answer, one answered and waiting for their rating, one back for a second
round, and one closed and published. Another member's proposal was not registered. Loading
them again adds nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.accounts.departments import department_by_code
from services.accounts.scope import StaffScope
from services.audit import Actor
from services.demo.cases import DEMO_DEPARTMENT_CODE
from services.members.rules import RuleBook
from services.outbox.notices import Notifier
from services.pipeline.handling import answer_item
from services.pipeline.versions import proposal_version
from services.proposals.assignment import assign_proposal
from services.proposals.cosigning import answer_invitation
from services.proposals.drafting import DraftInput, save_draft
from services.proposals.marks import set_public
from services.proposals.review import refuse_proposal, register_proposal
from services.proposals.satisfaction import rate_handling
from services.proposals.submission import submit_proposal
from storage.enums import Adoption, ProposalState
from storage.models import Handling, Member, Proposal, Suggestion

LEAD_CODE = "M001"
OTHER_CODE = "M002"


@dataclass(frozen=True)
class DemoProposal:
    """A demo proposal: who writes it, what it says, and the state it is brought to."""

    author: str
    title: str
    situation: str
    suggestions: tuple[str, ...]
    target: ProposalState
    cosigned: bool = False


DEMO_PROPOSALS = (
    DemoProposal(
        LEAD_CODE,
        "关于在老旧小区增设社区食堂的提案",
        "辖区老年人口占比高，独居老人就餐难。",
        ("利用闲置用房建设社区食堂。", "对高龄老人给予就餐补贴。"),
        ProposalState.DRAFT,
    ),
    DemoProposal(
        LEAD_CODE,
        "关于规范校外培训机构收费的提案",
        "部分培训机构预收费过多，退费难。",
        ("建立预收费资金监管账户。", "公开培训机构收费标准。"),
        ProposalState.SUBMITTED,
    ),
    DemoProposal(
        OTHER_CODE,
        "关于加快建设城市口袋公园的提案",
        "中心城区绿地分布不均，居民休憩空间不足。",
        ("利用边角地建设口袋公园。", "建立口袋公园认养制度。"),
        ProposalState.REGISTERED,
    ),
    DemoProposal(
        OTHER_CODE,
        "关于我单位职工食堂的建议",
        "单位内部事务。",
        ("改善职工食堂伙食。",),
        ProposalState.NOT_REGISTERED,
    ),
    DemoProposal(
        LEAD_CODE,
        "关于老旧小区加装电梯的提案",
        "多层住宅无电梯，老人上下楼困难，加装电梯审批环节多。",
        ("简化加装电梯审批流程。", "设立加装电梯专项补助资金。", "建立电梯后期维护机制。"),
        ProposalState.ASSIGNED,
        cosigned=True,
    ),
    DemoProposal(
        LEAD_CODE,
        "关于提升物业服务质量的提案",
        "部分小区物业服务不到位，业主投诉多。",
        ("建立物业服务质量评价制度。", "定期公示物业服务评价结果。"),
        ProposalState.ANSWERED,
        cosigned=True,
    ),
    DemoProposal(
        OTHER_CODE,
        "关于解决小区停车难的提案",
        "老旧小区停车位严重不足。",
        ("挖潜增设停车泊位。", "推行错时共享停车。"),
        ProposalState.REHANDLING,
    ),
    DemoProposal(
        LEAD_CODE,
        "关于完善社区养老服务网络的提案",
        "社区养老服务设施覆盖不全。",
        ("每个街道建设一处嵌入式养老服务中心。", "发展助餐、助浴等上门服务。"),
        ProposalState.CLOSED,
    ),
)
# The answer the demo department gives, and how far it adopted each item.
DEMO_ANSWER = "已纳入本年度工作计划，相关措施正在推进，预计年底前完成。"


@dataclass(frozen=True)
class _Demo:
    """What every step needs."""

    session: AsyncSession
    now: dt.datetime
    tz: dt.tzinfo
    rulebook: RuleBook
    notifier: Notifier
    office: StaffScope
    actor: Actor
    department_id: int


async def seed_demo_proposals(
    session: AsyncSession,
    *,
    now: dt.datetime,
    tz: dt.tzinfo,
    rulebook: RuleBook,
    notifier: Notifier,
) -> int:
    """Write and move the demo proposals, unless the demo has them already; how many.

    Runs after the assessment's demo years, whose proposals were entered with their numbers:
    the ones registered here take the next free numbers.
    """
    first = DEMO_PROPOSALS[0].title
    if (
        await session.execute(select(col(Proposal.id)).where(col(Proposal.title) == first))
    ).first():
        return 0
    department = await department_by_code(session, DEMO_DEPARTMENT_CODE)
    rows = await session.execute(
        select(col(Member.code), col(Member.id)).where(
            col(Member.code).in_([LEAD_CODE, OTHER_CODE])
        )
    )
    members = {code: member_id for code, member_id in rows if member_id is not None}
    if department is None or department.id is None or len(members) < 2:
        return 0
    demo = _Demo(
        session=session,
        now=now,
        tz=tz,
        rulebook=rulebook,
        notifier=notifier,
        office=StaffScope(staff_id=0, name="demo", admin=True, station_ids=frozenset()),
        actor=Actor.cli("demo"),
        department_id=department.id,
    )
    for entry in DEMO_PROPOSALS:
        await _bring(demo, entry, members)
    return len(DEMO_PROPOSALS)


async def _bring(demo: _Demo, entry: DemoProposal, members: dict[str, int]) -> None:
    """Write one proposal and take it through the office and the department to its state."""
    author = members[entry.author]
    cosigner = members[OTHER_CODE if entry.author == LEAD_CODE else LEAD_CODE]
    session, now = demo.session, demo.now
    proposal = await save_draft(
        session,
        member_id=author,
        draft=DraftInput(
            title=entry.title,
            situation=entry.situation,
            suggestions=entry.suggestions,
            cosigner_ids=(cosigner,) if entry.cosigned else (),
        ),
        now=now,
        tz=demo.tz,
    )
    assert proposal.id is not None
    target = entry.target
    if target == ProposalState.DRAFT:
        return
    await submit_proposal(
        session,
        member_id=author,
        proposal_id=proposal.id,
        notifier=demo.notifier,
        now=now,
        tz=demo.tz,
    )
    if entry.cosigned:
        await answer_invitation(
            session,
            member_id=cosigner,
            proposal_id=proposal.id,
            confirm=True,
            notifier=demo.notifier,
            now=now,
            rulebook=demo.rulebook,
            tz=demo.tz,
        )
    if target == ProposalState.SUBMITTED:
        return
    if target == ProposalState.NOT_REGISTERED:
        await refuse_proposal(
            session,
            proposal_id=proposal.id,
            reason="属于单位内部事务，不属于提案范围，建议通过单位内部渠道反映。",
            actor=demo.actor,
            scope=demo.office,
            now=now,
            notifier=demo.notifier,
        )
        return
    await register_proposal(
        session,
        proposal_id=proposal.id,
        actor=demo.actor,
        scope=demo.office,
        now=now,
        rulebook=demo.rulebook,
        tz=demo.tz,
        notifier=demo.notifier,
    )
    if target == ProposalState.REGISTERED:
        return
    await assign_proposal(
        session,
        proposal_id=proposal.id,
        lead_department_id=demo.department_id,
        actor=demo.actor,
        scope=demo.office,
        now=now,
        rulebook=demo.rulebook,
        notifier=demo.notifier,
    )
    if target == ProposalState.ASSIGNED:
        return
    await _answer_all(demo, proposal.id)
    if target == ProposalState.ANSWERED:
        return
    value = "unsatisfied" if target == ProposalState.REHANDLING else "satisfied"
    await session.refresh(proposal)
    await rate_handling(
        session,
        member_id=author,
        proposal_id=proposal.id,
        value=value,
        reason="措施还不具体，希望明确时间表。" if value == "unsatisfied" else None,
        drawn=proposal_version(proposal),
        notifier=demo.notifier,
        now=now,
        rulebook=demo.rulebook,
    )
    if target == ProposalState.CLOSED:
        await set_public(
            session,
            proposal_id=proposal.id,
            public=True,
            actor=demo.actor,
            scope=demo.office,
            now=now,
        )


async def _answer_all(demo: _Demo, proposal_id: int) -> None:
    """The demo department answers every open item of the proposal, the first one adopted."""
    rows = await demo.session.execute(
        select(col(Handling.id), col(Suggestion.position))
        .join(Suggestion, col(Suggestion.id) == col(Handling.suggestion_id))
        .where(
            col(Suggestion.proposal_id) == proposal_id,
            col(Handling.department_id) == demo.department_id,
            col(Handling.answered_at).is_(None),
        )
        .order_by(col(Suggestion.position))
    )
    for handling_id, position in list(rows):
        await answer_item(
            demo.session,
            handling_id=handling_id or 0,
            department_id=demo.department_id,
            answer=DEMO_ANSWER,
            adoption=Adoption.ADOPTED if position == 1 else Adoption.PARTLY,
            actor=Actor("department", demo.department_id, "演示承办人"),
            now=demo.now,
            notifier=demo.notifier,
        )
