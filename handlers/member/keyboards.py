"""Keyboards of the members' side."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from handlers.callbacks import (
    ActivitiesPageCB,
    ActivityCB,
    ActResumeCB,
    ActReviewCB,
    DateCB,
    KindCB,
    PairedCB,
    PlaceCB,
    SectorCB,
)
from handlers.grid import Grid
from services.members.activity_pages import ActivityPage
from services.members.rules import Rules
from services.reference.catalog import display_name
from storage.models import PairedPerson, Sector, Station


def kinds(rules: Rules, locale: str) -> InlineKeyboardMarkup:
    """Every kind of activity of the year's rules."""
    builder = Grid()
    for kind in rules.activity_kinds:
        builder.button(text=display_name(kind, locale), callback_data=KindCB(code=kind.code))
    builder.adjust(2)
    return builder.as_markup()


def dates(today: dt.date) -> InlineKeyboardMarkup:
    """Today and yesterday; other dates are typed."""
    yesterday = today - dt.timedelta(days=1)
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=_("Today ({date})").format(date=today.isoformat()),
                    callback_data=DateCB(day=today.isoformat()).pack(),
                ),
                InlineKeyboardButton(
                    text=_("Yesterday ({date})").format(date=yesterday.isoformat()),
                    callback_data=DateCB(day=yesterday.isoformat()).pack(),
                ),
            ]
        ]
    )


def own_sector(sector: Sector, locale: str) -> InlineKeyboardMarkup:
    """The member's own sector, or the full list."""
    assert sector.id is not None
    builder = Grid()
    builder.button(
        text=_("My sector: {name}").format(name=display_name(sector, locale)),
        callback_data=SectorCB(id=sector.id),
    )
    builder.button(text=_("Another sector…"), callback_data=SectorCB(id=0))
    builder.adjust(1)
    return builder.as_markup()


def all_sectors(sectors: Sequence[Sector], locale: str) -> InlineKeyboardMarkup:
    """Every sector, two a row."""
    builder = Grid()
    for sector in sectors:
        assert sector.id is not None
        builder.button(text=display_name(sector, locale), callback_data=SectorCB(id=sector.id))
    builder.adjust(2)
    return builder.as_markup()


def paired(people: Sequence[PairedPerson], chosen: set[int]) -> InlineKeyboardMarkup:
    """Tick the paired people the activity reached."""
    builder = Grid()
    for person in people:
        assert person.id is not None
        mark = "☑" if person.id in chosen else "☐"
        builder.button(text=f"{mark} {person.name}", callback_data=PairedCB(id=person.id))
    builder.button(text=_("✅ Done"), callback_data=PairedCB(id=0))
    builder.adjust(2)
    return builder.as_markup()


def places(stations: Sequence[Station], locale: str) -> InlineKeyboardMarkup:
    """The stations the member serves at, and "no place"."""
    builder = Grid()
    for station in stations:
        assert station.id is not None
        builder.button(text=display_name(station, locale), callback_data=PlaceCB(id=station.id))
    builder.button(text=_("⏭ Skip"), callback_data=PlaceCB(id=0))
    builder.adjust(1)
    return builder.as_markup()


def review(draft: str, *, editing_entry: bool) -> InlineKeyboardMarkup:
    """Edit any part, then save or discard."""
    builder = Grid()
    edits = [
        ("kind", _("✏️ Kind")),
        ("date", _("✏️ Date")),
        ("sector", _("✏️ Sector")),
        ("people", _("✏️ People")),
        ("paired", _("✏️ Paired people")),
        ("place", _("✏️ Place")),
        ("summary", _("✏️ Summary")),
        ("photos", _("✏️ Photos")),
    ]
    for action, label in edits:
        builder.button(text=label, callback_data=ActReviewCB(action=action, draft=draft))
    save = _("✅ Save the changes") if editing_entry else _("✅ Save")
    builder.button(text=save, callback_data=ActReviewCB(action="save", draft=draft))
    builder.button(text=_("🗑 Discard"), callback_data=ActReviewCB(action="discard", draft=draft))
    builder.adjust(2, 2, 2, 2, 1, 1)
    return builder.as_markup()


def resume() -> InlineKeyboardMarkup:
    """For a member who starts again while an entry is open."""
    builder = Grid()
    builder.button(text=_("▶ Continue the entry"), callback_data=ActResumeCB(action="continue"))
    builder.button(
        text=_("🗑 Discard it and start over"), callback_data=ActResumeCB(action="restart")
    )
    builder.adjust(1)
    return builder.as_markup()


def activities_page(page: ActivityPage, rules: Rules, locale: str) -> InlineKeyboardMarkup:
    """One button an activity, then paging."""
    builder = Grid()
    for activity in page.items:
        assert activity.id is not None
        kind = rules.kind(activity.kind)
        name = display_name(kind, locale) if kind else activity.kind
        label = _("{date} · {kind} · {people} people").format(
            date=activity.occurred_on.isoformat(), kind=name, people=activity.people_count
        )
        builder.row(
            InlineKeyboardButton(
                text=label,
                callback_data=ActivityCB(action="view", id=activity.id, page=page.page).pack(),
            )
        )
    nav = []
    if page.page > 0:
        nav.append(
            InlineKeyboardButton(
                text=_("◀ Newer"), callback_data=ActivitiesPageCB(page=page.page - 1).pack()
            )
        )
    if page.page + 1 < page.pages:
        nav.append(
            InlineKeyboardButton(
                text=_("Older ▶"), callback_data=ActivitiesPageCB(page=page.page + 1).pack()
            )
        )
    if nav:
        builder.row(*nav)
    return builder.as_markup()


def activity_actions(activity_id: int, page: int, *, can_change: bool) -> InlineKeyboardMarkup:
    """Edit and delete while the window is open; back to the list."""
    builder = Grid()
    if can_change:
        builder.button(
            text=_("✏️ Edit"), callback_data=ActivityCB(action="edit", id=activity_id, page=page)
        )
        builder.button(
            text=_("🗑 Delete"),
            callback_data=ActivityCB(action="delete", id=activity_id, page=page),
        )
    builder.button(text=_("◀ Back to my activities"), callback_data=ActivitiesPageCB(page=page))
    builder.adjust(2, 1)
    return builder.as_markup()


def confirm_delete(activity_id: int, page: int) -> InlineKeyboardMarkup:
    """Ask before deleting."""
    builder = Grid()
    builder.button(
        text=_("🗑 Yes, delete it"),
        callback_data=ActivityCB(action="delete-confirmed", id=activity_id, page=page),
    )
    builder.button(
        text=_("◀ No, keep it"), callback_data=ActivityCB(action="view", id=activity_id, page=page)
    )
    builder.adjust(1)
    return builder.as_markup()
