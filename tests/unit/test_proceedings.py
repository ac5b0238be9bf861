"""A consultation in session: who may take part, speeches, remarks, the steps, the outcome."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from services.audit import Actor, list_entries
from services.consultations.remarks import add_remark, remarks_page, set_remote_window
from services.consultations.speeches import (
    book_speech,
    call_next,
    mark_spoken,
    move_speech,
    set_minutes,
    speech_order,
    withdraw_speech,
)
from services.consultations.steps import confirmed_suggestions, record_step
from services.consultations.to_outcome import form_meeting_outcome, outcome_guests
from services.errors import DomainError
from storage.db import Database
from storage.enums import CONSULTATION_STEP_ORDER, ConsultationStep
from storage.models import OutcomeMember, SpeechState
from tests.support.cases import NOW, Desk, staff_desk
from tests.support.notices import TZ, message_of, notifier, outbox
from tests.support.outcomes import RULEBOOK
from tests.support.proceedings import (
    chat_identity,
    guest_pass,
    live_meeting,
    member_id,
    participant,
)

RULES = RULEBOOK.for_year(2026).pipeline
LATER = NOW + dt.timedelta(minutes=5)


async def _refused(code: str, awaitable: object) -> None:
    with pytest.raises(DomainError) as caught:
        await awaitable  # type: ignore[misc]
    assert caught.value.code == code


async def test_may_take_part_member_guest_other_and_expired(roster: Database) -> None:
    db = roster
    meeting_id = await live_meeting(db)
    other_meeting = await live_meeting(db)
    assert (await participant(db, meeting_id, member="M001")).member_id is not None
    await _refused("proceedings_unknown", participant(db, meeting_id, member="M003"))
    guest_chat = await chat_identity(db, 501)
    guest_id = await guest_pass(db, meeting_id, guest_chat)
    found = await participant(db, meeting_id, identity_id=guest_chat)
    assert (found.guest_id, found.member_id) == (guest_id, None)
    # A pass opens its own meeting only.
    await _refused("proceedings_unknown", participant(db, other_meeting, identity_id=guest_chat))
    expired_chat = await chat_identity(db, 502)
    await guest_pass(db, meeting_id, expired_chat, expires=dt.timedelta(minutes=-1))
    await _refused("proceedings_unknown", participant(db, meeting_id, identity_id=expired_chat))
    unredeemed_chat = await chat_identity(db, 503)
    await guest_pass(db, meeting_id, unredeemed_chat, redeemed=False)
    await _refused("proceedings_unknown", participant(db, meeting_id, identity_id=unredeemed_chat))
    await _refused("proceedings_unknown", participant(db, 999_999, member="M001"))


async def test_booking_in_order_once_and_withdrawn_by_the_speaker_only(roster: Database) -> None:
    db = roster
    meeting_id = await live_meeting(db)
    first = await participant(db, meeting_id, member="M001")
    second = await participant(db, meeting_id, member="M002")
    async with db.session() as session:
        one = await book_speech(session, participant=first, title="  加装电梯的资金 ", now=NOW)
        two = await book_speech(session, participant=second, title="维修基金", now=NOW)
        assert (one.position, one.minutes, one.title) == (1, 5, "加装电梯的资金")
        assert two.position == 2
        one_id, two_id = one.id or 0, two.id or 0
        await _refused(
            "speech_already_booked",
            book_speech(session, participant=first, title="又一个", now=NOW),
        )
        await _refused(
            "speech_title_length", book_speech(session, participant=first, title="x", now=NOW)
        )
        await _refused(
            "speech_unknown",
            withdraw_speech(session, participant=first, booking_id=two_id, now=NOW),
        )
        await withdraw_speech(session, participant=first, booking_id=one_id, now=NOW)
        assert [b.id for b in await speech_order(session, meeting_id=meeting_id)] == [two_id]
        after_end = NOW + dt.timedelta(hours=3)
        await _refused(
            "proceedings_over",
            book_speech(session, participant=first, title="会后再说", now=after_end),
        )


async def test_staff_call_move_and_mark_spoken(roster: Database) -> None:
    db = roster
    desk = await staff_desk(db)
    meeting_id = await live_meeting(db)
    people = [await participant(db, meeting_id, member=code) for code in ("M001", "M002")]
    async with db.session() as session:
        one = await book_speech(session, participant=people[0], title="第一个发言", now=NOW)
        two = await book_speech(session, participant=people[1], title="第二个发言", now=NOW)
        await move_speech(
            session,
            scope=desk.scope,
            actor=desk.actor,
            meeting_id=meeting_id,
            booking_id=two.id or 0,
            up=True,
            now=NOW,
        )
        await set_minutes(
            session, scope=desk.scope, actor=desk.actor, meeting_id=meeting_id, minutes=7, now=NOW
        )
        called = await call_next(
            session,
            scope=desk.scope,
            actor=desk.actor,
            meeting_id=meeting_id,
            notifier=notifier(),
            now=NOW,
        )
        assert called is not None and called.id == two.id and called.minutes == 7
        await mark_spoken(
            session,
            scope=desk.scope,
            actor=desk.actor,
            meeting_id=meeting_id,
            booking_id=two.id or 0,
            now=LATER,
        )
        order = await speech_order(session, meeting_id=meeting_id)
        assert [(b.id, b.state) for b in order] == [
            (two.id, SpeechState.SPOKEN),
            (one.id, SpeechState.BOOKED),
        ]
        await _refused(
            "speech_minutes_range",
            set_minutes(
                session,
                scope=desk.scope,
                actor=desk.actor,
                meeting_id=meeting_id,
                minutes=0,
                now=NOW,
            ),
        )
        entries = await list_entries(session, object_kind="meeting")
    assert {"speech.move", "speech.call", "speech.spoken", "speech.minutes"} <= {
        e.action for e in entries
    }
    rows = await outbox(db, "speech-called")
    assert len(rows) == 1 and rows[0].dedupe_key == f"speech:{two.id}:called:{rows[0].identity_id}"
    assert "7 minutes" in message_of(rows[0]).text
    assert "&lt;老旧小区&gt;" in message_of(rows[0]).text


async def test_station_staff_cannot_run_proceedings(roster: Database) -> None:
    db = roster
    station = await staff_desk(db, stations=("jf-beian",), name="站点")
    meeting_id = await live_meeting(db)
    async with db.session() as session:
        await _refused(
            "proceedings_unknown",
            call_next(
                session,
                scope=station.scope,
                actor=station.actor,
                meeting_id=meeting_id,
                notifier=notifier(),
                now=NOW,
            ),
        )
        await _refused(
            "proceedings_unknown",
            remarks_page(session, scope=station.scope, meeting_id=meeting_id, page=0),
        )


async def test_remarks_only_in_the_window_limited_and_in_order(roster: Database) -> None:
    db = roster
    desk = await staff_desk(db)
    meeting_id = await live_meeting(db, starts=dt.timedelta(hours=1))
    person = await participant(db, meeting_id, member="M001")
    async with db.session() as session:
        await _refused(
            "remark_outside_window", add_remark(session, participant=person, text="早到了", now=NOW)
        )
        # Staff open the window early: remarks are taken from now on.
        await set_remote_window(
            session,
            scope=desk.scope,
            actor=desk.actor,
            meeting_id=meeting_id,
            opens_at=NOW - dt.timedelta(minutes=1),
            closes_at=None,
            now=NOW,
        )
        await add_remark(session, participant=person, text="第一条", now=NOW)
        await _refused(
            "remark_length", add_remark(session, participant=person, text="长" * 1001, now=NOW)
        )
        for n in range(4):
            await add_remark(session, participant=person, text=f"第{n + 2}条", now=NOW)
        await _refused(
            "remark_too_fast", add_remark(session, participant=person, text="刷屏", now=NOW)
        )
        await add_remark(
            session, participant=person, text="一分钟后", now=NOW + dt.timedelta(minutes=2)
        )
        lines, total = await remarks_page(session, scope=desk.scope, meeting_id=meeting_id, page=1)
    assert total == 6
    assert [line.remark.text for line in lines] == ["一分钟后"]
    assert lines[0].author


async def test_steps_forward_in_order_with_suggestions_at_confirmation(roster: Database) -> None:
    db = roster
    desk = await staff_desk(db)
    meeting_id = await live_meeting(db)
    async with db.session() as session:
        await _refused(
            "step_out_of_order",
            record_step(
                session,
                scope=desk.scope,
                actor=desk.actor,
                meeting_id=meeting_id,
                step=ConsultationStep.DISCUSSION,
                note="",
                now=NOW,
            ),
        )
        for step in CONSULTATION_STEP_ORDER[:-1]:
            await record_step(
                session,
                scope=desk.scope,
                actor=desk.actor,
                meeting_id=meeting_id,
                step=step,
                note=f"{step} 记录",
                now=NOW,
            )
        await _refused(
            "step_out_of_order",
            record_step(
                session,
                scope=desk.scope,
                actor=desk.actor,
                meeting_id=meeting_id,
                step=ConsultationStep.OPINIONS,
                note="",
                now=NOW,
            ),
        )
        await _refused(
            "outcome_suggestions_count",
            record_step(
                session,
                scope=desk.scope,
                actor=desk.actor,
                meeting_id=meeting_id,
                step=ConsultationStep.CONFIRMATION,
                note="",
                suggestions="",
                now=NOW,
            ),
        )
        await record_step(
            session,
            scope=desk.scope,
            actor=desk.actor,
            meeting_id=meeting_id,
            step=ConsultationStep.CONFIRMATION,
            note="一致通过",
            suggestions="1. 设立加装电梯专项资金\n2、简化审批流程",
            now=NOW,
        )
        assert await confirmed_suggestions(session, meeting_id=meeting_id) == [
            "设立加装电梯专项资金",
            "简化审批流程",
        ]
        entries = await list_entries(session, action="meeting.step")
    assert len(entries) == 4


async def test_steps_wait_for_the_start(roster: Database) -> None:
    db = roster
    desk = await staff_desk(db)
    meeting_id = await live_meeting(db, starts=dt.timedelta(days=1))
    async with db.session() as session:
        await _refused(
            "step_not_started",
            record_step(
                session,
                scope=desk.scope,
                actor=desk.actor,
                meeting_id=meeting_id,
                step=ConsultationStep.OPINIONS,
                note="",
                now=NOW,
            ),
        )


async def _confirm(db: Database, desk: Desk, meeting_id: int) -> None:
    async with db.session() as session:
        for step in CONSULTATION_STEP_ORDER:
            await record_step(
                session,
                scope=desk.scope,
                actor=desk.actor,
                meeting_id=meeting_id,
                step=step,
                note="",
                suggestions="1. 第一条建议\n2. 第二条建议",
                now=NOW,
            )


async def test_outcome_formed_once_with_speakers_and_guests(roster: Database) -> None:
    db = roster
    desk = await staff_desk(db)
    meeting_id = await live_meeting(db, invited=("M001", "M002", "M003"))
    guest_chat = await chat_identity(db, 601)
    guest_id = await guest_pass(db, meeting_id, guest_chat)
    speaker = await participant(db, meeting_id, member="M003")
    guest = await participant(db, meeting_id, identity_id=guest_chat)
    async with db.session() as session:
        await _refused(
            "proceedings_not_confirmed",
            form_meeting_outcome(
                session,
                scope=desk.scope,
                actor=desk.actor,
                meeting_id=meeting_id,
                rules=RULES,
                now=NOW,
                tz=TZ,
            ),
        )
        booking = await book_speech(session, participant=speaker, title="我的发言", now=NOW)
        await book_speech(session, participant=guest, title="部门回应", now=NOW)
        await mark_spoken(
            session,
            scope=desk.scope,
            actor=desk.actor,
            meeting_id=meeting_id,
            booking_id=booking.id or 0,
            now=NOW,
        )
        await add_remark(session, participant=guest, text="住建局将配合", now=NOW)
    await _confirm(db, desk, meeting_id)
    async with db.session() as session:
        outcome, formed = await form_meeting_outcome(
            session,
            scope=desk.scope,
            actor=desk.actor,
            meeting_id=meeting_id,
            rules=RULES,
            now=NOW,
            tz=TZ,
        )
        again, formed_again = await form_meeting_outcome(
            session,
            scope=desk.scope,
            actor=desk.actor,
            meeting_id=meeting_id,
            rules=RULES,
            now=NOW,
            tz=TZ,
        )
        members = set(
            (
                await session.execute(
                    select(OutcomeMember.member_id).where(OutcomeMember.outcome_id == outcome.id)
                )
            ).scalars()
        )
        guests = await outcome_guests(session, outcome_id=outcome.id or 0)
        audited = await list_entries(session, action="outcome.form")
    assert formed and not formed_again and again.id == outcome.id
    assert (outcome.source, outcome.consultation, outcome.meeting_id) == (
        "meeting",
        "bimonthly",
        meeting_id,
    )
    assert members == {await member_id(db, "M003")}
    assert guests == [guest_id]
    assert len(audited) == 1


async def test_outcome_refused_to_station_staff(roster: Database) -> None:
    db = roster
    desk = await staff_desk(db)
    station = await staff_desk(db, stations=("jf-beian",), name="站点")
    meeting_id = await live_meeting(db)
    await _confirm(db, desk, meeting_id)
    async with db.session() as session:
        await _refused(
            "proceedings_unknown",
            form_meeting_outcome(
                session,
                scope=station.scope,
                actor=Actor("staff", 0),
                meeting_id=meeting_id,
                rules=RULES,
                now=NOW,
                tz=TZ,
            ),
        )
