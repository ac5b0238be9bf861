"""A resident rates how a consultation their case fed ended, from the notice that told them.

Every other outcome button pressed outside the office's desk (by a member, a resident, a
department's handler, or forged) is refused here: outcomes' cards are the administrators'.
"""

from __future__ import annotations

import logging

from aiogram import Bot, F, Router
from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.messaging import replace_or_send
from handlers.pipeline_callbacks import OUTCOME_DESK_ACTIONS, OutcomeCB
from handlers.staff.outcome_texts import admins_only
from handlers.timeline import stars
from services.accounts.identities import find_resident
from services.clock import Clock
from services.errors import DomainError
from services.outcomes.resident_rating import rate_outcome
from storage.models import ChatIdentity

log = logging.getLogger(__name__)


async def rate_pressed(
    callback: CallbackQuery,
    callback_data: OutcomeCB,
    bot: Bot,
    session: AsyncSession,
    identity: ChatIdentity,
    clock: Clock,
) -> None:
    """Record the stars once; an outcome not told to this resident is not available."""
    assert identity.id is not None
    resident = await find_resident(session, identity_id=identity.id)
    count = int(callback_data.v) if callback_data.v.isdigit() else 0
    if resident is None or resident.id is None or callback_data.kind != "o":
        log.warning("chat %s: outcome rating %r refused", callback.from_user.id, callback.data)
        await callback.answer(_("This outcome is not available."), show_alert=True)
        return
    try:
        await rate_outcome(
            session,
            resident_id=resident.id,
            outcome_id=callback_data.id,
            stars=count,
            now=clock.now(),
        )
    except DomainError as error:
        texts = {
            "outcome_rated_already": _("You have rated this already. Thank you!"),
            "outcome_rating_value": _("This button is not valid."),
        }
        if error.code != "outcome_rated_already":
            log.warning("chat %s: outcome rating %r refused", callback.from_user.id, callback.data)
        await callback.answer(
            texts.get(error.code, _("This outcome is not available.")), show_alert=True
        )
        return
    await callback.answer()
    text = "\n".join([stars(count), _("Thank you for telling us how it ended.")])
    await replace_or_send(callback, bot, text, None)


async def refuse_other(callback: CallbackQuery) -> None:
    """An outcome card's button outside the administrators' desk."""
    log.warning("chat %s: outcome button %r refused", callback.from_user.id, callback.data)
    await callback.answer(admins_only(), show_alert=True)


def setup() -> Router:
    """The resident's rating, and the refusal of every other outcome button."""
    router = Router(name="outcome-rating")
    router.callback_query.register(rate_pressed, OutcomeCB.filter(F.action == "rate"))
    router.callback_query.register(
        refuse_other, OutcomeCB.filter(F.action.in_(OUTCOME_DESK_ACTIONS))
    )
    return router
