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
from aiogram_dialog.widgets.kbd import Button, Column, ScrollingGroup, Select, SwitchTo
from aiogram_dialog.widgets.text import Format

from handlers.callbacks import MemberMenuCB
from handlers.dialogs.text import T
from handlers.filters import ButtonText
from handlers.member.context import LogContext
from handlers.member.log_steps import member_log
from handlers.member.record_views import item_name, line_label, past_text, source_words, year_card
from handlers.notifications import ChatNotifier
from handlers.states import MyRecord
from handlers.texts import Buttons
from services.assessment.corrections import (
    REASON_MAX,
    REASON_MIN,
    clean_reason,
    own_line,
    pending_for,
    request_correction,
)
from services.assessment.ledger import is_frozen
from services.assessment.line_sources import line_source, line_sources
from services.assessment.ranking import points_text
from services.assessment.record import past_years
from services.assessment.scores import member_lines
from services.errors import DomainError, NotFoundError

log_ = logging.getLogger(__name__)
NOT_AVAILABLE = "This line is not available."


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
    return {"item": item_name(log.rules, code, log.turn.locale), "lines": labels}


async def line_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """One line, and whether a correction may be asked for it."""
    log = await member_log(dialog_manager)
    try:
        line = await own_line(
            log.session, member_id=log.member.id, line_id=int(dialog_manager.dialog_data["line"])
        )
    except (KeyError, NotFoundError):
        return {"card": _(NOT_AVAILABLE), "can_ask": False, "reason": ""}
    source = await line_source(log.session, line.source_kind, line.source_id)
    pending = await pending_for(
        log.session, member_id=log.member.id, line_id=line.id, item_code=line.item_code
    )
    text = [
        _("<b>{item}</b>").format(item=item_name(log.rules, line.item_code, log.turn.locale)),
        _("Date: {date}").format(date=line.occurred_on.isoformat()),
        _("From: {source}").format(
            source=source_words(source, log.rules, log.turn.locale, log.turn.tz)
        ),
        _("Points: {points}").format(points=points_text(line.points_c)),
    ]
    if pending:
        text.append(_("Your correction request on this line waits for the office."))
    frozen = await is_frozen(log.session, year=line.year)
    return {
        "card": "\n".join(text),
        "can_ask": pending is None and not frozen,
        "reason": dialog_manager.dialog_data.get("reason", ""),
    }


async def past_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """The member's closed years."""
    log = await member_log(dialog_manager)
    return {
        "past": past_text(await past_years(log.session, member_id=log.member.id), log.turn.locale)
    }


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
    manager.dialog_data.update(line=line.id, reason="")
    await manager.switch_to(MyRecord.line)


async def reason_typed(message: Message, widget: MessageInput, manager: DialogManager) -> None:
    """The reason: checked here, kept for the confirmation (a refusal loses nothing)."""
    try:
        reason = clean_reason(message.text or "")
    except DomainError:
        manager.show_mode = ShowMode.NO_UPDATE
        await message.answer(
            _("Please write the reason in {minimum} to {maximum} characters.").format(
                minimum=REASON_MIN, maximum=REASON_MAX
            )
        )
        return
    manager.dialog_data["reason"] = reason
    await manager.switch_to(MyRecord.confirm, show_mode=ShowMode.SEND)


async def text_expected(message: Message, widget: MessageInput, manager: DialogManager) -> None:
    """A photo or sticker where the reason is expected."""
    manager.show_mode = ShowMode.NO_UPDATE
    await message.answer(_("Please answer with text."))


async def send_request(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Store the request; the office is told through the outbox."""
    log = await member_log(manager)
    notifier: ChatNotifier = manager.middleware_data["notifier"]
    try:
        await request_correction(
            log.session,
            member_id=log.member.id,
            year=log.today.year,
            line_id=int(manager.dialog_data.get("line") or 0),
            reason=str(manager.dialog_data.get("reason", "")),
            now=log.now,
            notifier=notifier,
        )
    except DomainError as error:
        text = {
            "correction_pending": _("A request on this line already waits for the office."),
            "year_closed": _("This year is closed: its record can no longer be corrected."),
        }.get(error.code, _(NOT_AVAILABLE))
        await callback.answer(text, show_alert=True)
        await manager.switch_to(MyRecord.line)
        return
    manager.middleware_data["wake_delivery"]()
    await callback.answer(_("Sent to the office."))
    manager.dialog_data["reason"] = ""
    await manager.switch_to(MyRecord.line)


def record_dialog() -> Dialog:
    """A fresh My record dialog (one per Dispatcher)."""
    return Dialog(
        Window(
            Format("{card}"),
            SwitchTo(T("📋 Items and lines"), id="items", state=MyRecord.items, when="has_items"),
            SwitchTo(T("🗓 Past years"), id="past", state=MyRecord.past),
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
            T("Why should this line be corrected? Write it in one message."),
            MessageInput(reason_typed, content_types=["text"]),
            MessageInput(text_expected),
            SwitchTo(T("◀ Back"), id="reason_back", state=MyRecord.line),
            state=MyRecord.reason,
        ),
        Window(
            Format("{card}"),
            T("Send this request to the office? <blockquote>{reason}</blockquote>"),
            Button(T("📨 Send"), id="send", on_click=send_request),
            SwitchTo(T("✏️ Change the reason"), id="rewrite", state=MyRecord.reason),
            SwitchTo(T("◀ Back"), id="confirm_back", state=MyRecord.line),
            getter=line_getter,
            state=MyRecord.confirm,
        ),
        Window(
            Format("{past}"),
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
