"""🏆 Assessment standings → ⚙ The year's steps: close, recommend, decide, publish, reopen.

Administrators walk the year shown by the standings through its life, as the command line
does. The year lives in the dialog's start data, never in a button; every press reads the
year afresh and compares it with the card it was drawn for (``drawn``): a card drawn before
a colleague acted is refused as out of date and drawn again. Ids in buttons (a committee, a
member, a sector) are checked against the year's pool on every press, and the services check
them once more. Station staff are refused on every draw and press (their scope read afresh).
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager, ShowMode
from aiogram_dialog.widgets.kbd import Button

from handlers.dialogs.guard import Refused
from handlers.dialogs.press import answer
from handlers.staff.desk import desk_of
from handlers.staff.record_view import admin_reader
from handlers.staff.year_steps_getters import ALLOWED, pool_scroll, steps_year, ticked_ids
from handlers.staff.year_steps_views import (
    YearState,
    committees,
    refusal_text,
    year_state,
)
from handlers.states import YearSteps
from services.assessment.decisions import record_decision, record_recommendation
from services.assessment.publication import close_year, publish_year, reopen_year
from services.errors import DomainError, NotFoundError
from services.members.rules import RuleBook

log = logging.getLogger(__name__)


async def open_steps(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """From the standings: the steps of the year shown there."""
    reader = await admin_reader(manager)
    year = int(manager.dialog_data.get("year") or reader.today.year)
    await manager.start(YearSteps.menu, data={"year": year})


async def year_before(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """The year before this one (closed in January), or back; no year travels in a button.

    The standings' past years are the closed ones only, so a year just ended and still open
    is reached from here.
    """
    reader = await admin_reader(manager)
    before = reader.today.year - 1
    manager.dialog_data["year"] = None if steps_year(manager) == before else before


async def _fresh(manager: DialogManager, step: str | None = None) -> YearState | None:
    """The year, if it is still as the pressed card showed it (and ``step`` may start from it).

    Out of date: the press is answered and the steps' card drawn again as the year stands.
    """
    reader = await admin_reader(manager)
    year = await year_state(reader.session, steps_year(manager))
    if manager.dialog_data.get("drawn") != year.token:
        log.info("chat %s: stale card of the year %s", desk_of(manager).turn.chat_id, year.year)
        await answer(manager, _("This card is out of date: the year has changed."), alert=True)
        await manager.switch_to(YearSteps.menu)
        return None
    if step is not None and not ALLOWED[step](year):
        raise Refused(_("This button is not valid."), alert=True)
    return year


async def _done(manager: DialogManager, text: str) -> None:
    """Say what happened, and go back to the steps' card (drawn anew below)."""
    await answer(manager, text, alert=True)
    await manager.switch_to(YearSteps.menu, show_mode=ShowMode.SEND)


async def _refused(manager: DialogManager, error: DomainError, year: int) -> None:
    log.info("chat %s: year step refused (%s)", desk_of(manager).turn.chat_id, error.code)
    await answer(manager, refusal_text(error, year), alert=True)
    await manager.switch_to(YearSteps.menu)


# --- presses ------------------------------------------------------------------------------------


