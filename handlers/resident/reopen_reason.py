"""After "not solved": the resident may say in a sentence what is still wrong.

The case is reopened by the rating itself, whatever follows; the sentence only adds the
resident's own words, on the timeline and to the staff and whoever handles the case. It is
optional: Skip, a command or a menu button leaves it unsaid.
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager, ShowMode, StartMode, Window
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button

from handlers.dialogs.guard import guard
from handlers.dialogs.press import answer
from handlers.dialogs.text import T
from handlers.filters import TYPED
from handlers.notifications import ChatNotifier
from handlers.staff.case_errors import case_error
from handlers.states import ReopenReason
from handlers.texts import Buttons
from services.accounts.identities import find_resident
from services.cases.decisions import explain_not_solved
from services.clock import Clock
from services.errors import DomainError
from storage.models import ChatIdentity

log = logging.getLogger(__name__)


async def ask_why(manager: DialogManager, *, issue_id: int, number: str) -> None:
    """Open the optional question on top of whatever the chat had open."""
    await manager.start(
        ReopenReason.reason,
        data={"issue_id": issue_id, "number": number},
        mode=StartMode.NORMAL,
        show_mode=ShowMode.SEND,
    )


async def reason_typed(message: Message, widget: Any, manager: DialogManager) -> None:
    """Pass the sentence on; a refusal keeps the question open."""
    data = manager.middleware_data
    identity: ChatIdentity = data["identity"]
    clock: Clock = data["clock"]
    notifier: ChatNotifier = data["notifier"]
    start = manager.start_data if isinstance(manager.start_data, dict) else {}
    assert identity.id is not None
    resident = await find_resident(data["session"], identity_id=identity.id)
    try:
        if resident is None or resident.id is None:
            raise DomainError("issue_unknown")
        await explain_not_solved(
            data["session"],
            resident_id=resident.id,
            issue_id=int(start.get("issue_id", 0)),
            text=message.text or "",
            now=clock.now(),
            notifier=notifier,
        )
    except DomainError as error:
        if error.code in ("text_too_long", "text_empty"):
            await message.answer(case_error(error))
            manager.show_mode = ShowMode.NO_UPDATE
            return
        log.info("chat %s: reason for case refused (%s)", message.chat.id, error.code)
        await message.answer(_("This case has moved on; your sentence was not added."))
        await manager.done(show_mode=ShowMode.NO_UPDATE)
        return
    data["wake_delivery"]()
    await message.answer(
        _("Thank you. Your words went to the staff with case {number}.").format(
            number=start.get("number", "")
        )
    )
    await manager.done(show_mode=ShowMode.NO_UPDATE)


async def not_text(message: Message, widget: Any, manager: DialogManager) -> None:
    """A photo, sticker or file where a sentence is asked for."""
    await message.answer(_("Please write a sentence, or press Skip."))
    manager.show_mode = ShowMode.NO_UPDATE


async def skip(callback: CallbackQuery, widget: Any, manager: DialogManager) -> None:
    """Leave it unsaid."""
    await answer(manager)
    await manager.done(show_mode=ShowMode.EDIT)


def reopen_reason_dialog() -> Dialog:
    """The one optional question; only its own card's Skip is taken."""
    return guard(
        Dialog(
            Window(
                T(
                    "If you like, tell us in a sentence what is still wrong with case {number}. "
                    "It goes to the staff and to whoever handles the case."
                ),
                MessageInput(reason_typed, filter=TYPED),
                MessageInput(not_text),
                Button(T(Buttons.SKIP), id="skip", on_click=skip),
                state=ReopenReason.reason,
                getter=_number,
            ),
        )
    )


async def _number(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    start = dialog_manager.start_data if isinstance(dialog_manager.start_data, dict) else {}
    return {"number": start.get("number", "")}
