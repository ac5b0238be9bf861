"""Every staff or assignee button that carries an id refuses a caller outside its scope.

Station staff reach only their own stations' cases, requests for more time and members'
reports, and meetings are run by the committee office's administrators alone. Department
handlers and members reach only the cases assigned to them. Each forged button below is
pressed by someone it is not for: the answer must refuse it, and nothing stored may change:
no case, timeline line, request, report, meeting, leave decision, outbox row or audit entry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from aiogram import Bot, Dispatcher
from aiogram.fsm.state import State
from aiogram.fsm.storage.base import StorageKey
from aiogram.methods import AnswerCallbackQuery, TelegramMethod
from sqlalchemy import select
from sqlmodel import col

from handlers.callbacks import (
    AssigneeIssueCB,
    LeaveCB,
    StaffIssueCB,
    StaffMeetingCB,
    StaffMenuCB,
)
from handlers.case_callbacks import ConditionsReportCB, ExtensionCB
from services.accounts import identities
from services.accounts.invites import issue_invite
from services.cases import answers as case_answers
from services.cases import assignee as case_assignee
from services.cases import casework
from services.cases.canned import list_canned
from services.cases.common import Assignee
from services.cases.residents import IssueDraft, PhotoRef, create_issue
from services.meetings.attendance import respond
from services.meetings.invitations import MEETING_KINDS, MeetingInput, create_meeting
from services.members import conditions_reports
from services.reference.catalog import get_station_by_code, list_categories
from storage.db import Database, write_transaction
from storage.enums import MeetingResponse, StaffRole
from storage.models import (
    Activity,
    AuditEntry,
    ConditionsReport,
    Issue,
    IssueEvent,
    IssueExtension,
    Meeting,
    MeetingInvitee,
    OutboxMessage,
    Staff,
)
from tests.support.cases import (
    NOW,
    Desk,
    department_assignee,
    member_assignee,
    reload,
    staff_desk,
)
from tests.support.chat import ChatUser, forged
from tests.support.notices import TZ, notifier
from tests.support.state import dialog_of, draft_of

HOME = "xq-jingde"  # the station the station staff look after
ELSEWHERE = "jf-beian"  # another station: everything there is out of their reach
LOCAL_CHAT = 8101
HANDLER_CHAT = 9301
NOT_AVAILABLE = "This case is not available."
STALE = "This button is no longer active."
# Every table a forged press could write to; a refusal leaves them exactly as they were.
WATCHED = (
    Issue,
    IssueEvent,
    IssueExtension,
    ConditionsReport,
    Activity,
    Meeting,
    MeetingInvitee,
    OutboxMessage,
    AuditEntry,
)


# --- reading what happened --------------------------------------------------------------------


def alert(sent: Sequence[TelegramMethod[Any]]) -> str:
    """The text of the last callback answer (empty when there was none)."""
    answers = [r for r in sent if isinstance(r, AnswerCallbackQuery)]
    return str(answers[-1].text or "") if answers else ""


def only_an_answer(sent: Sequence[TelegramMethod[Any]]) -> bool:
    """Whether the press got its refusal and nothing else: no card, photo, map or prompt."""
    return [type(r) for r in sent] == [AnswerCallbackQuery]


async def footprint(db: Database) -> dict[str, list[str]]:
    """Every row of the watched tables, comparable before and after a press."""
    found: dict[str, list[str]] = {}
    async with db.session() as session:
        for model in WATCHED:
            rows = (await session.execute(select(model))).scalars()
            found[str(model.__tablename__)] = sorted(repr(row.model_dump()) for row in rows)
    return found


def storage_key(user: ChatUser) -> StorageKey:
    """Where the chat's dialog state is kept (as tests.support.state reads it)."""
    return StorageKey(
        bot_id=user.bot.id, chat_id=user.chat.id, user_id=user.user.id, destiny="default"
    )


async def put_in_dialog(user: ChatUser, state: State, data: dict[str, Any]) -> None:
    """Leave the chat in a dialog step, as if it had got there before its reach changed."""
    await user.dp.storage.set_state(storage_key(user), state)
    await user.dp.storage.set_data(storage_key(user), data)


