"""The review: edit a part, submit the report, or discard it; and resuming an open report."""

from __future__ import annotations

import logging
from typing import Any

from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager, ShowMode

from handlers import keyboards
from handlers.dialogs.press import show_answer
from handlers.resident.flow import (
    draw_below,
    resumed_step,
    say,
    start_report,
)
from handlers.resident.lookalike import offer_lookalikes
from handlers.states import ReportForm
from handlers.texts import local_date
from services.cases.residents import IssueDraft, PhotoRef, report_issue
from services.clock import Clock
from services.errors import DomainError
from storage.models import ChatIdentity

log = logging.getLogger(__name__)


async def edit_chosen(callback: CallbackQuery, widget: Any, manager: DialogManager) -> None:
    """A part of the draft is asked again; its step comes back to the review."""
    manager.dialog_data["editing"] = True
    await show_answer(callback, _("Editing your report…"))
    draw_below(manager)


def _issue_draft(data: dict[str, Any], *, channel: str, token: str) -> IssueDraft:
    location = data.get("location")
    return IssueDraft(
        station_id=int(data.get("station_id") or 0),
        category_id=int(data.get("category_id") or 0),
        description=str(data.get("description") or ""),
        photos=[PhotoRef(**photo) for photo in data.get("photos") or []],
        latitude=location["latitude"] if isinstance(location, dict) else None,
        longitude=location["longitude"] if isinstance(location, dict) else None,
        contact_phone=str(data["phone"]) if data.get("phone") else None,
        channel=channel,
        token=token,
    )


async def submit_chosen(callback: CallbackQuery, widget: Any, manager: DialogManager) -> None:
    """Send the report, unless it looks like an open case: those are offered first."""
    if await offer_lookalikes(manager):
        return
    await send_report(callback, widget, manager)


async def send_report(callback: CallbackQuery, widget: Any, manager: DialogManager) -> None:
    """Store the report as a case and give its number."""
    data = manager.middleware_data
    identity: ChatIdentity = data["identity"]
    clock: Clock = data["clock"]
    assert identity.id is not None
    now = clock.now()
    # The dialog's intent id names this draft: a submit replayed after a crash finds its case.
    token = f"{identity.id}:{manager.current_context().id}"
    draft = _issue_draft(manager.dialog_data, channel=data["channel"], token=token)
    try:
        issue = await report_issue(
            data["session"], identity_id=identity.id, draft=draft, now=now, tz=data["tz"]
        )
    except DomainError as error:
        await _repair(manager, error)
        return
    await show_answer(callback, _("Report sent."))
    draw_below(manager)
    await manager.done()
    text = _(
        "✅ Thank you. Your case number is <b>{number}</b>.\n\n"
        "Every case gets an answer: the liaison station will look into it and you will be "
        "told here at every step. Expected answer by {due}.\n"
        "Follow it at any time under “📋 My issues”."
    ).format(number=issue.number, due=local_date(issue.due_at or now, data["tz"]))
    await say(manager, text, reply_markup=keyboards.main_menu(data.get("menu_role", "resident")))


async def _repair(manager: DialogManager, error: DomainError) -> None:
    """Send the resident back to the part that no longer holds; the rest of the draft stays."""
    manager.dialog_data["editing"] = True
    if error.code == "station_unknown":
        await say(manager, _("That station no longer takes reports. Please choose another one."))
        step = ReportForm.station
    elif error.code == "category_unknown":
        await say(manager, _("That category is no longer in use. Please choose another one."))
        step = ReportForm.category
    else:
        await say(
            manager, _("Part of the report needs another look. Please check the description.")
        )
        step = ReportForm.description
    draw_below(manager)
    await manager.switch_to(step, show_mode=ShowMode.SEND)


async def discard_chosen(callback: CallbackQuery, widget: Any, manager: DialogManager) -> None:
    """Drop the draft."""
    await show_answer(callback, _("Report discarded."))
    draw_below(manager)
    await manager.done()
    role = manager.middleware_data.get("menu_role", "resident")
    await say(manager, _("Nothing was sent."), reply_markup=keyboards.main_menu(role))


async def review_expected(message: Message, widget: Any, manager: DialogManager) -> None:
    """Any input while the review is on screen: text, media, a file or a voice note.

    The draft stays as it is; the review's own buttons are the only way on.
    """
    await message.answer(_("Please use the buttons above to edit, submit or discard your report."))


# --- resume or start over ---------------------------------------------------------------------


async def resume_chosen(callback: CallbackQuery, widget: Any, manager: DialogManager) -> None:
    """Continue the open draft where it stopped."""
    draw_below(manager)
    await manager.switch_to(resumed_step(manager), show_mode=ShowMode.SEND)


async def restart_chosen(callback: CallbackQuery, widget: Any, manager: DialogManager) -> None:
    """Drop the open draft and start a new one."""
    await start_report(manager, manager.middleware_data["state"])


async def resume_expected(message: Message, widget: Any, manager: DialogManager) -> None:
    """Anything typed while the resident is asked whether to resume."""
    await message.answer(_("Please choose with the buttons above."))
