"""My activities: the member's own entries, their history, editing and deleting them."""

from __future__ import annotations

import logging
import secrets

from aiogram import Bot, Router
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from handlers.callbacks import ActivitiesPageCB, ActivityCB
from handlers.member import keyboards as member_keyboards
from handlers.member.log_flow import LogContext, in_entry, offer_open_entry, show_review
from handlers.messaging import replace_or_send
from handlers.texts import escape, local_time
from services.errors import DomainError, NotFoundError
from services.members.activities import can_change, delete_activity
from services.members.activity_pages import (
    ActivityDetail,
    ActivityPage,
    get_activity,
    list_activities,
)
from services.members.rules import RuleBook
from services.reference.catalog import display_name

log_ = logging.getLogger(__name__)


def page_text(page: ActivityPage) -> str:
    """The heading of a page of activities."""
    text = _("<b>My activities</b>: {total} in all.").format(total=page.total)
    if page.pages > 1:
        text += " " + _("Page {page} of {pages}.").format(page=page.page + 1, pages=page.pages)
    return text


async def show_activities(message: Message, log: LogContext) -> None:
    """The first page of the member's activities."""
    page = await list_activities(log.session, member_id=log.member.id)
    if page.total == 0:
        await message.answer(_("You have not logged any activity yet. Tap “🗓 Log an activity”."))
        return
    await message.answer(
        page_text(page),
        reply_markup=member_keyboards.activities_page(page, log.rules, log.turn.locale),
    )


async def page_chosen(
    callback: CallbackQuery, callback_data: ActivitiesPageCB, bot: Bot, log: LogContext
) -> None:
    """Another page (or back from an entry)."""
    await callback.answer()
    page = await list_activities(log.session, member_id=log.member.id, page=callback_data.page)
    markup = member_keyboards.activities_page(page, log.rules, log.turn.locale)
    await replace_or_send(callback, bot, page_text(page), markup)


def render_activity(detail: ActivityDetail, log: LogContext) -> str:
    """An entry with its history; the member's own text is escaped."""
    activity = detail.activity
    locale, tz = log.turn.locale, log.turn.tz
    kind = log.rules.kind(activity.kind)
    place = display_name(detail.station, locale) if detail.station else activity.place
    lines = [
        _("<b>{kind}</b> · {date}").format(
            kind=escape(display_name(kind, locale) if kind else activity.kind),
            date=activity.occurred_on.isoformat(),
        ),
        _("Sector: {value}").format(value=escape(display_name(detail.sector, locale))),
        _("People reached: {value}").format(value=activity.people_count),
    ]
    if detail.paired:
        names = "、".join(person.name for person in detail.paired)
        lines.append(_("Paired people: {value}").format(value=escape(names)))
    if place:
        lines.append(_("Place: {value}").format(value=escape(place)))
    if detail.photos:
        lines.append(_("Photos: {value}").format(value=len(detail.photos)))
    lines += ["", f"<blockquote>{escape(activity.summary)}</blockquote>", "", _("<b>History</b>")]
    labels = {"created": _("logged"), "edited": _("edited"), "deleted": _("deleted")}
    for revision in detail.revisions:
        lines.append(
            f"{local_time(revision.at, tz)} · {labels.get(revision.action, revision.action)}"
        )
    return "\n".join(lines)


async def activity_chosen(
    callback: CallbackQuery,
    callback_data: ActivityCB,
    bot: Bot,
    log: LogContext,
    rulebook: RuleBook,
) -> None:
    """View, edit or delete one of my entries; anything not mine is refused.

    ``replace`` is "edit" confirmed over an unsaved entry: the entry is discarded first.
    """
    detail = await get_activity(log.session, member_id=log.member.id, activity_id=callback_data.id)
    actions = ("view", "edit", "replace", "delete", "delete-confirmed")
    if detail is None or callback_data.action not in actions:
        log_.warning(
            "chat %s asked for activity %s (%s): not theirs or unknown",
            callback.from_user.id,
            callback_data.id,
            callback_data.action,
        )
        await callback.answer(_("This activity is not available."), show_alert=True)
        return
    activity = detail.activity
    assert activity.id is not None
    open_window = can_change(activity, rulebook.for_year(activity.occurred_on.year), log.now)
    if callback_data.action != "view" and not open_window:
        await callback.answer(
            _(
                "Entries can be changed for {days} days after they are logged; this one is older."
            ).format(days=log.rules.edit_window_days),
            show_alert=True,
        )
        return
    if callback_data.action == "view":
        await callback.answer()
        markup = member_keyboards.activity_actions(
            activity.id, callback_data.page, can_change=open_window
        )
        await replace_or_send(callback, bot, render_activity(detail, log), markup)
    elif callback_data.action == "delete":
        await callback.answer()
        await replace_or_send(
            callback,
            bot,
            render_activity(detail, log) + "\n\n" + _("Delete this entry?"),
            member_keyboards.confirm_delete(activity.id, callback_data.page),
        )
    elif callback_data.action == "delete-confirmed":
        await _delete(callback, bot, log, rulebook, activity.id)
    else:
        await callback.answer()
        await _edit(log, detail, callback_data, replace=callback_data.action == "replace")


async def _delete(
    callback: CallbackQuery, bot: Bot, log: LogContext, rulebook: RuleBook, activity_id: int
) -> None:
    try:
        await delete_activity(
            log.session,
            member_id=log.member.id,
            activity_id=activity_id,
            rulebook=rulebook,
            now=log.now,
        )
    except (DomainError, NotFoundError):
        await callback.answer(_("This activity is not available."), show_alert=True)
        return
    await callback.answer(_("Deleted."))
    page = await list_activities(log.session, member_id=log.member.id)
    markup = member_keyboards.activities_page(page, log.rules, log.turn.locale)
    await replace_or_send(callback, bot, page_text(page), markup)


async def _edit(
    log: LogContext, detail: ActivityDetail, chosen: ActivityCB, *, replace: bool
) -> None:
    """Open the entry as a draft at its review; saving writes a new line of history.

    An unsaved entry already open is kept unless the member confirmed (``replace``).
    """
    activity = detail.activity
    if not replace and await offer_open_entry(
        log,
        discard_text=_("🗑 Discard it and edit this entry"),
        discard=ActivityCB(action="replace", id=chosen.id, page=chosen.page),
    ):
        return
    if replace and await in_entry(log.state):
        await log.turn.say(_("Entry discarded."))
    await log.state.clear()
    await log.state.update_data(
        draft=secrets.token_hex(8),
        activity_id=activity.id,
        kind=activity.kind,
        day=activity.occurred_on.isoformat(),
        sector_id=activity.sector_id,
        people=activity.people_count,
        paired=[person.id for person in detail.paired],
        place=activity.place,
        station_id=activity.station_id,
        summary=activity.summary,
        photos=[
            {"file_id": photo.file_id, "file_unique_id": photo.file_unique_id}
            for photo in detail.photos
        ],
    )
    await show_review(log)


def setup() -> Router:
    """The handlers of this module, on a fresh router."""
    router = Router(name="member-activities")
    router.callback_query.register(page_chosen, ActivitiesPageCB.filter())
    router.callback_query.register(activity_chosen, ActivityCB.filter())
    return router