async def press_refused(
    user: ChatUser, db: Database, data: str, expected: str, *, may_close: bool = False
) -> list[TelegramMethod[Any]]:
    """Press ``data``; assert the refusal, that nothing was stored and the dialog stayed put.

    With ``may_close`` the refusal may also end the dialog, but never move it on.
    """
    before, state_before = await footprint(db), await draft_of(user)
    sent = await user.press(data)
    assert expected in alert(sent), (data, alert(sent), user.texts(sent))
    assert await footprint(db) == before, data
    state_after = await draft_of(user)
    if not (may_close and state_after[0] is None):
        assert state_after == state_before, data
    return sent


# --- building the scene with the services (faster than the dialogs, and exact) ----------------


async def open_case(db: Database, *, chat_id: int, station: str, with_media: bool = False) -> int:
    """A resident's new case; with a photo and a place when the photo and map buttons matter."""
    async with db.session() as session:
        identity = await identities.touch_identity(
            session, channel="telegram", chat_id=chat_id, chat_type="private", now=NOW
        )
        assert identity.id is not None
        resident = await identities.get_or_create_resident(
            session, identity_id=identity.id, now=NOW
        )
        found = await get_station_by_code(session, station)
        category = (await list_categories(session))[0]
        assert resident.id is not None and found is not None and found.id is not None
        issue = await create_issue(
            session,
            resident_id=resident.id,
            draft=IssueDraft(
                station_id=found.id,
                category_id=category.id or 0,
                description="The street light at gate 3 has been dark for a week.",
                photos=(PhotoRef("photo-1", "u-photo-1", 1280, 960),) if with_media else (),
                latitude=39.93 if with_media else None,
                longitude=116.40 if with_media else None,
            ),
            now=NOW,
            tz=TZ,
        )
    assert issue.id is not None
    return issue.id


async def assign(db: Database, admin: Desk, issue_id: int, to: Assignee) -> None:
    async with db.session() as session:
        await casework.assign(
            session,
            issue_id=issue_id,
            to=to,
            due_at=None,
            scope=admin.scope,
            actor=admin.actor,
            now=NOW,
            notifier=notifier(),
        )


async def ask_more_time(db: Database, issue_id: int, assignee: Assignee) -> int:
    async with db.session() as session:
        extension = await case_assignee.request_extension(
            session,
            issue_id=issue_id,
            days=7,
            reason="Waiting for the maintenance contract.",
            assignee=assignee,
            now=NOW,
            notifier=notifier(),
        )
    assert extension.id is not None
    return extension.id


async def write_report(db: Database, member: Assignee, issue_ids: list[int]) -> int:
    async with db.session() as session:
        report = await conditions_reports.submit_report(
            session,
            member_id=member.id,
            issue_ids=issue_ids,
            title="Street lights in old estates",
            body="Several estates wait weeks for a repair; the contracts should say how long.",
            now=NOW,
            notifier=notifier(),
        )
    assert report.id is not None
    return report.id


async def station_id(db: Database, code: str) -> int:
    async with db.session() as session:
        station = await get_station_by_code(session, code)
    assert station is not None and station.id is not None
    return station.id


@dataclass
class StationScene:
    """Station staff of Jingde Street, and what waits at Bei'an (out of reach) and at home."""

    db: Database
    local: ChatUser
    foreign_new: int  # new, with a photo and a place
    foreign_answered: int  # answered by the office, so resolving is the next step
    foreign_assigned: int  # assigned to 李文静, who asked for more time
    foreign_extension: int
    own_new: int
    own_assigned: int  # assigned to 李文静 too
    report_foreign: int  # from the Bei'an case only
    report_mixed: int  # from one Bei'an case and one Jingde Street case


