"""Administrators' queue of correction requests: the list, one request, accept or refuse.

Station staff never see members' figures, so they get the same refusal as the quarter report.
A request's id in a button is only a choice: it is read again on every press, and a request
decided meanwhile (another administrator, a replayed press) answers "decided already" and
shows the request as it stands now.
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
from aiogram_dialog.widgets.kbd import Button, Column, Row, Select, SwitchTo
from aiogram_dialog.widgets.text import Format

from handlers.callbacks import StaffMenuCB
from handlers.dialogs.text import T
from handlers.member.record_views import item_name, source_words
from handlers.notifications import ChatNotifier
from handlers.staff import record_view
from handlers.staff.desk import Desk, desk_of
from handlers.staff.reports import members_refusal
from handlers.states import StaffCorrections
from handlers.texts import escape, local_time, shorten
from services.assessment.corrections import (
    PENDING,
    decide_correction,
    get_correction,
    pending_corrections,
)
from services.assessment.line_sources import line_source
from services.errors import DomainError
from services.members.rules import RuleBook

log = logging.getLogger(__name__)


async def open_queue(desk: Desk, manager: DialogManager) -> None:
    """The queue, for administrators only."""
    if not desk.scope.admin:
        log.info("chat %s: corrections refused to station staff", desk.turn.chat_id)
        await desk.turn.say(members_refusal())
        return
    await manager.start(StaffCorrections.list, mode=StartMode.RESET_STACK, show_mode=ShowMode.SEND)


async def queue_command(message: Message, desk: Desk, dialog_manager: DialogManager) -> None:
    """/corrections."""
    await open_queue(desk, dialog_manager)


async def queue_button(callback: CallbackQuery, desk: Desk, dialog_manager: DialogManager) -> None:
    """A notice's "📁 Corrections" button."""
    await callback.answer()
    await open_queue(desk, dialog_manager)


async def list_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """Every pending request, oldest first."""
    desk = desk_of(dialog_manager)
    views = await pending_corrections(desk.session, scope=desk.scope)
    items = [
        (
            v.correction.id,
            f"{v.member.name} · {v.correction.item_code} · {shorten(v.correction.reason, 30)}",
        )
        for v in views
    ]
    return {"items": items, "count": len(items), "empty": not items}


async def card_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """The chosen request: the member, the line and its source, the reason, its state."""
    desk = desk_of(dialog_manager)
    rulebook: RuleBook = dialog_manager.middleware_data["rulebook"]
    view = await get_correction(
        desk.session, correction_id=int(dialog_manager.dialog_data.get("id") or 0), scope=desk.scope
    )
    if view is None:
        return {"card": escape(_("This request is not available.")), "pending": False}
    c = view.correction
    rules = rulebook.for_year(c.year)
    locale, tz = desk.turn.locale, desk.turn.tz
    lines = [
        _("<b>Correction request</b> · {name} ({code}) · {year}").format(
            name=escape(view.member.name), code=escape(view.member.code), year=c.year
        ),
        _("Item: {item}").format(
            item=escape(item_name(rules, c.item_code, locale) if rules.assessment else c.item_code)
        ),
    ]
    if c.source_kind and c.source_id is not None:
        source = await line_source(desk.session, c.source_kind, c.source_id)
        lines.append(
            _("From: {source}").format(source=escape(source_words(source, rules, locale, tz)))
        )
    lines += [
        _("Asked: {when}").format(when=local_time(c.created_at, tz)),
        f"<blockquote>{escape(c.reason)}</blockquote>",
    ]
    if c.state != PENDING:
        state = _("accepted") if c.state == "accepted" else _("refused")
        lines.append(_("Decision: {state}").format(state=state))
        if c.staff_note:
            lines.append(_("Note: {note}").format(note=escape(c.staff_note)))
    return {"card": "\n".join(lines), "pending": c.state == PENDING}


async def chosen(
    callback: CallbackQuery, widget: Select[str], manager: DialogManager, item: str
) -> None:
    """Open a request; an unknown id is refused."""
    desk = desk_of(manager)
    view = (
        await get_correction(desk.session, correction_id=int(item), scope=desk.scope)
        if item.isdigit()
        else None
    )
    if view is None:
        log.warning("chat %s asked for correction %r", callback.from_user.id, item)
        await callback.answer(_("This request is not available."), show_alert=True)
        return
    manager.dialog_data["id"] = view.correction.id
    await manager.switch_to(StaffCorrections.card)


