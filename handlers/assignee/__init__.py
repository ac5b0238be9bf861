"""The assignees' side: members and department handlers answer the cases given to them."""

from aiogram import Router

from handlers.assignee import cases
from handlers.assignee.casework import casework_dialog
from handlers.assignee.context import AssigneeMiddleware, IsAssignee
from handlers.assignee.report import conditions_report_dialog


def setup() -> Router:
    """Assignee features behind the assignee filter: the ways in, then the dialogs."""
    router = Router(name="assignee")
    for observer in (router.message, router.callback_query):
        observer.filter(IsAssignee())
        observer.middleware(AssigneeMiddleware())
    router.include_routers(cases.setup(), casework_dialog(), conditions_report_dialog())
    return router