@pytest.fixture
async def scene(roster: Database, dispatcher: Dispatcher, bot: Bot) -> StationScene:
    admin = await staff_desk(roster, name="办公室管理员")
    await staff_desk(roster, stations=(HOME,), name="敬德站", chat_id=LOCAL_CHAT)
    local = ChatUser(dispatcher, bot, user_id=LOCAL_CHAT)
    second = await member_assignee(roster, "M002")

    foreign_new = await open_case(roster, chat_id=501, station=ELSEWHERE, with_media=True)
    foreign_answered = await open_case(roster, chat_id=502, station=ELSEWHERE)
    async with roster.session() as session:
        await case_answers.staff_reply(
            session,
            issue_id=foreign_answered,
            text="The lamp was replaced on Monday.",
            scope=admin.scope,
            actor=admin.actor,
            now=NOW,
            notifier=notifier(),
        )
    foreign_assigned = await open_case(roster, chat_id=503, station=ELSEWHERE)
    await assign(roster, admin, foreign_assigned, second)
    foreign_extension = await ask_more_time(roster, foreign_assigned, second)
    own_new = await open_case(roster, chat_id=504, station=HOME)
    own_assigned = await open_case(roster, chat_id=505, station=HOME)
    await assign(roster, admin, own_assigned, second)
    return StationScene(
        db=roster,
        local=local,
        foreign_new=foreign_new,
        foreign_answered=foreign_answered,
        foreign_assigned=foreign_assigned,
        foreign_extension=foreign_extension,
        own_new=own_new,
        own_assigned=own_assigned,
        report_foreign=await write_report(roster, second, [foreign_assigned]),
        report_mixed=await write_report(roster, second, [foreign_assigned, own_assigned]),
    )


# --- station staff: the queue and the case card ---------------------------------------------


async def test_station_staff_see_and_open_their_own_station(scene: StationScene) -> None:
    """The control: the same chat does reach its own station, so the refusals are about scope."""
    own = (await reload(scene.db, scene.own_new)).number
    foreign = (await reload(scene.db, scene.foreign_new)).number
    sent = await scene.local.press(StaffIssueCB(action="view", id=scene.own_new).pack())
    assert f"Case {own}" in scene.local.texts(sent)[0]
    await scene.local.send("📥 Case queue")
    await scene.local.tap("All stations")
    listed = " ".join(text for text, _ in scene.local.inline_buttons())
    assert own in listed and foreign not in listed, listed
    await scene.local.press(ConditionsReportCB(action="list").pack())
    reports = [data for _, data in scene.local.inline_buttons()]
    assert ConditionsReportCB(action="view", id=scene.report_foreign).pack() not in reports


async def open_own_card(scene: StationScene) -> None:
    """The card of a case of their own station, open in the station staff's chat."""
    await scene.local.press(StaffIssueCB(action="view", id=scene.own_new).pack())


async def swap_case(user: ChatUser, issue_id: int) -> None:
    """The open case desk now names ``issue_id``: as if the staff member's stations changed
    since the card was drawn, so only the scope stands between the press and the case."""
    storage = user.dp.storage

    def key(destiny: str) -> StorageKey:
        return StorageKey(
            bot_id=user.bot.id, chat_id=user.chat.id, user_id=user.chat.id, destiny=destiny
        )

    stack = await storage.get_data(key("aiogd:stack:"))
    context_key = key(f"aiogd:context:{stack['intents'][-1]}")
    context = await storage.get_data(context_key)
    context["dialog_data"]["case"] = issue_id
    await storage.set_data(context_key, context)


async def test_station_staff_cannot_open_another_stations_queue(scene: StationScene) -> None:
    elsewhere = await station_id(scene.db, ELSEWHERE)
    await open_own_card(scene)
    await scene.local.tap("Case queue")
    sent = await press_refused(
        scene.local,
        scene.db,
        forged(scene.local, f"station:{elsewhere}"),
        "This station is not available.",
    )
    assert only_an_answer(sent)
    await scene.local.tap("All stations")
    sent = await press_refused(
        scene.local, scene.db, forged(scene.local, f"case:{scene.foreign_new}"), NOT_AVAILABLE
    )
    assert only_an_answer(sent)


@pytest.mark.parametrize(
    "action",
    ["accept", "assign", "reject", "duplicate", "note", "reply", "resolve", "photos", "map"],
)
async def test_station_staff_cannot_act_on_another_stations_case(
    scene: StationScene, action: str
) -> None:
    # Each action gets a case it would work on for an administrator: only the scope stops it.
    issue_id = scene.foreign_answered if action == "resolve" else scene.foreign_new
    status = (await reload(scene.db, issue_id)).status
    await open_own_card(scene)
    await swap_case(scene.local, issue_id)
    sent = await press_refused(scene.local, scene.db, forged(scene.local, action), NOT_AVAILABLE)
    assert only_an_answer(sent)  # no card, prompt, photo or map of the other station's case
    assert (await reload(scene.db, issue_id)).status == status


