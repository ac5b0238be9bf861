"""Opening an activity entry: fresh, from a ``/log`` line, or to change a logged activity.

An unsaved entry is never lost without asking. Whatever would replace it (the menu button, a
``/log`` line, "Edit" under My activities, ``/start``) first puts an offer in front of it:
continue the entry, or discard it for what the member asked. The offer is a small dialog on
top of the entry, so its buttons die with it: a newer offer, or the entry saved, makes an older
offer's buttons out of date, and the engine refuses them.
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram.types import CallbackQuery, ReplyKeyboardRemove
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager, ShowMode, StartMode
from aiogram_dialog.widgets.kbd import Button

from handlers import keyboards
from handlers.member.context import LogContext
from handlers.member.log_steps import member_log
from handlers.messaging import show_choice
from handlers.states import ActivityForm, EntryOpen
from services.members.activities import can_change
from services.members.activity_pages import ActivityDetail, get_activity
from services.members.rules import RuleBook

log_ = logging.getLogger(__name__)

# What the offer's discard button goes on to do.
RESTART, SHORTCUT, EDIT = "restart", "shortcut", "edit"
# Set in the start data of a dialog opened on top of an unsaved entry.
OVER_ENTRY = "over_entry"


def entry_open(manager: DialogManager) -> bool:
    """Whether an unsaved activity entry is open in this chat (perhaps under a card on top)."""
    if not manager.has_context():
        return False
    context = manager.current_context()
    if context.state.group is ActivityForm:
        return True
    return isinstance(context.start_data, dict) and bool(context.start_data.get(OVER_ENTRY))


async def close_above_entry(manager: DialogManager) -> None:
    """Close the cards opened on top of the entry (an offer, My activities), not showing them."""
    while manager.current_context().state.group is not ActivityForm:
        await manager.mark_closed()


async def start_entry(log: LogContext, manager: DialogManager) -> None:
    """Open a fresh entry at its first step."""
    await log.state.clear()
    await log.turn.say(
        _("Let's log an activity. You can check everything before it is saved."),
        reply_markup=keyboards.cancel_only(),
    )
    await manager.start(
        ActivityForm.kind, mode=StartMode.RESET_STACK, show_mode=ShowMode.SEND, data={}
    )


async def start_filled(log: LogContext, manager: DialogManager, fields: dict[str, Any]) -> None:
    """Open an entry already filled in, at its review."""
    await log.state.clear()
    await log.turn.say(_("Almost done."), reply_markup=ReplyKeyboardRemove())
    await manager.start(
        ActivityForm.review, mode=StartMode.RESET_STACK, show_mode=ShowMode.SEND, data=fields
    )


async def open_entry(log: LogContext, manager: DialogManager) -> None:
    """Start an entry, or offer to continue the one already open."""
    if entry_open(manager):
        await offer(manager, then=RESTART)
        return
    await start_entry(log, manager)


async def offer(manager: DialogManager, *, then: str, **payload: Any) -> None:
    """Put the offer (continue the entry, or discard it and ``then``) in front of the entry."""
    await close_above_entry(manager)
    await manager.start(
        EntryOpen.offer, data={OVER_ENTRY: True, "then": then, **payload}, show_mode=ShowMode.SEND
    )


def activity_fields(detail: ActivityDetail) -> dict[str, Any]:
    """A logged activity as the entry's data, to change it."""
    activity = detail.activity
    return {
        "activity_id": activity.id,
        "kind": activity.kind,
        "day": activity.occurred_on.isoformat(),
        "sector_id": activity.sector_id,
        "people": activity.people_count,
        "paired": [person.id for person in detail.paired],
        "place": activity.place,
        "station_id": activity.station_id,
        "summary": activity.summary,
        "photos": [
            {"file_id": photo.file_id, "file_unique_id": photo.file_unique_id}
            for photo in detail.photos
        ],
    }


async def changeable(callback: CallbackQuery, manager: DialogManager, activity_id: int) -> bool:
    """Whether the member may change this activity now; if not, they are told why."""
    log = await member_log(manager)
    detail = await get_activity(log.session, member_id=log.member.id, activity_id=activity_id)
    if detail is None:
        log_.warning("chat %s asked for activity %s", callback.from_user.id, activity_id)
        await callback.answer(_("This activity is not available."), show_alert=True)
        return False
    rulebook: RuleBook = manager.middleware_data["rulebook"]
    if not can_change(
        detail.activity, rulebook.for_year(detail.activity.occurred_on.year), log.now
    ):
        await callback.answer(
            _(
                "Entries can be changed for {days} days after they are logged; this one is older."
            ).format(days=log.rules.edit_window_days),
            show_alert=True,
        )
        return False
    return True


async def edit_activity_entry(
    callback: CallbackQuery, manager: DialogManager, activity_id: int
) -> None:
    """Open one of the member's activities at the review, to change it."""
    if not await changeable(callback, manager, activity_id):
        return
    log = await member_log(manager)
    if entry_open(manager):
        await callback.answer()
        await offer(manager, then=EDIT, activity_id=activity_id)
        return
    detail = await get_activity(log.session, member_id=log.member.id, activity_id=activity_id)
    assert detail is not None
    await callback.answer()
    await start_filled(log, manager, activity_fields(detail))


# --- the offer --------------------------------------------------------------------------------


async def offer_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """The discard button says what comes instead of the entry."""
    labels = {
        RESTART: _("🗑 Discard it and start over"),
        SHORTCUT: _("🗑 Discard it and log this one"),
        EDIT: _("🗑 Discard it and edit this entry"),
    }
    start_data = dialog_manager.start_data
    then = start_data.get("then") if isinstance(start_data, dict) else RESTART
    return {"discard_label": labels.get(str(then), labels[RESTART])}


async def continue_entry(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Back to the entry, where it stopped."""
    await close_above_entry(manager)
    await manager.show(ShowMode.SEND)


async def discard_and_go(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Discard the entry, then start over, review the ``/log`` line, or edit the activity."""
    log = await member_log(manager)
    start_data = manager.start_data if isinstance(manager.start_data, dict) else {}
    then = start_data.get("then")
    if then == SHORTCUT:
        await show_choice(callback, _("Entry discarded."))
        await start_filled(log, manager, dict(start_data["fields"]))
    elif then == EDIT:
        activity_id = int(start_data["activity_id"])
        if not await changeable(callback, manager, activity_id):
            return
        detail = await get_activity(log.session, member_id=log.member.id, activity_id=activity_id)
        assert detail is not None
        await show_choice(callback, _("Entry discarded."))
        await start_filled(log, manager, activity_fields(detail))
    else:
        await callback.answer()
        await start_entry(log, manager)
