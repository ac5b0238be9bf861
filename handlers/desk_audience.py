"""Whether an update may be for the desks of members, staff or departments at all.

A resident's update used to walk every desk router before reaching the residents' own: the
members', the staff's and the member links, a dozen routers of filters that can only refuse
it. Those routers answer a resident in three cases only, each from a gate that refuses a desk
feature to those without it: a command (``/log``, ``/queue``, a member's invitation link), a
desk's menu label, or a press on a desk's button or dialog. :class:`MayConcernDesks` lets
exactly those through, and every update of a member, staff or department chat; everything
else of a resident goes straight on, as it would have after the refusals found nothing.
"""

from __future__ import annotations

from typing import Any

from aiogram.filters import Filter
from aiogram.types import CallbackQuery, Message, TelegramObject
from aiogram.utils.i18n import I18n
from aiogram_dialog.api.entities import Context
from aiogram_dialog.api.internal import CONTEXT_KEY

from handlers.member.gate import is_member_callback
from handlers.staff.gate import is_staff_callback
from handlers.states import MyIssues, ReopenReason, ReportForm, StationDirectory
from handlers.texts import Buttons
from storage.enums import Role
from storage.models import ChatIdentity

# The labels the desks' gates refuse to a chat without the desk.
DESK_LABELS = (
    Buttons.LOG,
    Buttons.PROGRESS,
    Buttons.ACTIVITIES,
    Buttons.ASSIGNED_CASES,
    Buttons.MY_RECORD,
    Buttons.NEW_MEETING,
    Buttons.QUARTER_REPORT,
    Buttons.CASE_QUEUE,
    Buttons.BROADCAST,
    Buttons.REPORTS,
)
RESIDENT_DIALOGS = frozenset({ReportForm, MyIssues, StationDirectory, ReopenReason})


class MayConcernDesks(Filter):
    """True unless the update is a resident's and no desk router could answer it."""

    def __init__(self) -> None:
        self._labels: frozenset[str] | None = None

    def labels(self, i18n: I18n) -> frozenset[str]:
        """The desk labels in every language."""
        if self._labels is None:
            self._labels = frozenset(
                i18n.gettext(msgid, locale=locale)
                for msgid in DESK_LABELS
                for locale in (*i18n.available_locales, i18n.default_locale)
            ) | frozenset(DESK_LABELS)
        return self._labels

    async def __call__(self, event: TelegramObject, **data: Any) -> bool:
        """Whether the desks' routers must see this update."""
        identity: ChatIdentity | None = data.get("identity")
        if identity is None or identity.role != Role.RESIDENT:
            return True
        if isinstance(event, Message):
            text = (event.text or "").strip()
            return text.startswith("/") or text in self.labels(data["i18n"])
        if isinstance(event, CallbackQuery):
            if is_member_callback(event.data) or is_staff_callback(event.data):
                return True
            context: Context | None = data.get(CONTEXT_KEY)
            return context is not None and context.state.group not in RESIDENT_DIALOGS
        return True