async def test_station_staff_cannot_pick_a_ready_answer_for_another_stations_case(
    scene: StationScene,
) -> None:
    async with scene.db.session() as session:
        canned = (await list_canned(session))[0].id
    assert canned is not None
    await open_own_card(scene)
    # A ready answer pressed where the card offers none is stale.
    await press_refused(scene.local, scene.db, forged(scene.local, f"canned:{canned}"), STALE)
    # In the middle of a reply, a case out of reach stays shut.
    await scene.local.tap("Reply")
    await swap_case(scene.local, scene.foreign_new)
    sent = await press_refused(
        scene.local, scene.db, forged(scene.local, f"canned:{canned}"), NOT_AVAILABLE
    )
    assert "The resident will read" not in " ".join(scene.local.texts(sent))


# A dialog begun before the staff member's stations changed names a case now out of reach:
# the step that finally acts must check the scope again.
@pytest.mark.parametrize(
    ("buttons", "typed"),
    [
        (["Note"], "Called the estate office."),
        (["Reject"], "Not a matter for the committee."),
        (["Duplicate"], "2026-000001"),
        (["Assign", "A member"], "李"),
    ],
    ids=["note", "reject", "duplicate", "member-search"],
)
async def test_station_staff_typed_steps_recheck_the_scope(
    scene: StationScene, buttons: list[str], typed: str
) -> None:
    await open_own_card(scene)
    for label in buttons:
        await scene.local.tap(label)
    await swap_case(scene.local, scene.foreign_new)
    before = await footprint(scene.db)
    sent = await scene.local.send(typed)
    assert NOT_AVAILABLE in " ".join(scene.local.texts(sent))
    assert await footprint(scene.db) == before


async def test_station_staff_reply_and_ready_answer_recheck_the_scope(
    scene: StationScene,
) -> None:
    async with scene.db.session() as session:
        canned = (await list_canned(session))[0].id
    assert canned is not None
    await open_own_card(scene)
    await scene.local.tap("Reply")
    await swap_case(scene.local, scene.foreign_new)
    await press_refused(
        scene.local, scene.db, forged(scene.local, f"canned:{canned}"), NOT_AVAILABLE
    )
    await swap_case(scene.local, scene.own_new)
    await scene.local.send("Fixed on Monday.")
    await swap_case(scene.local, scene.foreign_new)
    data, message_id = scene.local.button_on_message("Send to the resident")
    before = await footprint(scene.db)
    sent = await scene.local.press(data, message_id=message_id)
    assert alert(sent) == NOT_AVAILABLE
    assert await footprint(scene.db) == before


async def test_station_staff_cannot_merge_into_another_stations_case(
    scene: StationScene,
) -> None:
    # The number typed is an id too: a case elsewhere must read as unknown.
    foreign = (await reload(scene.db, scene.foreign_new)).number
    await open_own_card(scene)
    await scene.local.tap("Duplicate")
    before = await footprint(scene.db)
    sent = await scene.local.send(foreign)
    assert "no case with that number that you can see" in scene.local.texts(sent)[0]
    assert await footprint(scene.db) == before


# --- station staff: requests for more time and members' reports -----------------------------


@pytest.mark.parametrize("action", ["grant", "refuse"])
async def test_station_staff_cannot_decide_another_stations_extension(
    scene: StationScene, action: str
) -> None:
    due = (await reload(scene.db, scene.foreign_assigned)).due_at
    data = ExtensionCB(action=action, id=scene.foreign_extension).pack()
    sent = await press_refused(scene.local, scene.db, data, "This request is not available.")
    assert only_an_answer(sent)
    async with scene.db.session() as session:
        extension = await session.get(IssueExtension, scene.foreign_extension)
    assert extension is not None and extension.decision is None
    assert (await reload(scene.db, scene.foreign_assigned)).due_at == due


async def report_state(db: Database, report_id: int) -> str:
    async with db.session() as session:
        report = await session.get(ConditionsReport, report_id)
    assert report is not None
    return report.state