async def _decide(
    callback_or_message: CallbackQuery | Message, manager: DialogManager, note: str
) -> None:
    desk = desk_of(manager)
    notifier: ChatNotifier = manager.middleware_data["notifier"]
    accept = manager.dialog_data.get("decision") == "accept"
    try:
        await decide_correction(
            desk.session,
            correction_id=int(manager.dialog_data.get("id") or 0),
            accept=accept,
            note=note,
            actor=desk.actor,
            scope=desk.scope,
            now=desk.now,
            notifier=notifier,
        )
    except DomainError as error:
        text = {
            "decided_already": _(
                "This card is out of date: the request was decided already. Here it is now."
            ),
            "note_length": _("Please write a note of 2 to 500 characters."),
            "year_closed": _("This year is closed: the request can only be refused."),
        }.get(error.code, _("This request is not available."))
        if isinstance(callback_or_message, CallbackQuery):
            await callback_or_message.answer(text, show_alert=True)
        else:
            await callback_or_message.answer(text)
        if error.code == "note_length":
            manager.show_mode = ShowMode.NO_UPDATE
            return
        await manager.switch_to(StaffCorrections.card, show_mode=ShowMode.SEND)
        return
    manager.middleware_data["wake_delivery"]()
    done = (
        _("Accepted; the member is told. Make the fix next.")
        if accept
        else _("Refused; the member is told.")
    )
    await desk.turn.say(done)
    await manager.switch_to(StaffCorrections.list, show_mode=ShowMode.SEND)


async def decision_pressed(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Accept or Refuse: a request decided meanwhile is shown as it stands."""
    desk = desk_of(manager)
    view = await get_correction(
        desk.session, correction_id=int(manager.dialog_data.get("id") or 0), scope=desk.scope
    )
    if view is None or view.correction.state != PENDING:
        await callback.answer(
            _("This card is out of date: the request was decided already. Here it is now."),
            show_alert=True,
        )
        await manager.switch_to(StaffCorrections.card)
        return
    manager.dialog_data["decision"] = "accept" if button.widget_id == "accept" else "refuse"
    await manager.switch_to(StaffCorrections.note)


async def note_typed(message: Message, widget: MessageInput, manager: DialogManager) -> None:
    """The note, then the decision."""
    await _decide(message, manager, message.text or "")


async def without_note(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Accept without a note."""
    await _decide(callback, manager, "")


def accepting(data: dict[str, Any], widget: Any, manager: DialogManager) -> bool:
    """Whether the note is for an acceptance (which may go without one)."""
    return manager.dialog_data.get("decision") == "accept"


def corrections_dialog() -> Dialog:
    """A fresh corrections dialog (one per Dispatcher)."""
    return Dialog(
        Window(
            T("Correction requests waiting for a decision: {count}.", when=~F["empty"]),
            T("No correction request waits for a decision.", when="empty"),
            Column(
                Select(
                    Format("{item[1]}"),
                    id="corr",
                    item_id_getter=lambda x: x[0],
                    items="items",
                    on_click=chosen,
                )
            ),
            getter=list_getter,
            state=StaffCorrections.list,
        ),
        Window(
            Format("{card}"),
            Row(
                Button(T("✔ Accept"), id="accept", on_click=decision_pressed, when="pending"),
                Button(T("✖ Refuse"), id="refuse", on_click=decision_pressed, when="pending"),
            ),
            SwitchTo(T("◀ Requests"), id="to_list", state=StaffCorrections.list),
            getter=card_getter,
            state=StaffCorrections.card,
        ),
        Window(
            T("Write a note for the member (why, or what fix follows)."),
            MessageInput(note_typed, content_types=["text"]),
            Button(T("✔ Accept without a note"), id="bare", on_click=without_note, when=accepting),
            SwitchTo(T("◀ Back"), id="note_back", state=StaffCorrections.card),
            state=StaffCorrections.note,
        ),
    )


def setup() -> Router:
    """/corrections, the notices' button and /record CODE."""
    router = Router(name="staff-corrections")
    router.message.register(queue_command, Command("corrections"))
    router.message.register(record_view.record_command, Command("record"))
    router.callback_query.register(queue_button, StaffMenuCB.filter(F.action == "corrections"))
    return router
