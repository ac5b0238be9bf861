"""The review step: edit a part, submit the report, or discard it."""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from handlers import keyboards
from handlers.callbacks import ReviewCB
from handlers.messaging import show_choice
from handlers.resident.flow import (
    ask_category,
    ask_contact,
    ask_description,
    ask_location,
    ask_photos,
    ask_station,
)
from handlers.states import ReportForm
from handlers.texts import local_date
from handlers.turn import Turn
from services.accounts.identities import get_or_create_resident
from services.cases.residents import IssueDraft, PhotoRef, create_issue
from services.clock import Clock
from services.errors import DomainError
from storage.models import ChatIdentity

log = logging.getLogger(__name__)

EDITS = {
    "station": ask_station,
    "category": ask_category,
    "description": ask_description,
    "photos": ask_photos,
    "location": ask_location,
    "contact": ask_contact,
}


async def review_action(
    callback: CallbackQuery,
    callback_data: ReviewCB,
    state: FSMContext,
    identity: ChatIdentity,
    clock: Clock,
    channel: str,
    turn: Turn,
) -> None:
    """Act on a review button that belongs to the draft under review; refuse any other."""
    data = await state.get_data()
    if (
        await state.get_state() != ReportForm.review.state
        or data.get("draft") != callback_data.draft
    ):
        # A press after submitting or discarding is ordinary, hence info; a forged draft token
        # looks the same from here, so the data is logged for whoever looks into it.
        log.info(
            "chat %s pressed review button %r of a draft not under review",
            callback.from_user.id,
            callback.data,
        )
        await callback.answer(_("This report was already sent or discarded."), show_alert=True)
        return
    if callback_data.action == "submit":
        await _submit(callback, turn, data, identity, clock, channel)
    elif callback_data.action == "discard":
        await state.clear()
        await show_choice(callback, _("Report discarded."))
        await turn.say(_("Nothing was sent."), reply_markup=keyboards.main_menu(turn.menu_role))
    elif callback_data.action in EDITS:
        await state.update_data(editing=True)
        await show_choice(callback, _("Editing your report…"))
        await EDITS[callback_data.action](turn)
    else:
        log.warning("chat %s sent review action %r", callback.from_user.id, callback.data)
        await callback.answer(_("This button is not valid."))


async def _submit(
    callback: CallbackQuery,
    turn: Turn,
    data: dict[str, Any],
    identity: ChatIdentity,
    clock: Clock,
    channel: str,
) -> None:
    assert identity.id is not None
    now = clock.now()
    photos = data.get("photos") or []
    location = data.get("location")
    draft = IssueDraft(
        station_id=int(data.get("station_id") or 0),
        category_id=int(data.get("category_id") or 0),
        description=str(data.get("description") or ""),
        photos=[PhotoRef(**photo) for photo in photos],
        latitude=location["latitude"] if isinstance(location, dict) else None,
        longitude=location["longitude"] if isinstance(location, dict) else None,
        contact_phone=str(data["phone"]) if data.get("phone") else None,
        channel=channel,
        token=str(data["draft"]),
    )
    resident = await get_or_create_resident(turn.session, identity_id=identity.id, now=now)
    assert resident.id is not None
    try:
        issue = await create_issue(
            turn.session, resident_id=resident.id, draft=draft, now=now, tz=turn.tz
        )
    except DomainError as error:
        await callback.answer()
        await _repair(turn, error)
        return
    await turn.state.clear()
    await show_choice(callback, _("Report sent."))
    text = _(
        "✅ Thank you. Your case number is <b>{number}</b>.\n\n"
        "Every case gets an answer: the liaison station will look into it and you will be "
        "told here at every step. Expected answer by {due}.\n"
        "Follow it at any time under “📋 My issues”."
    ).format(number=issue.number, due=local_date(issue.due_at or now, turn.tz))
    await turn.say(text, reply_markup=keyboards.main_menu(turn.menu_role))


async def _repair(turn: Turn, error: DomainError) -> None:
    """Send the resident back to the part that no longer holds; the rest of the draft stays."""
    await turn.state.update_data(editing=True)
    if error.code == "station_unknown":
        await turn.say(_("That station no longer takes reports. Please choose another one."))
        await ask_station(turn)
    elif error.code == "category_unknown":
        await turn.say(_("That category is no longer in use. Please choose another one."))
        await ask_category(turn)
    else:
        await turn.say(_("Part of the report needs another look. Please check the description."))
        await ask_description(turn)


async def review_expected(message: Message) -> None:
    """Any input while the review is on screen: text, media, a file or a voice note.

    The draft stays as it is; the review's own buttons are the only way on.
    """
    await message.answer(_("Please use the buttons above to edit, submit or discard your report."))


def setup() -> Router:
    """The handlers of this module, on a fresh router."""
    router = Router(name="report-review")
    router.callback_query.register(review_action, ReviewCB.filter())
    # No content filter: whatever arrives at the review is answered here, never by the
    # fallback, which knows nothing of an open report.
    router.message.register(review_expected, ReportForm.review)
    return router