@pytest.mark.parametrize("action", ["view", "accept", "return"])
async def test_station_staff_cannot_see_or_decide_another_stations_report(
    scene: StationScene, action: str
) -> None:
    data = ConditionsReportCB(action=action, id=scene.report_foreign).pack()
    sent = await press_refused(scene.local, scene.db, data, "This report is not available.")
    assert only_an_answer(sent)  # not even the title or the text of the report
    assert await report_state(scene.db, scene.report_foreign) == "submitted"


@pytest.mark.parametrize("action", ["view", "accept", "return"])
async def test_station_staff_cannot_decide_a_report_reaching_beyond_their_stations(
    scene: StationScene, action: str
) -> None:
    # One of its cases is theirs, the other is not: the report is decided by someone who sees
    # all of it (the rule being introduced now).
    data = ConditionsReportCB(action=action, id=scene.report_mixed).pack()
    sent = await press_refused(scene.local, scene.db, data, "This report is not available.")
    assert only_an_answer(sent)
    assert await report_state(scene.db, scene.report_mixed) == "submitted"


# --- station staff and meetings: run by administrators only ----------------------------------

ADMINISTRATORS = "administrators"
MEETING_START = dt.datetime(2026, 11, 27, 6, 30, tzinfo=dt.UTC)  # a week after NOW


@dataclass
class MeetingScene:
    """A meeting for all members, 李文静's leave request waiting, and station staff."""

    db: Database
    local: ChatUser
    meeting_id: int
    member_id: int


@pytest.fixture
async def meeting_scene(roster: Database, dispatcher: Dispatcher, bot: Bot) -> MeetingScene:
    admin = await staff_desk(roster, name="办公室管理员")
    await staff_desk(roster, stations=(HOME,), name="敬德站", chat_id=LOCAL_CHAT)
    second = await member_assignee(roster, "M002")
    async with roster.session() as session:
        meeting = await create_meeting(
            session,
            data=MeetingInput(
                kind=MEETING_KINDS[0].code,
                title="Elderly care in old neighbourhoods",
                starts_at=MEETING_START,
                ends_at=MEETING_START + dt.timedelta(hours=3),
                venue="Committee hall, 3rd floor",
                audience=["all"],
            ),
            staff_id=admin.staff.id,
            now=NOW,
            notifier=notifier(),
            actor=admin.actor,
        )
        assert meeting.id is not None
        await respond(
            session,
            meeting_id=meeting.id,
            member_id=second.id,
            attend=False,
            reason="At the hospital's night shift",
            now=NOW,
            notifier=notifier(),
        )
    return MeetingScene(
        db=roster,
        local=ChatUser(dispatcher, bot, user_id=LOCAL_CHAT),
        meeting_id=meeting.id,
        member_id=second.id,
    )


async def leave_of(scene: MeetingScene) -> tuple[str, int | None]:
    async with scene.db.session() as session:
        invitee = await session.get(MeetingInvitee, (scene.meeting_id, scene.member_id))
    assert invitee is not None
    return invitee.response, invitee.leave_decided_by_staff_id


@pytest.mark.parametrize(
    "build",
    [
        lambda s: StaffMeetingCB(action="view", id=s.meeting_id),
        lambda s: StaffMeetingCB(action="qr", id=s.meeting_id),
        lambda s: LeaveCB(action="approve", meeting=s.meeting_id, member=s.member_id),
        lambda s: LeaveCB(action="refuse", meeting=s.meeting_id, member=s.member_id),
        lambda s: StaffMenuCB(action="new-meeting"),
    ],
    ids=["sm-view", "sm-qr", "lv-approve", "lv-refuse", "sx-new-meeting"],
)
async def test_station_staff_cannot_open_meetings_or_decide_leave(
    meeting_scene: MeetingScene, build: Any
) -> None:
    data = build(meeting_scene).pack()
    sent = await press_refused(meeting_scene.local, meeting_scene.db, data, ADMINISTRATORS)
    assert only_an_answer(sent)  # no attendance list, QR code, decision or meeting form
    assert await leave_of(meeting_scene) == (MeetingResponse.LEAVE_REQUESTED, None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("📅 Meetings", ADMINISTRATORS),
        ("➕ New meeting", ADMINISTRATORS),
        ("/newmeeting", ADMINISTRATORS),
        # /meetings is a member command: the member gate answers it before the staff desk is
        # reached, so only the absence of the meeting list is asserted, not the wording.
        ("/meetings", ""),
    ],
)
async def test_station_staff_cannot_list_or_start_meetings(
    meeting_scene: MeetingScene, text: str, expected: str
) -> None:
    before = await footprint(meeting_scene.db)
    sent = await meeting_scene.local.send(text)
    said = " ".join(meeting_scene.local.texts(sent))
    assert expected in said, said
    assert "Elderly care" not in said and "Step 1" not in said
    assert (await draft_of(meeting_scene.local))[0] is None
    assert (await dialog_of(meeting_scene.local))[0] is None  # no meeting form or list opened
    assert await footprint(meeting_scene.db) == before


