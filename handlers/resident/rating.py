"""A resident rates the answer to their case: stars, then whether the problem is solved.

Not solved, or one or two stars, sends the case back to staff; after "not solved" the
resident may say why (handlers/resident/reopen_reason.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from aiogram import Bot, Router
from aiogram.types import CallbackQuery, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.callbacks import IssueCB
from handlers.case_callbacks import RateCB
from handlers.grid import Grid
from handlers.messaging import replace_or_send
from handlers.notifications import ChatNotifier
from handlers.resident.reopen_reason import ask_why
from handlers.timeline import stars
from services.accounts.identities import find_resident
from services.cases.decisions import rate_case
from services.cases.residents import get_resident_issue
from services.clock import Clock
from services.errors import DomainError
from storage.enums import IssueStatus
from storage.models import ChatIdentity, Issue

log = logging.getLogger(__name__)


def stars_keyboard(issue_id: int) -> InlineKeyboardMarkup:
    """One to five stars."""
    grid = Grid()
    for count in range(1, 6):
        grid.button(text=stars(count), callback_data=RateCB(id=issue_id, stars=count))
    grid.button(text=_("◀ Back to the case"), callback_data=IssueCB(action="view", id=issue_id))
    grid.adjust(1)
    return grid.as_markup()


def solved_keyboard(issue_id: int, count: int) -> InlineKeyboardMarkup:
    """Solved or not."""
    grid = Grid()
    grid.button(
        text=_("✅ Yes, solved"), callback_data=RateCB(id=issue_id, stars=count, solved="y")
    )
    grid.button(
        text=_("❌ No, not solved"), callback_data=RateCB(id=issue_id, stars=count, solved="n")
    )
    grid.adjust(2)
    return grid.as_markup()


async def ask_stars(callback: CallbackQuery, bot: Bot, issue: Issue) -> None:
    """Ask how helpful the answer was, in place of the card the press came from."""
    assert issue.id is not None
    text = _("How helpful was the answer to case {number}?").format(number=issue.number)
    await replace_or_send(callback, bot, text, stars_keyboard(issue.id))


async def rate_pressed(
    callback: CallbackQuery,
    callback_data: RateCB,
    bot: Bot,
    session: AsyncSession,
    identity: ChatIdentity,
    clock: Clock,
    notifier: ChatNotifier,
    wake_delivery: Callable[[], None],
    dialog_manager: DialogManager,
) -> None:
    """Each press of the rating: show the stars, ask about solved, or record it."""
    assert identity.id is not None
    resident = await find_resident(session, identity_id=identity.id)
    detail = None
    if resident is not None and resident.id is not None:
        detail = await get_resident_issue(
            session, resident_id=resident.id, issue_id=callback_data.id
        )
    if resident is None or resident.id is None or detail is None:
        log.warning("chat %s: rating of case %s refused", callback.from_user.id, callback_data.id)
        await callback.answer(_("This case is not available."), show_alert=True)
        return
    issue = detail.issue
    if issue.rated_at is not None:
        await callback.answer(_("You have rated this answer already. Thank you!"), show_alert=True)
        return
    if not 0 <= callback_data.stars <= 5 or callback_data.solved not in ("", "y", "n"):
        log.warning("chat %s: forged rating %r", callback.from_user.id, callback.data)
        await callback.answer(_("This button is not valid."), show_alert=True)
        return
    if callback_data.stars == 0:
        await callback.answer()
        await ask_stars(callback, bot, issue)
        return
    if not callback_data.solved:
        await callback.answer()
        text = _("{stars}\nIs the problem solved?").format(stars=stars(callback_data.stars))
        await replace_or_send(
            callback, bot, text, solved_keyboard(callback_data.id, callback_data.stars)
        )
        return
    try:
        rated = await rate_case(
            session,
            resident_id=resident.id,
            issue_id=callback_data.id,
            rating=callback_data.stars,
            solved=callback_data.solved == "y",
            now=clock.now(),
            notifier=notifier,
        )
    except DomainError as error:
        texts = {
            "not_ratable": _("This case has no answer to rate yet."),
            "already_rated": _("You have rated this answer already. Thank you!"),
        }
        await callback.answer(
            texts.get(error.code, _("This case is not available.")), show_alert=True
        )
        return
    wake_delivery()
    await callback.answer()
    if rated.status == IssueStatus.REOPENED:
        text = _(
            "Thank you. We are sorry the answer did not help: case {number} is open again and "
            "goes back to the committee office."
        ).format(number=issue.number)
    else:
        text = _("Thank you for rating the answer to case {number}.").format(number=issue.number)
    grid = Grid()
    grid.button(text=_("Open the case"), callback_data=IssueCB(action="view", id=callback_data.id))
    await replace_or_send(callback, bot, text, grid.as_markup())
    if rated.status == IssueStatus.REOPENED and not rated.solved:
        await ask_why(dialog_manager, issue_id=callback_data.id, number=issue.number)


def setup() -> Router:
    """The handlers of this module, on a fresh router."""
    router = Router(name="resident-rating")
    router.callback_query.register(rate_pressed, RateCB.filter())
    return router
