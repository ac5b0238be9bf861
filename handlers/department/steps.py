"""What the handling dialog's buttons and typed steps do; each is checked again by a service."""

from __future__ import annotations

import datetime as dt
from typing import Any

from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import ChatEvent, DialogManager, ShowMode
from aiogram_dialog.widgets.kbd import ManagedCalendar

from handlers.department.errors import handling_error
from handlers.department.states import HandlingWork
from handlers.dialogs.press import answer, refuse_input
from services.audit import Actor
from services.errors import DomainError
from services.pipeline import extensions, face, guards, handling
from storage.models import Department


def department_of(manager: DialogManager) -> Department:
    """The department whose handler is in the dialog (the dialog sits behind that filter)."""
    department: Department | None = manager.middleware_data.get("department")
    assert department is not None
    assert department.id is not None
    return department


def actor_of(manager: DialogManager) -> Actor:
    """The department as the author of answers, requests and records."""
    department = department_of(manager)
    return Actor("department", department.id, department.name_zh)


async def _failed(manager: DialogManager, error: DomainError) -> None:
    """Say why, and show the card as it stands."""
    await answer(manager, handling_error(error), alert=True)
    await manager.switch_to(HandlingWork.card)


async def page_moved(callback: CallbackQuery, button: Any, manager: DialogManager) -> None:
    """◀ or ▶ on the list."""
    page = int(manager.dialog_data.get("page", 0))
    manager.dialog_data["page"] = max(0, page + (1 if button.widget_id == "next" else -1))


async def group_chosen(
    callback: CallbackQuery, widget: Any, manager: DialogManager, item_id: str
) -> None:
    """A proposal or suggestion from the list: ``p7`` or ``s12``."""
    manager.dialog_data.update(kind=item_id[:1], key=int(item_id[1:]))
    await manager.switch_to(HandlingWork.card)


async def item_chosen(
    callback: CallbackQuery, widget: Any, manager: DialogManager, item_id: int
) -> None:
    """An open item to answer."""
    manager.dialog_data.update(handling=int(item_id), answer="", adoption="")
    await manager.switch_to(HandlingWork.answer_text)


async def answer_typed(message: Message, widget: Any, manager: DialogManager) -> None:
    """What was done; then how far it was adopted (or the review, when rewriting)."""
    try:
        manager.dialog_data["answer"] = guards.check_answer(message.text or "")
    except DomainError as error:
        await refuse_input(message, manager, handling_error(error))
        return
    nxt = HandlingWork.confirm if manager.dialog_data.get("adoption") else HandlingWork.adoption
    await manager.switch_to(nxt)


async def adoption_chosen(
    callback: CallbackQuery, widget: Any, manager: DialogManager, item_id: str
) -> None:
    """Adopted, partly, or explained; then the review."""
    manager.dialog_data["adoption"] = item_id
    await manager.switch_to(HandlingWork.confirm)


async def send_answer(callback: CallbackQuery, button: Any, manager: DialogManager) -> None:
    """The answer is recorded; the card is drawn again with what is left."""
    data = manager.middleware_data
    try:
        await handling.answer_item(
            data["session"],
            handling_id=int(manager.dialog_data.get("handling", 0)),
            department_id=department_of(manager).id or 0,
            answer=str(manager.dialog_data.get("answer", "")),
            adoption=str(manager.dialog_data.get("adoption", "")),
            actor=actor_of(manager),
            now=data["clock"].now(),
            notifier=data["notifier"],
        )
    except DomainError as error:
        await _failed(manager, error)
        return
    data["wake_delivery"]()
    await answer(manager, _("Answer recorded."))
    await manager.switch_to(HandlingWork.card)


async def days_chosen(
    callback: CallbackQuery, widget: Any, manager: DialogManager, item_id: int
) -> None:
    """How many more days; then why."""
    manager.dialog_data["days"] = int(item_id)
    await manager.switch_to(HandlingWork.more_reason)


async def reason_typed(message: Message, widget: Any, manager: DialogManager) -> None:
    """The request goes to the administrators."""
    data = manager.middleware_data
    try:
        await extensions.request_extension(
            data["session"],
            department_id=department_of(manager).id or 0,
            kind=str(manager.dialog_data.get("kind", "")),
            object_id=int(manager.dialog_data.get("key", 0)),
            days=int(manager.dialog_data.get("days", 0)),
            reason=message.text or "",
            actor=actor_of(manager),
            now=data["clock"].now(),
            notifier=data["notifier"],
            rulebook=data["rulebook"],
        )
    except DomainError as error:
        if error.code in ("text_empty", "text_too_long"):
            await refuse_input(message, manager, handling_error(error))
            return
        await message.answer(handling_error(error))
        await manager.switch_to(HandlingWork.card, show_mode=ShowMode.SEND)
        return
    data["wake_delivery"]()
    await message.answer(_("Your request for more time went to the committee office."))
    await manager.switch_to(HandlingWork.card, show_mode=ShowMode.SEND)


async def day_picked(
    callback: ChatEvent, widget: ManagedCalendar, manager: DialogManager, day: dt.date, /
) -> None:
    """The meeting's day; then the note."""
    manager.dialog_data["met_on"] = day.isoformat()
    await manager.switch_to(HandlingWork.face_note)


async def face_note_typed(message: Message, widget: Any, manager: DialogManager) -> None:
    """The meeting is recorded and the member told."""
    data = manager.middleware_data
    try:
        await face.record_face_meeting(
            data["session"],
            proposal_id=int(manager.dialog_data.get("key", 0)),
            department_id=department_of(manager).id or 0,
            met_on=dt.date.fromisoformat(str(manager.dialog_data.get("met_on"))),
            note=message.text or "",
            actor=actor_of(manager),
            now=data["clock"].now(),
            tz=data["tz"],
            notifier=data["notifier"],
        )
    except DomainError as error:
        if error.code in ("text_empty", "text_too_long"):
            await refuse_input(message, manager, handling_error(error))
            return
        await message.answer(handling_error(error))
        await manager.switch_to(HandlingWork.card, show_mode=ShowMode.SEND)
        return
    data["wake_delivery"]()
    await message.answer(_("The face-to-face meeting was recorded; the member is told."))
    await manager.switch_to(HandlingWork.card, show_mode=ShowMode.SEND)
