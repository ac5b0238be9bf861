"""``/log 2026-11-20 12 forum with teachers``: an activity in one line, saved after a review."""

from __future__ import annotations

from typing import Any

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager

from handlers.member.context import LogContext
from handlers.member.log_entry import SHORTCUT, entry_open, offer, open_entry, start_filled
from handlers.member.log_steps import date_error
from handlers.parsing import parse_count, parse_day
from services.errors import DomainError
from services.members import activities


def usage() -> str:
    """How to write the shortcut."""
    return _(
        "Write it like this:\n"
        "<code>/log 2026-11-20 12 forum with teachers on after-school care</code>\n"
        "(the date, the number of people, then what happened). For everything else, use "
        "“🗓 Log an activity”."
    )


async def shortcut(
    message: Message, command: CommandObject, log: LogContext, dialog_manager: DialogManager
) -> None:
    """``/log <date> <people> <summary>``: a draft with the year's default kind, to confirm.

    ``/log`` alone opens the full dialog. With an unsaved entry open, the member chooses first
    between that entry and this line; neither is lost without asking.
    """
    if not command.args:
        await open_entry(log, dialog_manager)
        return
    parts = command.args.split(maxsplit=2)
    if len(parts) < 3:
        await message.answer(usage())
        return
    day = parse_day(parts[0], log.today)
    people = parse_count(parts[1])
    if day is None or people is None:
        await message.answer(usage())
        return
    try:
        activities.check_date(day, log.today)
        activities.check_people(people)
        summary = activities.check_summary(parts[2])
    except DomainError as error:
        await message.answer(_shortcut_error(error))
        return
    fields: dict[str, Any] = {
        "kind": log.rules.default_kind,
        "day": day.isoformat(),
        "sector_id": log.member.sector.id,
        "people": people,
        "paired": [],
        "place": "",
        "station_id": None,
        "summary": summary,
        "photos": [],
    }
    if entry_open(dialog_manager):
        # Kept with the offer, beside the open entry: the member may still want that one.
        await offer(dialog_manager, then=SHORTCUT, fields=fields)
        return
    await start_filled(log, dialog_manager, fields)


def _shortcut_error(error: DomainError) -> str:
    if error.code in ("date_future", "date_too_old"):
        return date_error(error)
    if error.code == "people_range":
        return _("Please give a number of people from {minimum} to {maximum}.").format(
            **error.params
        )
    if error.code == "summary_too_long":
        return _("The summary is too long: {length} characters, at most {maximum}.").format(
            **error.params
        )
    return _("The summary is too short: {length} characters, at least {minimum}.").format(
        **error.params
    )


def setup() -> Router:
    """The handlers of this module, on a fresh router."""
    router = Router(name="member-log-shortcut")
    router.message.register(shortcut, Command("log"))
    return router