async def set_role(db: Database, name: str, role: StaffRole) -> None:
    """Make the staff member called ``name`` an administrator, or station staff again."""
    async with db.session() as session, write_transaction(session):
        staff = (await session.execute(select(Staff).where(col(Staff.name) == name))).scalar_one()
        staff.role = role


async def walk_the_form(local: ChatUser, up_to: str) -> None:
    """Open the meeting form and answer it until the card with the button ``up_to``."""
    await local.send("/newmeeting")
    if up_to == "Bimonthly":
        return
    await local.tap("Bimonthly")
    for text in ("Teachers' workload", "2026-12-04 14:30", "16:30", "Station hall"):
        await local.send(text)
    if up_to == "All members":
        return
    await local.tap("All members")
    await local.send("⏭ Skip")
    await local.send("⏭ Skip")


# A form opened before the restriction must not carry on: each card of the meeting form
# refuses its buttons, and above all "create" invites nobody.
@pytest.mark.parametrize(
    "button",
    ["Bimonthly", "All members", "Create and invite", "✏️ Title"],
    ids=["kind", "audience", "create", "edit"],
)
async def test_station_staff_cannot_fill_in_a_meeting_form(
    meeting_scene: MeetingScene, button: str
) -> None:
    local = meeting_scene.local
    await set_role(meeting_scene.db, "敬德站", StaffRole.ADMIN)
    await walk_the_form(local, button)
    await set_role(meeting_scene.db, "敬德站", StaffRole.STATION)
    data, message_id = local.button_on_message(button)
    before, form_before = await footprint(meeting_scene.db), await dialog_of(local)
    sent = await local.press(data, message_id=message_id)
    assert ADMINISTRATORS in alert(sent), (button, alert(sent), local.texts(sent))
    assert only_an_answer(sent)
    assert await footprint(meeting_scene.db) == before
    assert await dialog_of(local) == form_before
    assert "invitations are on their way" not in " ".join(local.texts(sent))


# --- department handlers --------------------------------------------------------------------


@dataclass
class DepartmentScene:
    """A housing department handler; cases held by education, by 李文静 and by housing."""

    db: Database
    handler: ChatUser
    to_other_department: int
    to_member: int
    to_housing: int


@pytest.fixture
async def department_scene(roster: Database, dispatcher: Dispatcher, bot: Bot) -> DepartmentScene:
    admin = await staff_desk(roster, name="办公室管理员")
    housing = await department_assignee(roster, "housing")
    async with roster.session() as session:
        code = (await issue_invite(session, department_id=housing.id, now=NOW)).code
    handler = ChatUser(dispatcher, bot, user_id=HANDLER_CHAT)
    sent = await handler.send(f"/start inv-{code}")
    assert "now linked to" in handler.texts(sent)[0]
    cases = []
    for chat_id, to in (
        (601, await department_assignee(roster, "education")),
        (602, await member_assignee(roster, "M002")),
        (603, housing),
    ):
        issue_id = await open_case(roster, chat_id=chat_id, station=ELSEWHERE, with_media=True)
        await assign(roster, admin, issue_id, to)
        cases.append(issue_id)
    return DepartmentScene(roster, handler, *cases)


ASSIGNEE_ACTIONS = ["view", "reply", "more", "note", "handback", "photos", "map"]


