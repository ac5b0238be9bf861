"""📁 My record: asking the office for a correction, on one line or on a whole item.

A request is about the line the member opened (``dialog_data["line"]``) or, for "something is
missing", about the item whose lines they are reading (``dialog_data["item"]``, with
``about == "item"``). Both were checked to be the member's own when chosen, and the service
checks them again when the request is stored.
"""

from __future__ import annotations

from typing import Any

from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager, ShowMode
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button

from handlers.member.log_steps import member_log
from handlers.member.record_views import item_name, source_words
from handlers.notifications import ChatNotifier
from handlers.states import MyRecord
from handlers.texts import escape
from services.assessment.corrections import (
    REASON_MAX,
    REASON_MIN,
    clean_reason,
    own_line,
    pending_for,
    request_correction,
)
from services.assessment.ledger import is_frozen
from services.assessment.line_sources import line_source
from services.assessment.ranking import points_text
from services.assessment.scores import member_lines
from services.errors import DomainError, NotFoundError

NOT_AVAILABLE = "This line is not available."
ITEM = "item"


def about_item(manager: DialogManager) -> bool:
    """Whether the request being written is about the whole item ("something is missing")."""
    return manager.dialog_data.get("about") == ITEM


async def line_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """One line, and whether a correction may be asked for it."""
    log = await member_log(dialog_manager)
    try:
        line = await own_line(
            log.session, member_id=log.member.id, line_id=int(dialog_manager.dialog_data["line"])
        )
    except (KeyError, TypeError, NotFoundError):
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


async def item_request_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """The item a "something is missing" request is about."""
    log = await member_log(dialog_manager)
    code = str(dialog_manager.dialog_data.get("item", ""))
    card = "\n".join(
        [
            _("<b>{item}</b>").format(item=escape(item_name(log.rules, code, log.turn.locale))),
            _("Something is missing from this item."),
        ]
    )
    return {"card": card, "reason": dialog_manager.dialog_data.get("reason", "")}


async def confirm_getter(dialog_manager: DialogManager, **kwargs: Any) -> dict[str, Any]:
    """The card the request is about: the line, or the item."""
    if about_item(dialog_manager):
        return await item_request_getter(dialog_manager, **kwargs)
    return await line_getter(dialog_manager, **kwargs)


async def item_open_to_requests(manager: DialogManager) -> bool:
    """Whether the member may ask about the item on screen: their own, open, none pending."""
    log = await member_log(manager)
    code = str(manager.dialog_data.get("item", ""))
    if await is_frozen(log.session, year=log.today.year):
        return False
    lines = await member_lines(
        log.session, member_id=log.member.id, year=log.today.year, item_code=code
    )
    pending = await pending_for(log.session, member_id=log.member.id, line_id=None, item_code=code)
    return bool(lines) and pending is None


async def missing_pressed(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """The "something is missing" button: a request about the item on screen, not a line."""
    if not await item_open_to_requests(manager):
        await callback.answer(_("This button is not valid."), show_alert=True)
        return
    manager.dialog_data.update(about=ITEM, line=None, reason="")
    await manager.switch_to(MyRecord.reason)


async def back_from_request(
    callback: CallbackQuery, button: Button, manager: DialogManager
) -> None:
    """Back to what the request is about: the item's lines, or the line."""
    await manager.switch_to(MyRecord.lines if about_item(manager) else MyRecord.line)


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
    whole_item = about_item(manager)
    back = MyRecord.lines if whole_item else MyRecord.line
    try:
        await request_correction(
            log.session,
            member_id=log.member.id,
            year=log.today.year,
            line_id=None if whole_item else int(manager.dialog_data.get("line") or 0),
            item_code=str(manager.dialog_data.get("item", "")) if whole_item else None,
            reason=str(manager.dialog_data.get("reason", "")),
            now=log.now,
            notifier=notifier,
        )
    except DomainError as error:
        pending = (
            _("A request on this item already waits for the office.")
            if whole_item
            else _("A request on this line already waits for the office.")
        )
        text = {
            "correction_pending": pending,
            "year_closed": _("This year is closed: its record can no longer be corrected."),
        }.get(error.code, _(NOT_AVAILABLE))
        await callback.answer(text, show_alert=True)
        await manager.switch_to(back)
        return
    manager.middleware_data["wake_delivery"]()
    await callback.answer(_("Sent to the office."))
    manager.dialog_data["reason"] = ""
    await manager.switch_to(back)
