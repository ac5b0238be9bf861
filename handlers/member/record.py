"""📁 My record: the year so far, its items and lines, asking for a correction, past years.

The member is always the one behind the chat (``LogContext.member``): a line id or an item
code in a button is only a choice among the member's own, checked again on every press, so a
forged button naming someone else's line learns nothing.
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager, ShowMode, StartMode, Window
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button, Column, Row, ScrollingGroup, Select, SwitchTo
from aiogram_dialog.widgets.text import Format

from handlers.archive_links import send_printable
from handlers.callbacks import MemberMenuCB
from handlers.dialogs.text import T
from handlers.filters import ButtonText
from handlers.member.context import LogContext
from handlers.member.log_steps import member_log
from handlers.member.record_request import (
    NOT_AVAILABLE,
    back_from_request,
    confirm_getter,
    item_open_to_requests,
    line_getter,
    missing_pressed,
    reason_typed,
    send_request,
    text_expected,
)
from handlers.member.record_views import item_name, line_label, past_text, year_card
from handlers.states import MyRecord
from handlers.texts import Buttons
from services.assessment.corrections import own_line
from services.assessment.line_sources import line_sources
from services.assessment.ranking import points_text
from services.assessment.record import past_years
from services.assessment.scores import member_lines
from services.errors import NotFoundError

log_ = logging.getLogger(__name__)


async def open_record(log: LogContext, manager: DialogManager) -> None:
    """The year card on top of whatever else (an unsaved entry stays under it)."""
    await manager.start(MyRecord.year, mode=StartMode.NORMAL, show_mode=ShowMode.SEND)


async def record_command(message: Message, log: LogContext, dialog_manager: DialogManager) -> None:
    """The menu button and /record."""
    await open_record(log, dialog_manager)


async def record_button(
    callback: CallbackQuery, log: LogContext, dialog_manager: DialogManager
) -> None:
    """A notice's "📁 My record" button."""
    await callback.answer()
    await open_record(log, dialog_manager)


# --- getters -----------------------------------------------------------------------------------


async def year_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """The year card and the member's items."""
    log = await member_log(dialog_manager)
    card, score = await year_card(
        log.session,
        member_id=log.member.id,
        name=log.member.member.name,
        rules=log.rules,
        today=log.today,
        locale=log.turn.locale,
        tz=log.turn.tz,
    )
    items = []
    for item in score.items if score else ():
        label = f"{item_name(log.rules, item.code, log.turn.locale)} · {points_text(item.points_c)}"
        items.append((item.code, label))
    return {"card": card, "items": items, "has_items": bool(items), "assessed": score is not None}


async def lines_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """The chosen item's lines, each naming its source."""
    log = await member_log(dialog_manager)
    code = str(dialog_manager.dialog_data.get("item", ""))
    lines = await member_lines(
        log.session, member_id=log.member.id, year=log.today.year, item_code=code
    )
    sources = await line_sources(log.session, [(x.source_kind, x.source_id) for x in lines])
    labels = [
        (
            x.id,
            line_label(
                x, sources[(x.source_kind, x.source_id)], log.rules, log.turn.locale, log.turn.tz
            ),
        )
        for x in lines
    ]
    return {
        "item": item_name(log.rules, code, log.turn.locale),
        "lines": labels,
        "can_miss": await item_open_to_requests(dialog_manager),
    }


async def past_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """The member's closed years, each with a button for its printable record."""
    log = await member_log(dialog_manager)
    years = await past_years(log.session, member_id=log.member.id)
    return {
        "past": past_text(years, log.turn.locale),
        "years": [(y.result.year, f"🖨 {y.result.year}") for y in years],
    }


async def reason_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """Whether the reason asked for is about a line or the whole item."""
    return {"whole": dialog_manager.dialog_data.get("about") == "item"}


# --- actions -----------------------------------------------------------------------------------


async def item_chosen(
    callback: CallbackQuery, widget: Select[str], manager: DialogManager, code: str
) -> None:
    """An item of the member's own year; any other code is refused."""
    log = await member_log(manager)
    lines = await member_lines(
        log.session, member_id=log.member.id, year=log.today.year, item_code=code
    )
    if not lines:
        log_.warning("chat %s asked for item %r", callback.from_user.id, code)
        await callback.answer(_("This button is not valid."), show_alert=True)
        return
    manager.dialog_data["item"] = code
    await manager.switch_to(MyRecord.lines)


async def line_chosen(
    callback: CallbackQuery, widget: Select[str], manager: DialogManager, item: str
) -> None:
    """One of the member's lines; anyone else's is "not available", nothing more."""
    log = await member_log(manager)
    try:
        line = await own_line(
            log.session, member_id=log.member.id, line_id=int(item) if item.isdigit() else 0
        )
    except NotFoundError:
        log_.warning("chat %s asked for ledger line %r", callback.from_user.id, item)
        await callback.answer(_(NOT_AVAILABLE), show_alert=True)
        return
    manager.dialog_data.update(line=line.id, reason="", about="line")
    await manager.switch_to(MyRecord.line)


