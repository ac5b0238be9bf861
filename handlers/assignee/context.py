"""Who answers cases from a chat: a serving member, or a department's handler.

The member or department behind a chat is resolved once per update by
bot/middlewares/actor.py.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.filters import Filter
from aiogram.types import TelegramObject

from services.cases.common import Assignee
from services.members.profiles import MemberProfile
from storage.models import Department

DEPARTMENT_MENU = "department"


def assignee_of(member: MemberProfile | None, department: Department | None) -> Assignee | None:
    """The assignee a chat acts as, if any."""
    if member is not None and member.active:
        return Assignee("member", member.id, member.member.name)
    if department is not None and department.id is not None:
        return Assignee("department", department.id, department.name_zh)
    return None


def current_assignee(data: dict[str, Any]) -> Assignee | None:
    """The assignee of an event's data, whichever router the event came through."""
    found: Assignee | None = data.get("assignee")
    return found or assignee_of(data.get("member"), data.get("department"))


async def load_assignee(data: dict[str, Any]) -> Assignee | None:
    """The assignee of an event's data, for a dialog's getters.

    A dialog card drawn again from the error handler (after a stale press) sees only the
    Dispatcher's data; the actor middleware put the member and department there.
    """
    return current_assignee(data)


class AssigneeMiddleware(BaseMiddleware):
    """Puts ``assignee`` in the data of handlers behind :class:`IsAssignee`."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        """Resolve the assignee from the member or department already loaded."""
        data["assignee"] = assignee_of(data.get("member"), data.get("department"))
        return await handler(event, data)


class IsAssignee(Filter):
    """Passes for a serving member's chat or a department handler's chat."""

    async def __call__(
        self,
        event: TelegramObject,
        member: MemberProfile | None = None,
        department: Department | None = None,
    ) -> bool:
        """Whether cases can be assigned to whoever writes."""
        return assignee_of(member, department) is not None
