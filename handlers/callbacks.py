"""Callback data carried by inline buttons. Every id in here is checked again on arrival."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class LanguageCB(CallbackData, prefix="lang"):
    """Choose the language of the conversation."""

    code: str


class MenuCB(CallbackData, prefix="menu"):
    """A main-menu action from an inline button."""

    action: str


class ResumeCB(CallbackData, prefix="resume"):
    """Continue or discard an unfinished report."""

    action: str


class StationPickCB(CallbackData, prefix="stp"):
    """The station chosen for the report being written."""

    id: int


class NearestCB(CallbackData, prefix="near"):
    """Ask for the stations nearest to the resident."""


class CategoryPickCB(CallbackData, prefix="cat"):
    """The category chosen for the report being written."""

    id: int


class ContactCB(CallbackData, prefix="ct"):
    """Anonymous, or leave a phone number."""

    choice: str


class ReviewCB(CallbackData, prefix="rv"):
    """Edit a part of the draft, submit it or discard it; ``draft`` ties it to one draft."""

    action: str
    draft: str


class IssuesPageCB(CallbackData, prefix="ip"):
    """A page of "my issues"."""

    page: int


class IssueCB(CallbackData, prefix="is"):
    """Open one of my cases, or its photos; ``page`` is where to go back to."""

    action: str
    id: int
    page: int = 0


class StationInfoCB(CallbackData, prefix="sti"):
    """A station in the stations directory: view it, see it on a map, report there."""

    action: str
    id: int
