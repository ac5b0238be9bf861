"""The assignees' side: members and department handlers answer the cases given to them."""

from aiogram import Router

from handlers.assignee import cases, report, steps
from handlers.assignee.context import AssigneeMiddleware, IsAssignee


def setup() -> Router:
    """Assignee features behind the assignee filter."""
    router = Router(name="assignee")
    for observer in (router.message, router.callback_query):
        observer.filter(IsAssignee())
        observer.middleware(AssigneeMiddleware())
    router.include_routers(cases.setup(), report.setup(), steps.setup())
    return router
