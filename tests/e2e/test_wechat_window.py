"""A window shut mid-case: the status change goes as a template, or waits for the resident."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlmodel import col, select

from bot.i18n import build_i18n
from bot.settings import Settings, WeChatTemplate
from fakes.wechat_server import FakeWeChat
from fakes.wechat_user import WeChatUser
from handlers.notifications import ChatNotifier
from services.accounts.scope import StaffScope
from services.audit import Actor
from services.cases.casework import accept
from services.clock import ManualClock
from services.outbox.queue import OutboxState
from storage.db import Database
from storage.models import Issue, OutboxMessage
from tests.conftest import START
from tests.support.wechat_app import serving, wechat_settings, wechat_user

TEMPLATE = "TPL-case-status"
LATER = dt.timedelta(hours=49)


@dataclass
class Running:
    settings: Settings
    clock: ManualClock
    fake: FakeWeChat
    db: Database


async def _run(tmp_path: Path, *, templates: bool) -> AsyncIterator[Running]:
    async with FakeWeChat(templates={TEMPLATE}) as fake:
        clock = ManualClock(START)
        fake.now = clock.now
        mapping = {}
        if templates:
            fields = {"character_string1": "case", "phrase2": "status", "time3": "time"}
            mapping["case-status"] = WeChatTemplate(template_id=TEMPLATE, fields=fields)
        settings = wechat_settings(
            tmp_path, fake, wechat_templates=mapping, quiet_hours="00:00-00:00"
        )
        db = Database(settings.database_url)
        async with serving(settings, clock):
            try:
                yield Running(settings, clock, fake, db)
            finally:
                await db.dispose()


@pytest.fixture
async def with_template(tmp_path: Path) -> AsyncIterator[Running]:
    async for running in _run(tmp_path, templates=True):
        yield running


@pytest.fixture
async def without_template(tmp_path: Path) -> AsyncIterator[Running]:
    async for running in _run(tmp_path, templates=False):
        yield running


async def report(running: Running, openid: str) -> tuple[WeChatUser, Issue]:
    """The resident reports a case on the service account; the case."""
    person = wechat_user(running.settings, running.fake, openid)
    fake = running.fake

    def last() -> str:
        return fake.sent_to(openid)[-1].text

    await person.event("subscribe")
    await person.say("📝 Report an issue")
    await person.tap(fake.sent_to(openid)[-1], "Bei'an")
    await person.tap(fake.sent_to(openid)[-1], "Parking")
    await person.say("Cars block the fire lane at gate 3 every night after 8 pm.")
    assert "Step 4 of 6" in last()
    await person.tap(fake.sent_to(openid)[-1], "Skip")
    await person.tap(fake.sent_to(openid)[-1], "Skip")
    await person.tap(fake.sent_to(openid)[-1], "anonymous")
    await person.tap(fake.sent_to(openid)[-1], "Submit")
    assert "Your case number is" in last(), last()
    async with running.db.session() as session:
        issue = (await session.execute(select(Issue).order_by(col(Issue.id).desc()))).scalar()
    assert issue is not None
    return person, issue


async def accept_later(running: Running, issue: Issue) -> None:
    """Two days pass without a word from the resident; then staff take the case on."""
    running.clock.advance(LATER)
    notifier = ChatNotifier(build_i18n("en"), running.settings.tz)
    admin = StaffScope(staff_id=0, name="Office", admin=True, station_ids=frozenset())
    async with running.db.session() as session:
        assert issue.id is not None
        await accept(
            session,
            issue_id=issue.id,
            scope=admin,
            actor=Actor("cli", None, "office"),
            now=running.clock.now(),
            notifier=notifier,
        )


async def outbox_states(running: Running, issue: Issue) -> list[str]:
    async with running.db.session() as session:
        rows = await session.execute(
            select(OutboxMessage.state).where(col(OutboxMessage.kind) == "case-status")
        )
        return list(rows.scalars())


async def until(states: set[str], running: Running, issue: Issue) -> None:
    """Wait until the case's status notice reaches one of ``states`` (the outbox is polled:
    a held notice shows nowhere else)."""
    for _ in range(300):
        if set(await outbox_states(running, issue)) & states:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the notice never reached {states}")


async def test_outside_the_window_the_status_goes_as_a_template(with_template: Running) -> None:
    running = with_template
    person, issue = await report(running, "o-window-1")
    sent_before = len(running.fake.sent_to(person.openid))
    await accept_later(running, issue)
    await running.fake.wait_for_messages(person.openid, sent_before + 1, timeout=15)
    template = running.fake.sent_to(person.openid)[-1]
    assert template.kind == "template"
    assert template.data["character_string1"]["value"] == issue.number
    await until({OutboxState.SENT}, running, issue)


async def test_without_a_template_the_status_waits_for_the_resident(
    without_template: Running,
) -> None:
    running = without_template
    person, issue = await report(running, "o-window-2")
    sent_before = len(running.fake.sent_to(person.openid))
    await accept_later(running, issue)
    await until({OutboxState.HELD}, running, issue)
    assert len(running.fake.sent_to(person.openid)) == sent_before
    await person.say("Any news?")
    # The answer to the message, then the held notice, as a customer-service message.
    await running.fake.wait_for(
        lambda: any(
            issue.number in item.text and not item.passive
            for item in running.fake.sent_to(person.openid)[sent_before:]
        ),
        timeout=15,
    )
    await until({OutboxState.SENT}, running, issue)
