"""Staff open a case from a notice: the whole case, internal notes included."""

from __future__ import annotations

import logging

from aiogram import Bot, Router
from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _

from handlers.callbacks import StaffIssueCB
from handlers.cases import render_case
from handlers.messaging import replace_or_send
from handlers.staff.desk import Desk
from services.issues import get_issue

log = logging.getLogger(__name__)


async def case_chosen(
    callback: CallbackQuery, callback_data: StaffIssueCB, bot: Bot, desk: Desk
) -> None:
    """Show a case to staff; unknown ids are refused."""
    detail = await get_issue(desk.session, issue_id=callback_data.id)
    if detail is None or callback_data.action != "view":
        log.warning("chat %s: staff case %s refused", callback.from_user.id, callback_data.id)
        await callback.answer(_("This case is not available."), show_alert=True)
        return
    await callback.answer()
    await replace_or_send(callback, bot, render_case(detail, desk.turn.locale, desk.turn.tz), None)


def setup() -> Router:
    """The handlers of this module, on a fresh router."""
    router = Router(name="staff-cases")
    router.callback_query.register(case_chosen, StaffIssueCB.filter())
    return router
