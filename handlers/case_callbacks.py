"""Callback data of the buttons that work on cases. Every id is checked again on arrival.

Ratings, a notice's decision on more time, and social-conditions reports (the case desk's
and the assignees' own buttons belong to their dialogs). Their prefixes are in
``MEMBER_CALLBACK_PREFIXES`` and ``STAFF_CALLBACK_PREFIXES`` of :mod:`handlers.callbacks`, so
the gates refuse them to chats they are not for.
"""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class RateCB(CallbackData, prefix="rt"):
    """Rate the answer to one of my cases: the stars first, then whether it is solved."""

    id: int
    stars: int = 0
    solved: str = ""


class ExtensionCB(CallbackData, prefix="ex"):
    """Grant or refuse a request for more time."""

    action: str
    id: int


class ConditionsReportCB(CallbackData, prefix="cr"):
    """Members' social-conditions reports: the list, one report, accept or return it."""

    action: str
    id: int = 0
