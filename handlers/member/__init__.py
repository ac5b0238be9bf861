"""The members' side: linking a chat, logging activities, progress against the minimums."""

from aiogram import Router

from handlers.member import binding, gate, log_review, log_steps, menu, my_activities
from handlers.member.context import ActiveMember
from handlers.member.log_flow import LogContextMiddleware


def binding_router() -> Router:
    """Linking a chat; comes before the generic /start."""
    return binding.setup()


def setup() -> Router:
    """The member features behind the active-member filter, then the gate for everyone else."""
    members_only = Router(name="member")
    for observer in (members_only.message, members_only.callback_query):
        observer.filter(ActiveMember())
        observer.middleware(LogContextMiddleware())
    members_only.include_routers(
        menu.setup(), log_review.setup(), log_steps.setup(), my_activities.setup()
    )
    router = Router(name="members")
    router.include_routers(members_only, gate.setup())
    return router
