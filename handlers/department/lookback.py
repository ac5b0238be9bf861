"""A department confirms a look back (回头看): the measure still holds, or not, with a note.

The look back notice's button (``OutcomeCB("lookback", kind, id)``) is checked against the
pressing chat's department on arrival and again when the note is saved: a look back not led
by this department, not due, or confirmed meanwhile is refused.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from aiogram import F, Router
from aiogram.filters import Filter
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message, TelegramObject
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager, ShowMode, StartMode, Window
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button, Row
from aiogram_dialog.widgets.text import Format

from handlers.assignee.casework_steps import saying
from handlers.dialogs.press import answer
from handlers.dialogs.text import T
from handlers.filters import TYPED
from handlers.messaging import text_expected
from handlers.pipeline_callbacks import OutcomeCB
from handlers.texts import Buttons, escape, shorten
from handlers.turn import Turn
from services.audit import Actor
from services.calendar import local_today
from services.errors import DomainError
from services.members.rules import RuleBook
from services.pipeline.config import PipelineRules
from services.pipeline.lookback import NOTE_MAX, LookbackItem, confirm_lookback, lookback_item
from services.pipeline.raters import KINDS
from storage.models import Department

log = logging.getLogger(__name__)


class Lookback(StatesGroup):
    """The look back card, then the note."""

    card = State()
    note = State()


class IsDepartment(Filter):
    """Passes for a chat linked to a department."""

    async def __call__(self, event: TelegramObject, department: Department | None = None) -> bool:
        """Whether a department's handler pressed."""
        return department is not None and department.id is not None


def lookback_error(error: DomainError) -> str:
    """Why a look back could not be confirmed, in words."""
    if error.code == "text_too_long":
        return _("That is {length} characters; please keep it under {maximum}.").format(
            length=error.params.get("length", "?"), maximum=error.params.get("maximum", "?")
        )
    messages = {
        "lookback_done": _("This look back was confirmed already."),
        "text_empty": _("Please write something first."),
    }
    return messages.get(error.code, _("This look back is not available."))


def _rules(data: dict[str, Any], now: dt.datetime) -> PipelineRules:
    """The ``[pipeline]`` rules of the committee's current year."""
    rulebook: RuleBook = data["rulebook"]
    return rulebook.for_year(local_today(now, data["tz"]).year).pipeline


async def _item(data: dict[str, Any], kind: str, item_id: int) -> LookbackItem:
    department: Department = data["department"]
    now = data["clock"].now()
    return await lookback_item(
        data["turn"].session,
        kind=kind,
        item_id=item_id,
        department_id=department.id or 0,
        now=now,
        tz=data["tz"],
        rules=_rules(data, now),
    )


async def open_lookback(
    callback: CallbackQuery,
    callback_data: OutcomeCB,
    dialog_manager: DialogManager,
    **data: Any,
) -> None:
    """The notice's button: this department's due look back, or a refusal."""
    kind, item_id = callback_data.kind, callback_data.id
    try:
        if kind not in KINDS:
            raise DomainError("lookback_unknown")
        await _item(data, kind, item_id)
    except DomainError as error:
        log.warning("chat %s: look back %s:%s refused", callback.from_user.id, kind, item_id)
        await callback.answer(lookback_error(error), show_alert=True)
        return
    await callback.answer()
    await dialog_manager.start(
        Lookback.card, mode=StartMode.RESET_STACK, data={"kind": kind, "id": item_id}
    )


async def card_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """The item looked back on; a card whose look back went away says so."""
    start = dialog_manager.start_data
    assert isinstance(start, dict)
    try:
        item = await _item(dialog_manager.middleware_data, start["kind"], start["id"])
    except DomainError as error:
        return {"heading": lookback_error(error), "text": "", "due": ""}
    heading = f"{item.number} · {item.title}"
    text = escape(shorten(item.text, 600))
    return {"heading": heading, "text": text, "due": item.due_on.isoformat()}


async def chose(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Still holds, or no longer: then the note."""
    manager.dialog_data["holds"] = button.widget_id == "holds"
    await manager.switch_to(Lookback.note)


async def note_typed(message: Message, widget: Any, manager: DialogManager) -> None:
    """Save the look back; the members who took part are asked to rate again."""
    data = manager.middleware_data
    start = manager.start_data
    assert isinstance(start, dict)
    department: Department = data["department"]
    turn: Turn = data["turn"]
    now = data["clock"].now()
    try:
        await confirm_lookback(
            turn.session,
            kind=start["kind"],
            item_id=start["id"],
            department_id=department.id or 0,
            holds=bool(manager.dialog_data.get("holds")),
            note=message.text or "",
            actor=Actor("department", department.id, department.name_zh),
            now=now,
            tz=data["tz"],
            rules=_rules(data, now),
            notifier=data["notifier"],
        )
    except DomainError as error:
        await message.answer(lookback_error(error))
        if error.code in ("text_empty", "text_too_long"):
            manager.show_mode = ShowMode.NO_UPDATE
        else:
            await manager.done(show_mode=ShowMode.NO_UPDATE)
        return
    data["wake_delivery"]()
    await message.answer(
        _(
            "🔁 Look back saved: {said}. The members who took part are asked to rate it again."
        ).format(
            said=_("the measure still holds")
            if manager.dialog_data.get("holds")
            else _("the measure no longer holds")
        )
    )
    await manager.done(show_mode=ShowMode.NO_UPDATE)


async def cancel(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Nothing is saved; the notice's button opens the look back again."""
    await answer(manager, _("Nothing was saved."))
    await manager.done()


def lookback_dialog() -> Dialog:
    """A fresh look back dialog, for one Dispatcher."""
    cancel_button = Button(T(Buttons.CANCEL), id="cancel", on_click=cancel)
    return Dialog(
        Window(
            T("🔁 Look back on {heading}"),
            Format("<blockquote>{text}</blockquote>", when="text"),
            T("Due on {due}. Does the measure still hold?"),
            Row(
                Button(T("✅ Still holds"), id="holds", on_click=chose),
                Button(T("❌ No longer holds"), id="lapsed", on_click=chose),
            ),
            cancel_button,
            getter=card_getter,
            state=Lookback.card,
        ),
        Window(
            T("Write a short note on the measure as it stands now (up to {maximum} characters)."),
            MessageInput(note_typed, filter=TYPED),
            MessageInput(saying(text_expected)),
            cancel_button,
            getter=note_getter,
            state=Lookback.note,
        ),
    )


async def note_getter(**_kwargs: Any) -> dict[str, Any]:
    """The note's limit."""
    return {"maximum": NOTE_MAX}


def setup() -> Router:
    """The look back, for department handlers' chats only."""
    router = Router(name="department-lookback")
    for observer in (router.message, router.callback_query):
        observer.filter(IsDepartment())
    router.callback_query.register(open_lookback, OutcomeCB.filter(F.action == "lookback"))
    router.include_router(lookback_dialog())
    return router
