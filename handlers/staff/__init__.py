"""The staff desk: meetings and leave, cases from notices, the quarter report."""

from aiogram import Router

from handlers.staff import (
    broadcasts,
    cases,
    gate,
    meeting_audience,
    meeting_form,
    meetings,
    reports,
    stats,
)
from handlers.staff.context import ActiveStaff
from handlers.staff.desk import DeskMiddleware


def setup() -> Router:
    """Staff features behind the staff filter, then the gate for everyone else."""
    staff_only = Router(name="staff")
    for observer in (staff_only.message, staff_only.callback_query):
        observer.filter(ActiveStaff())
        observer.middleware(DeskMiddleware())
    staff_only.include_routers(
        meeting_audience.setup(),
        meeting_form.setup(),
        meetings.setup(),
        cases.setup(),
        reports.setup(),
        stats.setup(),
        broadcasts.setup(),
    )
    router = Router(name="staff-desk")
    router.include_routers(staff_only, gate.setup())
    return router
