"""Callback data carried by inline buttons. Every id in here is checked again on arrival."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class LanguageCB(CallbackData, prefix="lang"):
    """Choose the language of the conversation."""

    code: str


class MenuCB(CallbackData, prefix="menu"):
    """A main-menu action from an inline button."""

    action: str


class IssueCB(CallbackData, prefix="is"):
    """A notice's "Open the case": one of my cases, opened on its card in "my issues"."""

    action: str
    id: int

    @classmethod
    def unpack(cls, value: str) -> IssueCB:
        """Read the button, also as notices sent earlier wrote it (a list page after the id)."""
        parts = value.split(cls.__separator__)
        if len(parts) == 4:
            value = cls.__separator__.join(parts[:3])
        return super().unpack(value)


# --- members ---------------------------------------------------------------------------------


class MeetingCB(CallbackData, prefix="mt"):
    """A member's meeting: view, attend, ask for leave, calendar file, check in.

    ``v`` is the meeting's version (its ``sequence``) the button was drawn for, so an answer
    to a meeting changed since is refused; -1 on buttons that do not depend on it.
    """

    action: str
    id: int
    v: int = -1

    @classmethod
    def unpack(cls, value: str) -> MeetingCB:
        """Read the button, also as notices sent earlier wrote it (no version)."""
        parts = value.split(cls.__separator__)
        if len(parts) == 3:
            value = cls.__separator__.join([*parts, "-1"])
        return super().unpack(value)


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
