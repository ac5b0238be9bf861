"""📈 Reports → 🔥 Hotspots: the month's hotspots, their cards, and a topic from one in one tap.

The month's hotspots come a page at a time, a card each, with the workbook and a run on demand.

Administrators see every hotspot; station staff see those of their stations (see
:mod:`services.hotspots.staff_view`) and may not run the month again. The month and the hotspot
shown live in the dialog; a hotspot id from a button is checked again against the presser's
scope, so a forged id is refused.
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot, F
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, CallbackQuery
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager, ShowMode, StartMode, Window
from aiogram_dialog.widgets.common import ManagedScroll
from aiogram_dialog.widgets.kbd import Button, Cancel, Row, StubScroll, SwitchTo
from aiogram_dialog.widgets.text import Format

from handlers.dialogs.context import Reader, reader_of
from handlers.dialogs.guard import Refused, guard
from handlers.dialogs.paging import choices, page_buttons
from handlers.dialogs.text import T
from handlers.staff.desk import Desk
from handlers.staff.hotspot_views import card_html, list_label
from services.accounts.scope import StaffScope, scope_of
from services.audit import Actor
from services.errors import DomainError
from services.hotspots.engine import run_month
from services.hotspots.months import month_of, parse_month, previous_month
from services.hotspots.staff_view import (
    PAGE,
    get_hotspot,
    hotspot_page,
    hotspot_to_topic,
    latest_month,
    run_of,
    topic_of_hotspot,
)
from services.reports.hotspot_workbook import hotspot_workbook
from services.translation import N_
from storage.models import IssueCategory, Staff, Station

log = logging.getLogger(__name__)


class HotspotDesk(StatesGroup):
    """The month's list and one hotspot's card."""

    month = State()
    card = State()


async def open_hotspots(desk: Desk, manager: DialogManager) -> None:
    """Start on the newest month that ran (the month just ended when none did)."""
    month = await latest_month(desk.session) or previous_month(month_of(desk.now, desk.turn.tz))
    await manager.start(
        HotspotDesk.month, data={"month": month}, mode=StartMode.RESET_STACK,
        show_mode=ShowMode.SEND,
    )  # fmt: skip


async def _reader(manager: DialogManager) -> tuple[Reader, Staff, StaffScope]:
    """The reader, the staff member and their scope, read afresh for every event."""
    reader = reader_of(manager)
    staff: Staff = manager.middleware_data["staff"]
    return reader, staff, await scope_of(reader.session, staff)


def _month(manager: DialogManager) -> str:
    start = manager.start_data if isinstance(manager.start_data, dict) else {}
    return parse_month(str(manager.dialog_data.get("month") or start.get("month")))


async def month_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """One page of the month's hotspots."""
    reader, _staff, scope = await _reader(dialog_manager)
    month = _month(dialog_manager)
    run = await run_of(reader.session, month=month)
    scroll = dialog_manager.find("hs_pages")
    assert isinstance(scroll, ManagedScroll)
    page = await scroll.get_page()
    hotspots, total = await hotspot_page(reader.session, month=month, scope=scope, page=page)
    pages = max(1, -(-total // PAGE))
    if page >= pages:
        await scroll.set_page(pages - 1)
        hotspots, total = await hotspot_page(
            reader.session, month=month, scope=scope, page=pages - 1
        )
    return {
        "month": month,
        "ran": run is not None,
        "none": run is not None and total == 0,
        "total": total,
        "cases": run.cases if run else 0,
        "records": run.hotline_records if run else 0,
        "items": [(str(h.id), list_label(h)) for h in hotspots],
        "page": min(page, pages - 1) + 1,
        "pages": pages,
        "current_page": min(page, pages - 1),
        "admin": scope.admin,
    }


async def hotspot_chosen(
    callback: CallbackQuery, widget: Any, manager: DialogManager, item: str
) -> None:
    """Open a hotspot's card; an id not of this month or not in reach is refused."""
    reader, _staff, scope = await _reader(manager)
    try:
        hotspot = await get_hotspot(reader.session, hotspot_id=int(item), scope=scope)
        run = await run_of(reader.session, month=_month(manager))
        if run is None or hotspot.run_id != run.id:
            raise DomainError("hotspot_not_found")
    except (DomainError, ValueError):
        log.warning("chat %s asked for hotspot %r", callback.from_user.id, item)
        raise Refused(_("This button is not valid."), alert=True) from None
    manager.dialog_data["hotspot"] = hotspot.id
    await manager.switch_to(HotspotDesk.card)


async def _shown(manager: DialogManager, scope: StaffScope, reader: Reader) -> Any:
    """The hotspot of the card, checked again (a scope can shrink between two presses)."""
    try:
        return await get_hotspot(
            reader.session, hotspot_id=int(manager.dialog_data.get("hotspot") or 0), scope=scope
        )
    except DomainError:
        raise Refused(_("This hotspot is not yours to see."), alert=True) from None


async def card_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """The card of the hotspot chosen."""
    reader, _staff, scope = await _reader(dialog_manager)
    hotspot = await _shown(dialog_manager, scope, reader)
    session = reader.session
    topic = await topic_of_hotspot(session, hotspot_id=hotspot.id)
    category = (
        await session.get(IssueCategory, hotspot.category_id) if hotspot.category_id else None
    )
    station = await session.get(Station, hotspot.station_id) if hotspot.station_id else None
    card = card_html(hotspot, month=_month(dialog_manager), category=category, station=station,
                     topic=topic, locale=reader.locale)  # fmt: skip
    return {"card": card, "no_topic": topic is None}


async def turn_into_topic(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Make the hotspot a topic; a second press shows the topic it already became."""
    reader, staff, scope = await _reader(manager)
    hotspot = await _shown(manager, scope, reader)
    topic, made = await hotspot_to_topic(
        reader.session, hotspot_id=hotspot.id, scope=scope, actor=Actor.staff(staff),
        now=reader.now, tz=reader.tz,
    )  # fmt: skip
    if made:
        await callback.answer(
            _("Topic added to the suggestions: {title}").format(title=topic.title)
        )
    else:
        await callback.answer(
            _("This hotspot is already a topic: {title}").format(title=topic.title),
            show_alert=True,
        )


async def send_workbook(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """The month's hotspots within reach as a workbook."""
    reader, _staff, scope = await _reader(manager)
    month = _month(manager)
    await callback.answer()
    book = await hotspot_workbook(reader.session, month=month, scope=scope, locale=reader.locale)
    bot: Bot = manager.middleware_data["bot"]
    document = BufferedInputFile(book, filename=f"hotspots-{month}.xlsx")
    caption = _("Hotspots of {month}: every hotspot and its examples.").format(month=month)
    chat = callback.message.chat.id if callback.message else callback.from_user.id
    await bot.send_document(chat, document, caption=caption)
    manager.show_mode = ShowMode.NO_UPDATE


async def run_again(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Find the month's hotspots afresh (administrators only)."""
    reader, staff, scope = await _reader(manager)
    if not scope.admin:
        raise Refused(_("Only the office's administrators can run the hotspots."), alert=True)
    run = await run_month(
        reader.session, month=_month(manager), tz=reader.tz, now=reader.now,
        actor=Actor.staff(staff), replace=True,
    )  # fmt: skip
    await callback.answer(_("{count} hotspots found.").format(count=run.hotspots))


async def earlier(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """The month before."""
    manager.dialog_data["month"] = previous_month(_month(manager))
    scroll = manager.find("hs_pages")
    assert isinstance(scroll, ManagedScroll)
    await scroll.set_page(0)


def hotspot_desk_dialog() -> Dialog:
    """A fresh hotspots dialog (one per Dispatcher)."""
    pages = ("hs_prev", N_("◀ Back")), ("hs_next", N_("More ▶"))
    return guard(
        Dialog(
            Window(
                T("<b>Hotspots {month}</b>"),
                T("Not run yet.", when=~F["ran"]),
                T(
                    "{total} hotspots from {cases} cases and {records} hotline records "
                    "(page {page} of {pages}).",
                    when=F["ran"] & ~F["none"],
                ),
                T("No hotspot you can see this month.", when="none"),
                choices("hotspot", hotspot_chosen),
                StubScroll(id="hs_pages", pages="pages"),
                page_buttons("hs_pages", back=pages[0], forward=pages[1]),
                Row(
                    Button(T("📥 The workbook"), id="hs_book", on_click=send_workbook, when="ran"),
                    Button(T("🔄 Run again"), id="hs_run", on_click=run_again, when="admin"),
                ),
                Button(T("🗓 The month before"), id="hs_earlier", on_click=earlier),
                Cancel(T("✖ Close")),
                getter=month_getter,
                state=HotspotDesk.month,
            ),
            Window(
                Format("{card}"),
                Button(
                    T("💡 Turn into a topic"),
                    id="hs_topic",
                    on_click=turn_into_topic,
                    when="no_topic",
                ),
                SwitchTo(T("◀ Back"), id="hs_back", state=HotspotDesk.month),
                getter=card_getter,
                state=HotspotDesk.card,
            ),
        )
    )
