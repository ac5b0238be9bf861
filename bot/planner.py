"""The reminder planner: periodic jobs that queue what is due, then wake the delivery loop."""

from __future__ import annotations

import logging

from bot.app import AppContext
from services.assessment.summaries import year_summaries
from services.consultations.research import research_reminders
from services.meetings.attendance import close_ended
from services.reminders.campaigns import campaign_reminders
from services.reminders.cases import issue_reminders
from services.reminders.duties import minimum_reminders
from services.reminders.duty_turns import duty_turn_reminders
from services.reminders.pipeline import pipeline_reminders
from services.reminders.planning import meeting_reminders, queue_dues
from services.reminders.settings import ReminderSettings

log = logging.getLogger(__name__)


class Planner:
    """Plans reminders from what the database says now; safe to run twice or in two processes."""

    def __init__(self, ctx: AppContext, settings: ReminderSettings | None = None) -> None:
        self.ctx = ctx
        self.settings = settings or ReminderSettings()
        self.notifier = ctx.notifier

    async def every_minute(self) -> int:
        """Meeting and case reminders, and attendance of meetings that just ended."""
        now = self.ctx.clock.now()
        async with self.ctx.db.session() as session:
            closed = await close_ended(
                session,
                now=now,
                notifier=self.notifier,
                rulebook=self.ctx.rulebook,
                tz=self.ctx.settings.tz,
            )
            dues = await meeting_reminders(session, now=now, settings=self.settings)
            dues += await issue_reminders(session, now=now, settings=self.settings)
            dues += await duty_turn_reminders(
                session, now=now, tz=self.ctx.settings.tz, settings=self.settings
            )
            queued = await queue_dues(session, dues, notifier=self.notifier, now=now)
        if queued or closed:
            log.info("planned %s reminders, closed %s meetings", queued, closed)
            self.ctx.wake_delivery()
        return queued

    async def quarter_checks(self) -> int:
        """The minimums (members short, pace, staff's summary) and the campaign months."""
        now = self.ctx.clock.now()
        async with self.ctx.db.session() as session:
            dues = await minimum_reminders(
                session,
                now=now,
                tz=self.ctx.settings.tz,
                rulebook=self.ctx.rulebook,
                settings=self.settings,
            )
            dues += await campaign_reminders(
                session,
                now=now,
                tz=self.ctx.settings.tz,
                rulebook=self.ctx.rulebook,
                settings=self.settings,
            )
            # Departments' handling and look backs, the chase list, members' ratings.
            dues += await pipeline_reminders(
                session,
                now=now,
                tz=self.ctx.settings.tz,
                rulebook=self.ctx.rulebook,
                settings=self.settings,
            )
            dues += await research_reminders(session, now=now, tz=self.ctx.settings.tz)
            # The year-end summaries (31 Dec 18:00 to 7 Jan), each member's own year.
            dues += await year_summaries(
                session, now=now, tz=self.ctx.settings.tz, rulebook=self.ctx.rulebook
            )
            queued = await queue_dues(session, dues, notifier=self.notifier, now=now)
        if queued:
            log.info("planned %s minimum and campaign reminders", queued)
            self.ctx.wake_delivery()
        return queued