@pytest.mark.parametrize("action", ASSIGNEE_ACTIONS)
async def test_department_handler_cannot_touch_cases_held_by_others(
    department_scene: DepartmentScene, action: str
) -> None:
    scene = department_scene
    for issue_id in (scene.to_other_department, scene.to_member):
        data = AssigneeIssueCB(action=action, id=issue_id).pack()
        sent = await press_refused(scene.handler, scene.db, data, NOT_AVAILABLE)
        assert only_an_answer(sent), data


async def test_department_handler_opens_its_own_case(department_scene: DepartmentScene) -> None:
    """The control: the handler does reach what housing holds."""
    scene = department_scene
    number = (await reload(scene.db, scene.to_housing)).number
    sent = await scene.handler.press(AssigneeIssueCB(action="view", id=scene.to_housing).pack())
    assert f"Case {number}" in scene.handler.texts(sent)[0]


# --- members ----------------------------------------------------------------------------------


@dataclass
class MemberScene:
    """张建华 (M001, linked), and cases held by 李文静 and by the housing department."""

    db: Database
    member: ChatUser
    to_other_member: int
    to_department: int


@pytest.fixture
async def member_scene(roster: Database, member: ChatUser) -> MemberScene:
    admin = await staff_desk(roster, name="办公室管理员")
    cases = []
    for chat_id, to in (
        (701, await member_assignee(roster, "M002")),
        (702, await department_assignee(roster, "housing")),
    ):
        issue_id = await open_case(roster, chat_id=chat_id, station=HOME)
        await assign(roster, admin, issue_id, to)
        cases.append(issue_id)
    return MemberScene(roster, member, *cases)


@pytest.mark.parametrize("action", ["more", "note"])
async def test_member_cannot_ask_time_or_note_on_a_case_held_by_others(
    member_scene: MemberScene, action: str
) -> None:
    scene = member_scene
    for issue_id in (scene.to_other_member, scene.to_department):
        data = AssigneeIssueCB(action=action, id=issue_id).pack()
        sent = await press_refused(scene.member, scene.db, data, NOT_AVAILABLE)
        assert only_an_answer(sent), data


# A case taken from the member while they were typing: the final step checks who holds it.
async def open_own_case(scene: MemberScene) -> int:
    """A case assigned to the member, its card open in their chat."""
    admin = await staff_desk(scene.db, name="办公室管理员二")
    issue_id = await open_case(scene.db, chat_id=703, station=HOME)
    await assign(scene.db, admin, issue_id, await member_assignee(scene.db, "M001"))
    number = (await reload(scene.db, issue_id)).number
    await scene.member.send("📨 Assigned cases")
    await scene.member.tap(number)
    return issue_id


async def take_away(scene: MemberScene, issue_id: int) -> None:
    """Staff give the case to 李文静 while the member is still at it."""
    admin = await staff_desk(scene.db, name="办公室管理员三")
    await assign(scene.db, admin, issue_id, await member_assignee(scene.db, "M002"))


@pytest.mark.parametrize(
    "buttons",
    [["Note"], ["Ask for more time", "+7 days"], ["Hand back"]],
    ids=["note", "more-time", "handback"],
)
async def test_member_typed_steps_recheck_who_holds_the_case(
    member_scene: MemberScene, buttons: list[str]
) -> None:
    scene = member_scene
    issue_id = await open_own_case(scene)
    for label in buttons:
        await scene.member.tap(label)
    await take_away(scene, issue_id)
    before = await footprint(scene.db)
    sent = await scene.member.send("The estate office promised a date next week.")
    assert NOT_AVAILABLE in " ".join(scene.member.texts(sent))
    assert await footprint(scene.db) == before


async def test_member_reply_send_rechecks_who_holds_the_case(member_scene: MemberScene) -> None:
    scene = member_scene
    issue_id = await open_own_case(scene)
    await scene.member.tap("Reply to the resident")
    await scene.member.send("Fixed on Monday.")
    await take_away(scene, issue_id)
    before = await footprint(scene.db)
    sent = await scene.member.tap("Send to the resident")
    assert alert(sent) == NOT_AVAILABLE
    assert await footprint(scene.db) == before