async def print_pressed(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """🖨 The link to this year's printable record: always the chat's own member's."""
    log = await member_log(manager)
    await send_printable(
        callback, manager.middleware_data, log.turn, member_id=log.member.id, year=log.today.year
    )
    manager.show_mode = ShowMode.NO_UPDATE


async def past_print_chosen(
    callback: CallbackQuery, widget: Select[str], manager: DialogManager, item: str
) -> None:
    """🖨 A closed year's printable record: only a year of the member's own past years."""
    log = await member_log(manager)
    own = {y.result.year for y in await past_years(log.session, member_id=log.member.id)}
    if not item.isdigit() or int(item) not in own:
        log_.warning("chat %s asked for the printable year %r", callback.from_user.id, item)
        await callback.answer(_("This button is not valid."), show_alert=True)
        return
    await send_printable(
        callback, manager.middleware_data, log.turn, member_id=log.member.id, year=int(item)
    )
    manager.show_mode = ShowMode.NO_UPDATE


def record_dialog() -> Dialog:
    """A fresh My record dialog (one per Dispatcher)."""
    return Dialog(
        Window(
            Format("{card}"),
            SwitchTo(T("📋 Items and lines"), id="items", state=MyRecord.items, when="has_items"),
            SwitchTo(T("🗓 Past years"), id="past", state=MyRecord.past),
            Button(T("🖨 Printable record"), id="print", on_click=print_pressed, when="assessed"),
            getter=year_getter,
            state=MyRecord.year,
        ),
        Window(
            T("<b>My items</b>: choose one to see its lines."),
            Column(
                Select(
                    Format("{item[1]}"),
                    id="item",
                    item_id_getter=lambda x: x[0],
                    items="items",
                    on_click=item_chosen,
                )
            ),
            SwitchTo(T("◀ Back"), id="to_year", state=MyRecord.year),
            getter=year_getter,
            state=MyRecord.items,
        ),
        Window(
            T("<b>{item}</b>: choose a line."),
            ScrollingGroup(
                Select(
                    Format("{item[1]}"),
                    id="line",
                    item_id_getter=lambda x: x[0],
                    items="lines",
                    on_click=line_chosen,
                ),
                id="line_pages",
                width=1,
                height=8,
                hide_on_single_page=True,
            ),
            Button(
                T("➕ Something is missing"),
                id="missing",
                on_click=missing_pressed,
                when="can_miss",
            ),
            SwitchTo(T("◀ Back to items"), id="to_items", state=MyRecord.items),
            getter=lines_getter,
            state=MyRecord.lines,
        ),
        Window(
            Format("{card}"),
            SwitchTo(T("✍ Ask for a correction"), id="ask", state=MyRecord.reason, when="can_ask"),
            SwitchTo(T("◀ Back to the lines"), id="to_lines", state=MyRecord.lines),
            getter=line_getter,
            state=MyRecord.line,
        ),
        Window(
            T("Why should this line be corrected? Write it in one message.", when=~F["whole"]),
            T("What is missing from this item? Write it in one message.", when="whole"),
            MessageInput(reason_typed, content_types=["text"]),
            MessageInput(text_expected),
            Button(T("◀ Back"), id="reason_back", on_click=back_from_request),
            getter=reason_getter,
            state=MyRecord.reason,
        ),
        Window(
            Format("{card}"),
            T("Send this request to the office? <blockquote>{reason}</blockquote>"),
            Button(T("📨 Send"), id="send", on_click=send_request),
            SwitchTo(T("✏️ Change the reason"), id="rewrite", state=MyRecord.reason),
            Button(T("◀ Back"), id="confirm_back", on_click=back_from_request),
            getter=confirm_getter,
            state=MyRecord.confirm,
        ),
        Window(
            Format("{past}"),
            Row(
                Select(
                    Format("{item[1]}"),
                    id="past_print",
                    item_id_getter=lambda x: x[0],
                    items="years",
                    on_click=past_print_chosen,
                )
            ),
            SwitchTo(T("◀ Back"), id="past_back", state=MyRecord.year),
            getter=past_getter,
            state=MyRecord.past,
        ),
    )


def setup() -> Router:
    """The menu button, /record and the notices' button."""
    router = Router(name="member-record")
    router.message.register(record_command, Command("record"))
    router.message.register(record_command, ButtonText(Buttons.MY_RECORD))
    router.callback_query.register(record_button, MemberMenuCB.filter(F.action == "record"))
    return router
