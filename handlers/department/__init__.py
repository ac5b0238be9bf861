"""Departments' handling of proposals and outcome suggestions: open items, answers, more time.

The entry and the dialog serve department handlers; a press of a handling button from any other
chat is refused. Administrators decide requests for more time from their notice.
"""

from aiogram import Router
from aiogram.filters import Filter
from aiogram.types import TelegramObject

from handlers.department import decisions, entry
from handlers.department.dialog import handling_dialog
from storage.models import Department


class IsDepartment(Filter):
    """Passes for a department handler's chat."""

    async def __call__(self, event: TelegramObject, department: Department | None = None) -> bool:
        """Whether a department stands behind the chat."""
        return department is not None


def setup() -> Router:
    """The ways in, the staff decisions, then the dialog behind the department filter."""
    router = Router(name="department")
    dialogs = Router(name="department-dialogs")
    for observer in (dialogs.message, dialogs.callback_query):
        observer.filter(IsDepartment())
    dialogs.include_router(handling_dialog())
    router.include_routers(entry.setup(), decisions.setup(), dialogs)
    return router
