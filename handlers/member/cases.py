"""A member opens a case assigned to them, from a reminder."""

from __future__ import annotations

import logging

from aiogram import Bot, Router
from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _

from handlers.callbacks import AssigneeIssueCB
from handlers.cases import render_case
from handlers.member.log_flow import LogContext
from handlers.messaging import replace_or_send
from services.cases.residents import get_issue

logger = logging.getLogger(__name__)


async def case_chosen(
    callback: CallbackQuery, callback_data: AssigneeIssueCB, bot: Bot, log: LogContext
) -> None:
    """Show a case assigned to this member; anything else is refused."""
    detail = await get_issue(
        log.session, issue_id=callback_data.id, assignee_member_id=log.member.id
    )
    if detail is None or callback_data.action != "view":
        logger.warning("chat %s: assignee case %s refused", callback.from_user.id, callback_data.id)
        await callback.answer(_("This case is not available."), show_alert=True)
        return
    await callback.answer()
    text = render_case(detail, log.turn.locale, log.turn.tz)
    await replace_or_send(callback, bot, text, None)


def setup() -> Router:
    """The handlers of this module, on a fresh router."""
    router = Router(name="member-cases")
    router.callback_query.register(case_chosen, AssigneeIssueCB.filter())
    return router
