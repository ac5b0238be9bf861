"""The staff desk: the case queue and casework, meetings and leave, broadcasts, reports."""

from aiogram import Router

from handlers.staff import (
    assessment_entry,
    broadcasts,
    case_desk,
    case_desk_entry,
    case_search,
    consultation_prep,
    corrections,
    decisions,
    gate,
    guest_invite,
    hotspot_desk,
    meeting_form,
    meetings,
    meetings_gate,
    meetings_list,
    outcome_desk,
    outcome_form,
    outcome_press,
    pipeline_lists,
    proceedings_desk,
    proposal_desk,
    record_view,
    reports,
    stats,
    year_reports,
    year_steps_dialog,
)
from handlers.staff.context import ActiveStaff, AdminStaff
from handlers.staff.desk import DeskMiddleware


def _admins_only(name: str, *routers: Router) -> Router:
    router = Router(name=name)
    router.message.filter(AdminStaff())
    router.callback_query.filter(AdminStaff())
    router.include_routers(*routers)
    return router


def setup() -> Router:
    """Staff features behind the staff filter, then the gate for everyone else."""
    staff_only = Router(name="staff")
    for observer in (staff_only.message, staff_only.callback_query):
        observer.filter(ActiveStaff())
        observer.middleware(DeskMiddleware())
    admins_only = _admins_only(
        "staff-admin", meeting_form.entry(), meetings.setup(), proposal_desk.entry()
    )
    # The dialogs come after every menu button of the desk, which must win.
    meeting_dialogs = _admins_only(
        "staff-admin-meeting-dialogs",
        meeting_form.meeting_dialog(),
        meetings_list.meetings_dialog(),
        guest_invite.guests_dialog(),
        consultation_prep.prep_dialog(),
        assessment_entry.entry_dialog(),
        proposal_desk.proposals_dialog(),
        proceedings_desk.proceedings_dialog(),
    )
    staff_only.include_routers(
        admins_only,
        assessment_entry.entry(),
        meetings_gate.setup(),
        case_desk_entry.entry(),
        case_search.command(),
        decisions.setup(),
        corrections.setup(),
        pipeline_lists.setup(),
        outcome_press.setup(),
        reports.setup(),
        stats.setup(),
        broadcasts.setup(),
        # Dialogs last: a menu button pressed in the middle of a step must reach its handler.
        case_desk.case_desk_dialog(),
        corrections.corrections_dialog(),
        pipeline_lists.lists_dialog(),
        outcome_desk.outcome_desk_dialog(),
        outcome_form.outcome_form_dialog(),
        record_view.staff_record_dialog(),
        year_reports.year_reports_dialog(),
        year_steps_dialog.year_steps_dialog(),
        hotspot_desk.hotspot_desk_dialog(),
        meeting_dialogs,
    )
    router = Router(name="staff-desk")
    router.include_routers(staff_only, proposal_desk.gate(), gate.setup())
    return router


def search_router() -> Router:
    """Typed text on the staff desk is a case search: last, after every step had its turn."""
    return case_search.typed()
