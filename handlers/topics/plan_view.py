"""The year's consultation plan as a chat message: ``/plan`` for everyone, the desk's plan card.

Members and residents read the published plan only; the desk shows the draft as it stands.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.texts import escape
from handlers.topics.texts import form_name
from services.clock import Clock, local_date
from services.reference.catalog import display_name
from services.topics.plan import PlannedTopic, published_plan, published_topics


def plan_lines(planned: Sequence[PlannedTopic], locale: str) -> list[str]:
    """One line a planned topic: month, title, lead committee, form, key and long-running marks."""
    lines = []
    for entry in planned:
        marks = ("⭐ " if entry.item.key else "") + ("♾ " if entry.topic.long_running else "")
        lines.append(
            _("Month {month} · {marks}<b>{title}</b> — {committee}, {form}").format(
                month=entry.item.month,
                marks=marks,
                title=escape(entry.topic.title),
                committee=escape(display_name(entry.committee, locale)),
                form=escape(form_name(entry.item.form, locale)),
            )
        )
    return lines


async def published_plan_text(session: AsyncSession, *, year: int, locale: str) -> str:
    """The year's published plan, or a line saying there is none yet."""
    plan = await published_plan(session, year=year)
    if plan is None:
        return _("The {year} consultation plan is not published yet.").format(year=year)
    heading = _("<b>The {year} consultation plan</b> (version {version})").format(
        year=year, version=plan.version
    )
    legend = _("⭐ key topic · ♾ long-running topic")
    lines = plan_lines(await published_topics(session, year=year), locale)
    return "\n".join([heading, *lines, legend])


async def plan_command(
    message: Message, session: AsyncSession, clock: Clock, tz: dt.tzinfo, locale: str
) -> None:
    """Show the year's published plan."""
    year = local_date(clock.now(), tz).year
    await message.answer(await published_plan_text(session, year=year, locale=str(locale)))


def setup() -> Router:
    """``/plan``, on a fresh router."""
    router = Router(name="consultation-plan")
    router.message.register(plan_command, Command("plan"))
    return router
