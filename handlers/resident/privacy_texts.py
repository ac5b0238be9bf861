"""Wording and buttons of /forget."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _


class PrivacyCB(CallbackData, prefix="pv"):
    """Erase my data, or keep it; ``nonce`` ties the button to one /forget question."""

    action: str
    nonce: str


def not_a_resident_text() -> str:
    """Where members, staff and departments turn to instead."""
    return _(
        "This chat belongs to a committee member, a staff member or a department. "
        "Your records there are kept by the committee office: please ask the office to "
        "correct or erase them."
    )


def confirm_keyboard(nonce: str) -> InlineKeyboardMarkup:
    """Erase or keep, both tied to one question by its nonce."""
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=_("🗑 Erase my data"),
                    callback_data=PrivacyCB(action="erase", nonce=nonce).pack(),
                )
            ],
            [
                InlineKeyboardButton(
                    text=_("Keep my data"),
                    callback_data=PrivacyCB(action="keep", nonce=nonce).pack(),
                )
            ],
        ]
    )


def forget_question(cases: int) -> str:
    """What erasing removes, what stays (when there are cases), and the question."""
    text = _(
        "<b>Erase my data</b>\n"
        "This erases everything stored about you here: this chat and its language, the "
        "phone numbers you left and your consent, the locations and photos of your cases, "
        "your station subscriptions, the messages waiting for you and the report you are "
        "writing."
    )
    if cases:
        text += "\n\n" + _(
            "<b>What stays</b>: your cases ({count}) stay as anonymous records, with their "
            "description and the public answers, because the committee must keep a record of "
            "every case and its answer. Nobody can link them to you afterwards, and you can "
            "no longer follow them here."
        ).format(count=cases)
    text += "\n\n" + _(
        "This cannot be undone. Send /mydata first if you want a copy. Erase your data?"
    )
    return text
