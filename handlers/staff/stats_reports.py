"""Sending a case report to a staff chat: a short summary, the PNG chart, the XLSX file."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial

from aiogram import Bot
from aiogram.types import BufferedInputFile

from handlers.staff.desk import Desk
from handlers.texts import escape
from services.reports.case_charts import cases_chart, satisfaction_chart, timings_chart
from services.reports.case_summary import cases_summary, satisfaction_summary, timings_summary
from services.reports.case_workbook import cases_workbook, satisfaction_workbook, timings_workbook
from services.reports.cases import Reach, case_counts
from services.reports.ratings import satisfaction
from services.reports.times import timings
from services.reports.wording import period_slug, reach_label
from storage.models import Station

TEXT_LIMIT = 4000


def summary_html(summary: str) -> str:
    """A plain-text summary as a message: its first line bold, everything escaped."""
    first, _newline, rest = summary[:TEXT_LIMIT].partition("\n")
    return f"<b>{escape(first)}</b>\n{escape(rest)}"


async def send_files(
    bot: Bot,
    desk: Desk,
    *,
    name: str,
    draw: Callable[[], bytes],
    spreadsheet: bytes,
    caption: str,
) -> None:
    """The chart (drawn off the event loop) as a photo, then the spreadsheet as a document."""
    png = await asyncio.to_thread(draw)
    chat = desk.turn.chat_id
    await bot.send_photo(chat, BufferedInputFile(png, filename=f"{name}.png"), caption=caption)
    await bot.send_document(
        chat, BufferedInputFile(spreadsheet, filename=f"{name}.xlsx"), caption=caption
    )


async def send_report(action: str, bot: Bot, desk: Desk, reach: Reach) -> None:
    """Count, then send the summary, the chart and the workbook of one case report."""
    locale, session = desk.turn.locale, desk.session
    period = reach.period
    name = f"{action}-{period_slug(period)}"
    if action == "cases":
        counts = await case_counts(session, reach=reach)
        stations: list[Station] = [station for station, _n in counts.by_station]
        where = _where(reach, stations, locale)
        summary = cases_summary(counts, period, where, locale)
        book = cases_workbook(counts, period, where, locale)
        draw = partial(cases_chart, counts, period, locale)
    elif action == "timings":
        times = await timings(session, reach=reach, now=desk.now)
        where = _where(reach, [station for station, _f in times.by_station], locale)
        summary = timings_summary(times, period, where, locale)
        book = timings_workbook(times, period, where, locale)
        draw = partial(timings_chart, times, period, locale)
    else:
        rated = await satisfaction(session, reach=reach)
        where = _where(reach, [station for station, _f in rated.by_station], locale)
        summary = satisfaction_summary(rated, period, where, locale)
        book = satisfaction_workbook(rated, period, where, locale)
        draw = partial(satisfaction_chart, rated, period, locale)
    await desk.turn.say(summary_html(summary))
    caption = summary.partition("\n")[0]
    await send_files(bot, desk, name=name, draw=draw, spreadsheet=book, caption=escape(caption))


def _where(reach: Reach, stations: list[Station], locale: str) -> str:
    admin = reach.scope is None or reach.scope.admin
    return reach_label(stations, every=admin, one=reach.station_id is not None, locale=locale)
