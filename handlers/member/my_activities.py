"""My activities: the member's own entries page by page, one with its history, editing, deleting.

A dialog: the list pages through the database (a stub scroll holds the page), an entry opens
on its own card, and Edit and Delete check the edit window again when pressed. Opened during an
unsaved entry, the list goes on top of it and offers to go back to it.
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager, ShowMode, StartMode, Window
from aiogram_dialog.widgets.common import ManagedScroll
from aiogram_dialog.widgets.kbd import (
    Button,
    Row,
    Select,
    StubScroll,
    SwitchTo,
)
from aiogram_dialog.widgets.text import Format, Multi

from handlers.dialogs.paging import choices, page_buttons
from handlers.dialogs.text import T
from handlers.member.context import LogContext
from handlers.member.log_entry import (
    OVER_ENTRY,
    changeable,
    close_above_entry,
    edit_activity_entry,
    entry_open,
)
from handlers.member.log_steps import member_log
from handlers.states import MyActivities
from handlers.texts import escape, local_time, year_closed_text
from services.errors import DomainError, NotFoundError
from services.members.activities import can_change, delete_activity
from services.members.activity_pages import ActivityDetail, get_activity, list_activities
from services.members.rules import RuleBook
from services.reference.catalog import display_name
from services.translation import N_

log_ = logging.getLogger(__name__)


async def show_activities(message: Message, log: LogContext, manager: DialogManager) -> None:
    """The first page of the member's activities; on top of an unsaved entry, if one is open."""
    page = await list_activities(log.session, member_id=log.member.id)
    if page.total == 0:
        await message.answer(_("You have not logged any activity yet. Tap “🗓 Log an activity”."))
        return
    if entry_open(manager):
        await close_above_entry(manager)
        await manager.start(MyActivities.page, data={OVER_ENTRY: True}, show_mode=ShowMode.SEND)
        return
    await manager.start(MyActivities.page, mode=StartMode.RESET_STACK, show_mode=ShowMode.SEND)


def _scroll(manager: DialogManager) -> ManagedScroll:
    """The list's page."""
    scroll = manager.find("pages")
    assert isinstance(scroll, ManagedScroll)
    return scroll


# --- the list ---------------------------------------------------------------------------------


async def page_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """A page of activities, newest first; a page out of range shows the nearest one."""
    log = await member_log(dialog_manager)
    scroll = _scroll(dialog_manager)
    page = await list_activities(log.session, member_id=log.member.id, page=await scroll.get_page())
    if page.page != await scroll.get_page():
        await scroll.set_page(page.page)
    items = []
    for activity in page.items:
        kind = log.rules.kind(activity.kind)
        name = display_name(kind, log.turn.locale) if kind else activity.kind
        label = _("{date} · {kind} · {people} people").format(
            date=activity.occurred_on.isoformat(), kind=name, people=activity.people_count
        )
        items.append((activity.id, label))
    start_data = dialog_manager.start_data
    return {
        "items": items,
        "total": page.total,
        "page": page.page + 1,
        "pages": page.pages,
        "paged": page.pages > 1,
        "over_entry": isinstance(start_data, dict) and bool(start_data.get(OVER_ENTRY)),
    }


async def activity_chosen(
    callback: CallbackQuery, widget: Select[str], manager: DialogManager, item: str
) -> None:
    """Open one of my entries; anything not mine is refused."""
    log = await member_log(manager)
    detail = (
        await get_activity(log.session, member_id=log.member.id, activity_id=int(item))
        if item.isdigit()
        else None
    )
    if detail is None:
        log_.warning("chat %s asked for activity %r", callback.from_user.id, item)
        await callback.answer(_("This activity is not available."), show_alert=True)
        return
    manager.dialog_data["activity_id"] = detail.activity.id
    await manager.switch_to(MyActivities.entry)


