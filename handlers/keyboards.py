"""Keyboards, drawn in the reader's language."""

from __future__ import annotations

from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)
from aiogram.utils.i18n import gettext as _

from handlers.callbacks import LanguageCB, MenuCB
from handlers.grid import Grid
from handlers.texts import Buttons


def main_menu(role: str = "resident") -> ReplyKeyboardMarkup:
    """The main menu of a member, an administrator, station staff, a department or a resident."""
    if role == "member":
        rows = [
            [KeyboardButton(text=_(Buttons.LOG)), KeyboardButton(text=_(Buttons.PROGRESS))],
            [KeyboardButton(text=_(Buttons.ACTIVITIES)), KeyboardButton(text=_(Buttons.MEETINGS))],
            [
                KeyboardButton(text=_(Buttons.ASSIGNED_CASES)),
                KeyboardButton(text=_(Buttons.MY_RECORD)),
            ],
            [KeyboardButton(text=_(Buttons.PROPOSALS)), KeyboardButton(text=_(Buttons.HELP))],
            [KeyboardButton(text=_(Buttons.SUGGEST_TOPIC))],
        ]
    elif role == "department":
        rows = [
            [KeyboardButton(text=_(Buttons.ASSIGNED_CASES))],
            [KeyboardButton(text=_(Buttons.HANDLING))],
            [KeyboardButton(text=_(Buttons.HELP))],
        ]
    elif role == "staff":
        rows = [
            [KeyboardButton(text=_(Buttons.CASE_QUEUE)), KeyboardButton(text=_(Buttons.BROADCAST))],
            [KeyboardButton(text=_(Buttons.NEW_MEETING)), KeyboardButton(text=_(Buttons.MEETINGS))],
            [KeyboardButton(text=_(Buttons.REPORTS)), KeyboardButton(text=_(Buttons.HELP))],
            [KeyboardButton(text=_(Buttons.TOPICS))],
        ]
    elif role == "station-staff":
        rows = [
            [KeyboardButton(text=_(Buttons.CASE_QUEUE)), KeyboardButton(text=_(Buttons.BROADCAST))],
            [KeyboardButton(text=_(Buttons.REPORTS)), KeyboardButton(text=_(Buttons.HELP))],
            [KeyboardButton(text=_(Buttons.TOPICS))],
        ]
    else:
        rows = [
            [KeyboardButton(text=_(Buttons.REPORT)), KeyboardButton(text=_(Buttons.MY_ISSUES))],
            [KeyboardButton(text=_(Buttons.STATIONS)), KeyboardButton(text=_(Buttons.HELP))],
            [KeyboardButton(text=_(Buttons.SUGGEST_TOPIC))],
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


def report_first() -> InlineKeyboardMarkup:
    """For an empty list: a way to start."""
    builder = Grid()
    builder.button(text=_(Buttons.REPORT), callback_data=MenuCB(action="report"))
    return builder.as_markup()
