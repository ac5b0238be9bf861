"""Keyboards, drawn in the reader's language."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)
from aiogram.utils.i18n import gettext as _

from handlers.callbacks import (
    IssueCB,
    IssuesPageCB,
    LanguageCB,
    MenuCB,
    StationInfoCB,
)
from handlers.case_callbacks import RateCB
from handlers.grid import Grid
from handlers.texts import Buttons, shorten
from services.cases.labels import status_label
from services.cases.residents import IssueDetail, IssuePage
from services.reference.catalog import display_name
from storage.enums import IssueStatus
from storage.models import Station


def main_menu(role: str = "resident") -> ReplyKeyboardMarkup:
    """The main menu of a member, an administrator, station staff, a department or a resident."""
    if role == "member":
        rows = [
            [KeyboardButton(text=_(Buttons.LOG)), KeyboardButton(text=_(Buttons.PROGRESS))],
            [KeyboardButton(text=_(Buttons.ACTIVITIES)), KeyboardButton(text=_(Buttons.MEETINGS))],
            [
                KeyboardButton(text=_(Buttons.ASSIGNED_CASES)),
                KeyboardButton(text=_(Buttons.HELP)),
            ],
        ]
    elif role == "department":
        rows = [
            [KeyboardButton(text=_(Buttons.ASSIGNED_CASES))],
            [KeyboardButton(text=_(Buttons.HELP))],
        ]
    elif role == "staff":
        rows = [
            [KeyboardButton(text=_(Buttons.CASE_QUEUE)), KeyboardButton(text=_(Buttons.BROADCAST))],
            [KeyboardButton(text=_(Buttons.NEW_MEETING)), KeyboardButton(text=_(Buttons.MEETINGS))],
            [KeyboardButton(text=_(Buttons.REPORTS)), KeyboardButton(text=_(Buttons.HELP))],
        ]
    elif role == "station-staff":
        rows = [
            [KeyboardButton(text=_(Buttons.CASE_QUEUE)), KeyboardButton(text=_(Buttons.BROADCAST))],
            [KeyboardButton(text=_(Buttons.REPORTS)), KeyboardButton(text=_(Buttons.HELP))],
        ]
    else:
        rows = [
            [KeyboardButton(text=_(Buttons.REPORT)), KeyboardButton(text=_(Buttons.MY_ISSUES))],
            [KeyboardButton(text=_(Buttons.STATIONS)), KeyboardButton(text=_(Buttons.HELP))],
        ]
    return ReplyKeyboardMarkup(keyboard=rows, resize_keyboard=True, is_persistent=True)


def cancel_only() -> ReplyKeyboardMarkup:
    """Shown while a report is being written."""
    return ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text=_(Buttons.CANCEL))]], resize_keyboard=True
    )


def languages() -> InlineKeyboardMarkup:
    """Language choice; each language named in itself."""
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(text="中文", callback_data=LanguageCB(code="zh_CN").pack()),
                InlineKeyboardButton(text="English", callback_data=LanguageCB(code="en").pack()),
            ]
        ]
    )


def share_location(*, skippable: bool) -> ReplyKeyboardMarkup:
    """A location button, with Skip when the location is optional."""
    rows = [[KeyboardButton(text=_(Buttons.SHARE_LOCATION), request_location=True)]]
    if skippable:
        rows.append([KeyboardButton(text=_(Buttons.SKIP))])
    rows.append([KeyboardButton(text=_(Buttons.CANCEL))])
    return ReplyKeyboardMarkup(keyboard=rows, resize_keyboard=True)


def photo_step(*, has_photos: bool) -> ReplyKeyboardMarkup:
    """Done (or Skip), remove the photos, cancel."""
    rows = [[KeyboardButton(text=_(Buttons.DONE if has_photos else Buttons.SKIP))]]
    if has_photos:
        rows.append([KeyboardButton(text=_(Buttons.REMOVE_PHOTOS))])
    rows.append([KeyboardButton(text=_(Buttons.CANCEL))])
    return ReplyKeyboardMarkup(keyboard=rows, resize_keyboard=True)


def share_phone() -> ReplyKeyboardMarkup:
    """Share the phone number of this account."""
    return ReplyKeyboardMarkup(
        keyboard=[
            [KeyboardButton(text=_(Buttons.SHARE_PHONE), request_contact=True)],
            [KeyboardButton(text=_(Buttons.CANCEL))],
        ],
        resize_keyboard=True,
    )


def issues_page(page: IssuePage, locale: str) -> InlineKeyboardMarkup:
    """One button a case, then paging."""
    builder = Grid()
    for item in page.items:
        label = f"{item.number} · {status_label(item.status)} · " + shorten(
            display_name(item.category, locale), 16
        )
        builder.row(
            InlineKeyboardButton(
                text=label,
                callback_data=IssueCB(action="view", id=item.id, page=page.page).pack(),
            )
        )
    nav: list[InlineKeyboardButton] = []
    if page.page > 0:
        nav.append(
            InlineKeyboardButton(
                text=_("◀ Newer"), callback_data=IssuesPageCB(page=page.page - 1).pack()
            )
        )
    if page.page + 1 < page.pages:
        nav.append(
            InlineKeyboardButton(
                text=_("Older ▶"), callback_data=IssuesPageCB(page=page.page + 1).pack()
            )
        )
    if nav:
        builder.row(*nav)
    return builder.as_markup()


def issue_detail(detail: IssueDetail, page: int) -> InlineKeyboardMarkup:
    """Rate the answer (when it waits for a rating), photos (if any), back to the list."""
    issue = detail.issue
    assert issue.id is not None
    builder = Grid()
    ratable = issue.status in (IssueStatus.ANSWERED, IssueStatus.RESOLVED)
    if ratable and issue.last_reply_at is not None and issue.rated_at is None:
        builder.button(text=_("⭐ Rate the answer"), callback_data=RateCB(id=issue.id))
    if detail.photos:
        builder.button(
            text=_("📷 Photos ({count})").format(count=len(detail.photos)),
            callback_data=IssueCB(action="photos", id=detail.issue.id, page=page),
        )
    builder.button(text=_("◀ Back to my issues"), callback_data=IssuesPageCB(page=page))
    builder.adjust(1)
    return builder.as_markup()


def report_first() -> InlineKeyboardMarkup:
    """For an empty list: a way to start."""
    builder = Grid()
    builder.button(text=_(Buttons.REPORT), callback_data=MenuCB(action="report"))
    return builder.as_markup()


def stations_directory(stations: Sequence[Station], locale: str) -> InlineKeyboardMarkup:
    """The stations directory."""
    builder = Grid()
    for station in stations:
        assert station.id is not None
        builder.button(
            text=display_name(station, locale),
            callback_data=StationInfoCB(action="view", id=station.id),
        )
    builder.adjust(1)
    return builder.as_markup()


def station_actions(station: Station) -> InlineKeyboardMarkup:
    """Report at this station, see it on a map, back."""
    assert station.id is not None
    builder = Grid()
    builder.button(
        text=_("📝 Report an issue here"),
        callback_data=StationInfoCB(action="report", id=station.id),
    )
    if station.latitude is not None and station.longitude is not None:
        builder.button(
            text=_("🗺 Show on the map"), callback_data=StationInfoCB(action="map", id=station.id)
        )
    builder.button(text=_("◀ All stations"), callback_data=StationInfoCB(action="list", id=0))
    builder.adjust(1)
    return builder.as_markup()