async def back_to_entry(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Close the list and go on with the unsaved entry under it."""
    await close_above_entry(manager)
    await manager.show(ShowMode.SEND)


# --- one entry --------------------------------------------------------------------------------


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


async def entry_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """The chosen entry, and whether it may still be changed."""
    log = await member_log(dialog_manager)
    detail = await get_activity(
        log.session,
        member_id=log.member.id,
        activity_id=int(dialog_manager.dialog_data.get("activity_id") or 0),
    )
    if detail is None:
        return {"card": escape(_("This activity is not available.")), "can_change": False}
    rulebook: RuleBook = dialog_manager.middleware_data["rulebook"]
    rules = rulebook.for_year(detail.activity.occurred_on.year)
    dialog_manager.dialog_data["drawn"] = activity_version(detail)
    return {
        "card": render_activity(detail, log),
        "can_change": can_change(detail.activity, rules, log.now),
    }


def _chosen(manager: DialogManager) -> int:
    return int(manager.dialog_data.get("activity_id") or 0)


def activity_version(detail: ActivityDetail) -> str:
    """The entry as a card draws it: its last change and how many changes it has had."""
    return f"{detail.activity.updated_at.isoformat()}|{len(detail.revisions)}"


async def as_drawn(callback: CallbackQuery, manager: DialogManager) -> bool:
    """Whether the entry is still as its card showed it; if not, the card is drawn again.

    The same member may change an entry from another chat (the web chat and Telegram) while
    this card stays on screen: its buttons then act on an entry the member no longer sees.
    """
    log = await member_log(manager)
    detail = await get_activity(log.session, member_id=log.member.id, activity_id=_chosen(manager))
    drawn = manager.dialog_data.get("drawn")
    if detail is None or drawn is None or drawn == activity_version(detail):
        return True
    log_.info("chat %s: stale card of activity %s", callback.from_user.id, _chosen(manager))
    await callback.answer(
        _("This card is out of date: the entry was changed. Here it is as it stands now."),
        show_alert=True,
    )
    await manager.switch_to(MyActivities.entry)
    return False


async def edit_chosen(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Open the entry at its review; saving writes a new line of its history."""
    if await as_drawn(callback, manager):
        await edit_activity_entry(callback, manager, _chosen(manager))


async def delete_chosen(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Ask before deleting."""
    if await as_drawn(callback, manager) and await changeable(callback, manager, _chosen(manager)):
        await manager.switch_to(MyActivities.delete)


async def delete_confirmed(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Delete the entry (it stays in its history), then the first page again."""
    if not await as_drawn(callback, manager):
        return
    log = await member_log(manager)
    try:
        await delete_activity(
            log.session,
            member_id=log.member.id,
            activity_id=_chosen(manager),
            rulebook=manager.middleware_data["rulebook"],
            now=log.now,
            tz=manager.middleware_data["tz"],
        )
    except NotFoundError:
        await callback.answer(_("This activity is not available."), show_alert=True)
        return
    except DomainError as error:
        text = (
            year_closed_text(error.params)
            if error.code == "year_closed"
            else _("This activity is not available.")
        )
        await callback.answer(text, show_alert=True)
        return
    await callback.answer(_("Deleted."))
    scroll = _scroll(manager)
    await scroll.set_page(0)
    await manager.switch_to(MyActivities.page)


def activities_dialog() -> Dialog:
    """A fresh My activities dialog (one per Dispatcher)."""
    return Dialog(
        Window(
            Multi(
                T("<b>My activities</b>: {total} in all."),
                T("Page {page} of {pages}.", when="paged"),
                sep=" ",
            ),
            choices("activity", activity_chosen),
            StubScroll(id="pages", pages="pages"),
            page_buttons("pages", back=("newer", N_("◀ Newer")), forward=("older", N_("Older ▶"))),
            Button(
                T("▶ Continue the entry"), id="entry", on_click=back_to_entry, when="over_entry"
            ),
            getter=page_getter,
            state=MyActivities.page,
        ),
        Window(
            Format("{card}"),
            Row(
                Button(T("✏️ Edit"), id="edit", on_click=edit_chosen, when="can_change"),
                Button(T("🗑 Delete"), id="delete", on_click=delete_chosen, when="can_change"),
            ),
            SwitchTo(T("◀ Back to my activities"), id="back", state=MyActivities.page),
            getter=entry_getter,
            state=MyActivities.entry,
        ),
        Window(
            Multi(Format("{card}"), T("Delete this entry?"), sep="\n\n"),
            Button(T("🗑 Yes, delete it"), id="delete_confirmed", on_click=delete_confirmed),
            SwitchTo(T("◀ No, keep it"), id="keep", state=MyActivities.entry),
            getter=entry_getter,
            state=MyActivities.delete,
        ),
    )
