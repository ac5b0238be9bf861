"""The members' side: linking a chat, logging activities, progress against the minimums."""

from aiogram import Router

from handlers.member import (
    binding,
    checkin,
    gate,
    log_dialog,
    log_shortcut,
    meetings,
    meetings_list,
    menu,
    my_activities,
    proposal_entry,
    proposal_form,
    proposal_list,
    record,
)
from handlers.member.context import ActiveMember, LogContextMiddleware


def _members_only(name: str, *routers: Router) -> Router:
    router = Router(name=name)
    for observer in (router.message, router.callback_query):
        observer.filter(ActiveMember())
        observer.middleware(LogContextMiddleware())
    router.include_routers(*routers)
    return router


def binding_router() -> Router:
    """Linking a chat, and the meeting check-in link; both come before the generic /start."""
    router = Router(name="member-links")
    router.include_routers(
        binding.setup(),
        _members_only("member-deep-links", checkin.deep_links()),
        gate.deep_links(),
    )
    return router


def setup() -> Router:
    """The member features behind the active-member filter, then the gate for everyone else."""
    members_only = _members_only(
        "member",
        menu.setup(),
        record.setup(),
        meetings.setup(),
        checkin.setup(),
        log_shortcut.setup(),
        proposal_entry.setup(),
        # The dialogs come last: their typed steps never swallow a menu button or a command.
        log_dialog.activity_dialog(),
        log_dialog.offer_dialog(),
        my_activities.activities_dialog(),
        meetings_list.meetings_dialog(),
        record.record_dialog(),
        proposal_list.proposals_dialog(),
        proposal_form.proposal_form(),
    )
    router = Router(name="members")
    router.include_routers(members_only, gate.setup())
    return router