def to_step(step: str, state: Any) -> Any:
    """A button of the steps' card: to ``state``, if the year still allows ``step``."""

    async def go(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
        year = await _fresh(manager, step)
        if year is None:
            return
        await pool_scroll(manager).set_page(0)
        if step == "decide":
            # Start from the decision as recorded (nothing ticked before the first one).
            manager.dialog_data["members"] = [r.subject_id for r in year.members if r.excellent]
            manager.dialog_data["sectors"] = [r.subject_id for r in year.sectors if r.excellent]
        await manager.switch_to(state)

    return go


async def close_confirmed(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Close the year: its standings frozen with the rules version."""
    if (year := await _fresh(manager, "close")) is None:
        return
    desk, rulebook = desk_of(manager), manager.middleware_data["rulebook"]
    assert isinstance(rulebook, RuleBook)
    try:
        await close_year(
            desk.session,
            year=year.year,
            rules=rulebook.for_year(year.year),
            actor=desk.actor,
            now=desk.now,
            tz=manager.middleware_data["tz"],
            scope=desk.scope,
        )
    except DomainError as error:
        await _refused(manager, error, year.year)
        return
    await _done(manager, _("{year} is closed: its standings are frozen.").format(year=year.year))


async def committee_chosen(
    callback: CallbackQuery, widget: Any, manager: DialogManager, item: str
) -> None:
    """A special committee: its current recommendation ticked, to change."""
    if (year := await _fresh(manager, "recommend")) is None:
        return
    reader = await admin_reader(manager)
    known = dict(await committees(reader.session, reader.locale))
    if not item.isdigit() or int(item) not in known:
        log.warning("chat %s: forged committee %r", callback.from_user.id, item)
        raise Refused(_("This button is not valid."), alert=True)
    manager.dialog_data["committee"] = int(item)
    manager.dialog_data["ticked"] = [
        r.subject_id for r in year.members if r.recommended_by_committee_id == int(item)
    ]
    await manager.switch_to(YearSteps.recommend)


def toggle(key: str, kind: str) -> Any:
    """Tick or untick a pool member or sector; an id outside the pool is refused."""

    async def toggle(
        callback: CallbackQuery, widget: Any, manager: DialogManager, item: str
    ) -> None:
        if (year := await _fresh(manager)) is None:
            return
        if not item.isdigit() or not year.in_pool(kind, int(item)):
            log.warning("chat %s: forged %s %r", callback.from_user.id, kind, item)
            raise Refused(_("This button is not valid."), alert=True)
        ticked = ticked_ids(manager, key) ^ {int(item)}
        manager.dialog_data[key] = sorted(ticked)

    return toggle


async def recommend_confirmed(
    callback: CallbackQuery, button: Button, manager: DialogManager
) -> None:
    """Record the chosen committee's recommended members (its earlier list replaced)."""
    if (year := await _fresh(manager, "recommend")) is None:
        return
    desk = desk_of(manager)
    try:
        count = await record_recommendation(
            desk.session,
            year=year.year,
            committee_id=int(manager.dialog_data.get("committee", 0)),
            member_ids=sorted(ticked_ids(manager, "ticked")),
            actor=desk.actor,
            now=desk.now,
            scope=desk.scope,
        )
    except NotFoundError:
        raise Refused(_("This button is not valid."), alert=True) from None
    except DomainError as error:
        await _refused(manager, error, year.year)
        return
    await _done(manager, _("The recommendation is recorded: {count} members.").format(count=count))


async def decide_confirmed(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Record the decision: the ticked are excellent, the rest of the pool is not."""
    if (year := await _fresh(manager, "decide")) is None:
        return
    desk = desk_of(manager)
    try:
        members, sectors = await record_decision(
            desk.session,
            year=year.year,
            member_ids=sorted(ticked_ids(manager, "members")),
            sector_ids=sorted(ticked_ids(manager, "sectors")),
            actor=desk.actor,
            now=desk.now,
            scope=desk.scope,
        )
    except DomainError as error:
        await _refused(manager, error, year.year)
        return
    text = _("The decision is recorded: {members} members and {sectors} sectors excellent.")
    await _done(manager, text.format(members=members, sectors=sectors))


async def publish_confirmed(
    callback: CallbackQuery, button: Button, manager: DialogManager
) -> None:
    """Publish the year: every linked member told; the delivery loop woken for the notices."""
    if (year := await _fresh(manager, "publish")) is None:
        return
    desk = desk_of(manager)
    try:
        queued = await publish_year(
            desk.session,
            year=year.year,
            actor=desk.actor,
            now=desk.now,
            notifier=manager.middleware_data["notifier"],
            scope=desk.scope,
        )
    except DomainError as error:
        await _refused(manager, error, year.year)
        return
    manager.middleware_data["wake_delivery"]()
    text = _("{year} is published: {count} notices are on their way.")
    await _done(manager, text.format(year=year.year, count=queued))


async def reopen_confirmed(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Open the closed year again (its frozen results dropped)."""
    if (year := await _fresh(manager, "reopen")) is None:
        return
    desk = desk_of(manager)
    try:
        await reopen_year(
            desk.session, year=year.year, actor=desk.actor, now=desk.now, scope=desk.scope
        )
    except DomainError as error:
        await _refused(manager, error, year.year)
        return
    await _done(manager, _("{year} is open again.").format(year=year.year))
