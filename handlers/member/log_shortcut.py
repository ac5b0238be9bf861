"""``/log 2026-11-20 12 forum with teachers``: an activity in one line, saved after a review."""

from __future__ import annotations

import logging
import secrets
from typing import Any

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from handlers.member.log_flow import LogContext, in_entry, offer_open_entry, open_entry, show_review
from handlers.member.log_steps import date_error
from handlers.messaging import show_choice
from handlers.parsing import parse_count, parse_day
from services.errors import DomainError
from services.members import activities

log_ = logging.getLogger(__name__)

# Where a checked shortcut waits while the member decides about the entry already open.
PENDING = "pending_shortcut"


class ShortcutCB(CallbackData, prefix="aj"):
    """Discard the open entry for the ``/log`` line waiting under ``token``."""

    token: str


def usage() -> str:
    """How to write the shortcut."""
    return _(
        "Write it like this:\n"
        "<code>/log 2026-11-20 12 forum with teachers on after-school care</code>\n"
        "(the date, the number of people, then what happened). For everything else, use "
        "“🗓 Log an activity”."
    )


async def shortcut(message: Message, command: CommandObject, log: LogContext) -> None:
    """``/log <date> <people> <summary>``: a draft with the year's default kind, to confirm.

    ``/log`` alone opens the full dialog. With an unsaved entry open, the member chooses first
    between that entry and this line; neither is lost without asking.
    """
    if not command.args:
        await open_entry(log)
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
    if await in_entry(log.state):
        # Kept beside the open draft, not over it: the member may still want that one.
        token = secrets.token_hex(4)
        await log.state.update_data({PENDING: {"token": token, **fields}})
        await offer_open_entry(
            log, discard_text=_("🗑 Discard it and log this one"), discard=ShortcutCB(token=token)
        )
        return
    await _review_shortcut(log, fields)


async def _review_shortcut(log: LogContext, fields: dict[str, Any]) -> None:
    await log.state.clear()
    await log.state.update_data(draft=secrets.token_hex(8), **fields)
    await show_review(log)


async def shortcut_chosen(
    callback: CallbackQuery, callback_data: ShortcutCB, log: LogContext
) -> None:
    """Discard the open entry and review the ``/log`` line that was waiting for it."""
    pending = (await log.state.get_data()).get(PENDING)
    if not isinstance(pending, dict) or pending.get("token") != callback_data.token:
        # Saved, discarded or replaced since: the line is gone with the draft it waited by.
        log_.info("chat %s: stale /log choice %r", callback.from_user.id, callback_data.token)
        await callback.answer(
            _("That choice has expired. Please send your /log line again."), show_alert=True
        )
        return
    fields = {key: value for key, value in pending.items() if key != "token"}
    await show_choice(callback, _("Entry discarded."))
    await _review_shortcut(log, fields)


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
    router.callback_query.register(shortcut_chosen, ShortcutCB.filter())
    return router
