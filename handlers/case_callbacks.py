"""Callback data of the buttons that work on cases. Every id is checked again on arrival.

The queue, case actions, ratings and social-conditions reports (the assignees' own
buttons belong to their dialogs). Their
prefixes are in ``MEMBER_CALLBACK_PREFIXES`` and ``STAFF_CALLBACK_PREFIXES`` of
:mod:`handlers.callbacks`, so the gates refuse them to chats they are not for.
"""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class RateCB(CallbackData, prefix="rt"):
    """Rate the answer to one of my cases: the stars first, then whether it is solved."""

    id: int
    stars: int = 0
    solved: str = ""


class QueueCB(CallbackData, prefix="qa"):
    """The case queue: a station (0 for all, -1 for the overview) and a page."""

    station: int = 0
    page: int = 0


class CaseActionCB(CallbackData, prefix="qb"):
    """An action on a case from its card (accept, assign, reject, reply, ...)."""

    action: str
    id: int


class AssignPickCB(CallbackData, prefix="qc"):
    """Whom to assign a case to: ``kind`` m(ember) or d(epartment), a page, or ``target``."""

    issue: int
    kind: str
    target: int = 0
    page: int = 0


class DueCB(CallbackData, prefix="qd"):
    """The due date of an assignment, in days from now (-1: the category's default)."""

    issue: int
    kind: str
    target: int
    days: int


class CannedCB(CallbackData, prefix="qe"):
    """A canned reply picked for a case (id 0: write one)."""

    issue: int
    id: int


class ReplySendCB(CallbackData, prefix="qf"):
    """Send, rewrite or drop the reply being written; ``draft`` ties it to one draft."""

    action: str
    draft: str


class ExtensionCB(CallbackData, prefix="ex"):
    """Grant or refuse a request for more time."""

    action: str
    id: int


class ConditionsReportCB(CallbackData, prefix="cr"):
    """Members' social-conditions reports: the list, one report, accept or return it."""

    action: str
    id: int = 0
