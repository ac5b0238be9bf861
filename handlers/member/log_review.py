"""The last steps of an activity entry: photos, the review, saving; and the /log shortcut."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from handlers import keyboards
from handlers.callbacks import ActReviewCB
from handlers.filters import ButtonText
from handlers.member.log_flow import (
    LogContext,
    advance,
    ask_date,
    ask_kind,
    ask_paired,
    ask_people,
    ask_photos,
    ask_place,
    ask_sector,
    ask_summary,
    show_review,
)
from handlers.member.log_steps import date_error
from handlers.messaging import show_choice
from handlers.states import ActivityForm
from handlers.texts import Buttons
from services.cases.residents import PhotoRef
from services.errors import DomainError, NotFoundError
from services.members import activities
from services.members.activities import ActivityInput, edit_activity, log_activity
from services.members.progress import member_progress
from services.members.rules import RuleBook

log_ = logging.getLogger(__name__)

EDITS = {
    "kind": ask_kind,
    "date": ask_date,
    "sector": ask_sector,
    "people": ask_people,
    "paired": ask_paired,
    "place": ask_place,
    "summary": ask_summary,
    "photos": ask_photos,
}


# --- step 8: photos --------------------------------------------------------------------------


async def photo_received(message: Message, log: LogContext) -> None:
    """Keep the largest size of a photo, up to the limit."""
    assert message.photo
    photos = list((await log.state.get_data()).get("photos", []))
    if len(photos) >= activities.MAX_PHOTOS:
        await message.answer(
            _("At most {maximum} photos per activity; this one was not added.").format(
                maximum=activities.MAX_PHOTOS
            )
        )
        return
    size = message.photo[-1]
    photos.append({"file_id": size.file_id, "file_unique_id": size.file_unique_id})
    await log.state.update_data(photos=photos)
    await message.answer(
        _("Photo {count} of {maximum} added.").format(
            count=len(photos), maximum=activities.MAX_PHOTOS
        ),
        reply_markup=keyboards.photo_step(has_photos=True),
    )


async def photos_done(message: Message, log: LogContext) -> None:
    """Go on with the photos so far."""
    await advance(log)


async def photos_removed(message: Message, log: LogContext) -> None:
    """Start the photos again."""
    await log.state.update_data(photos=[])
    await message.answer(_("The photos were removed."))
    await ask_photos(log)


async def photo_expected(message: Message, log: LogContext) -> None:
    """Anything but a photo in the photo step."""
    has_photos = bool((await log.state.get_data()).get("photos"))
    await message.answer(
        _("Please send a photo, or press “{button}”.").format(
            button=_(Buttons.DONE if has_photos else Buttons.SKIP)
        ),
        reply_markup=keyboards.photo_step(has_photos=has_photos),
    )


# --- the review ------------------------------------------------------------------------------


def entry_from(data: dict[str, Any], channel: str) -> ActivityInput:
    """The service's input from the dialog's data."""
    return ActivityInput(
        kind=str(data.get("kind", "")),
        occurred_on=dt.date.fromisoformat(str(data.get("day"))),
        sector_id=int(data.get("sector_id") or 0),
        people_count=int(data.get("people") or 0),
        summary=str(data.get("summary", "")),
        place=str(data.get("place", "")),
        station_id=data.get("station_id"),
        photos=[PhotoRef(**photo) for photo in data.get("photos", [])],
        paired_person_ids=list(data.get("paired", [])),
        channel=channel,
    )


async def review_action(
    callback: CallbackQuery,
    callback_data: ActReviewCB,
    log: LogContext,
    rulebook: RuleBook,
    channel: str,
) -> None:
    """Act on a review button of the draft under review; refuse any other."""
    data = await log.state.get_data()
    if (
        await log.state.get_state() != ActivityForm.review.state
        or data.get("draft") != callback_data.draft
    ):
        await callback.answer(_("This entry was already saved or discarded."), show_alert=True)
        return
    if callback_data.action == "save":
        await _save(callback, log, data, rulebook, channel)
    elif callback_data.action == "discard":
        await log.state.clear()
        await show_choice(callback, _("Entry discarded."))
        await log.turn.say(_("Nothing was saved."), reply_markup=keyboards.main_menu("member"))
    elif callback_data.action in EDITS:
        await log.state.update_data(editing=True)
        await show_choice(callback, _("Editing the entry…"))
        await EDITS[callback_data.action](log)
    else:
        log_.warning("chat %s sent review action %r", callback.from_user.id, callback_data.action)
        await callback.answer(_("This button is not valid."))


async def _save(
    callback: CallbackQuery,
    log: LogContext,
    data: dict[str, Any],
    rulebook: RuleBook,
    channel: str,
) -> None:
    entry = entry_from(data, channel)
    tz = log.turn.tz
    try:
        if data.get("activity_id"):
            await edit_activity(
                log.session,
                member_id=log.member.id,
                activity_id=int(data["activity_id"]),
                data=entry,
                rulebook=rulebook,
                now=log.now,
                tz=tz,
            )
        else:
            await log_activity(
                log.session,
                member_id=log.member.id,
                data=entry,
                rulebook=rulebook,
                now=log.now,
                tz=tz,
            )
    except NotFoundError:
        await log.state.clear()
        await callback.answer(_("This entry no longer exists."), show_alert=True)
        return
    except DomainError as error:
        await callback.answer()
        await _repair(log, error)
        return
    await log.state.clear()
    await show_choice(callback, _("Activity saved."))
    progress = await member_progress(
        log.session, member_id=log.member.id, rules=log.rules, today=log.today
    )
    await log.turn.say(
        _(
            "✅ Saved. This quarter: {done} qualifying activities (minimum {minimum}). "
            "This year: {people} of {target} person-times."
        ).format(
            done=progress.quarter_activities,
            minimum=progress.quarter_minimum,
            people=progress.year_person_times,
            target=progress.year_minimum,
        ),
        reply_markup=keyboards.main_menu("member"),
    )


async def _repair(log: LogContext, error: DomainError) -> None:
    """Send the member back to the part that no longer holds; the rest of the entry stays."""
    await log.state.update_data(editing=True)
    if error.code in ("date_future", "date_too_old"):
        await log.turn.say(date_error(error))
        await ask_date(log)
    elif error.code == "edit_window_closed":
        await log.state.clear()
        await log.turn.say(
            _(
                "Entries can be changed for {days} days after they are logged; this one is older."
            ).format(**error.params),
            reply_markup=keyboards.main_menu("member"),
        )
    else:
        await log.turn.say(_("Part of the entry needs another look."))
        await show_review(log)


async def review_expected(message: Message) -> None:
    """Input while the review is on screen."""
    await message.answer(_("Please use the buttons above to edit, save or discard the entry."))


def setup() -> Router:
    """The handlers of this module, on a fresh router."""
    router = Router(name="member-log-review")
    router.callback_query.register(review_action, ActReviewCB.filter())
    router.message.register(photo_received, ActivityForm.photos, F.photo)
    router.message.register(photos_done, ActivityForm.photos, ButtonText(Buttons.DONE))
    router.message.register(photos_done, ActivityForm.photos, ButtonText(Buttons.SKIP))
    router.message.register(photos_removed, ActivityForm.photos, ButtonText(Buttons.REMOVE_PHOTOS))
    router.message.register(photo_expected, ActivityForm.photos)
    router.message.register(
        review_expected, ActivityForm.review, F.text | F.photo | F.sticker | F.document
    )
    return router
