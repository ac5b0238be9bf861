"""Callback data carried by inline buttons. Every id in here is checked again on arrival."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class LanguageCB(CallbackData, prefix="lang"):
    """Choose the language of the conversation."""

    code: str


class MenuCB(CallbackData, prefix="menu"):
    """A main-menu action from an inline button."""

    action: str


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


# --- members ---------------------------------------------------------------------------------


class MeetingCB(CallbackData, prefix="mt"):
    """A member's meeting: view, attend, ask for leave, calendar file, check in."""

    action: str
    id: int


class MemberMenuCB(CallbackData, prefix="mm"):
    """A member menu action from a reminder's button."""

    action: str


class AssigneeIssueCB(CallbackData, prefix="ai"):
    """A notice's button that opens a case assigned to the chat (``action`` is "view")."""

    action: str
    id: int


# Members and department handlers share the notices' "open the case" button ("ai").
MEMBER_CALLBACK_PREFIXES = frozenset({"mt", "mm"} | {"ai"})


# --- staff -----------------------------------------------------------------------------------


class LeaveCB(CallbackData, prefix="lv"):
    """Approve or refuse a member's leave request."""

    action: str
    meeting: int
    member: int


class StaffMeetingCB(CallbackData, prefix="sm"):
    """A meeting as staff see it: who answered what."""

    action: str
    id: int


class StaffIssueCB(CallbackData, prefix="si"):
    """A case as staff see it."""

    action: str
    id: int


class StaffMenuCB(CallbackData, prefix="sx"):
    """A staff action from a button: the quarter report, a new meeting."""

    action: str


# Prefixes of staff buttons defined in their own modules: a broadcast's progress card (bc),
# reports (rp, rq), social-conditions reports (cr), extensions from notices (ex).


STAFF_CALLBACK_PREFIXES = frozenset({"lv", "sm", "si", "sx"} | {"bc"} | {"rp", "rq"} | {"cr", "ex"})
