"""The outcome desk's entry: ``/outcomes``, and the outcome buttons answered outside the dialog.

A suggestion card's "Move to …" and "Undo last move" buttons (and any notice's outcome
button) are :class:`OutcomeCB` naming the stage they were drawn for. Each press is read again:
an unknown id is refused, a card that moved on is refused and the current card shown, and a
valid one opens the step that move asks for. Station staff are refused.
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram_dialog import DialogManager, ShowMode, StartMode

from handlers.pipeline_callbacks import OUTCOME_DESK_ACTIONS, OutcomeCB
from handlers.staff import outcome_moves
from handlers.staff.desk import Desk
from handlers.staff.outcome_states import OutcomeDesk
from handlers.staff.outcome_texts import admins_only, error_text, unavailable
from services.errors import DomainError
from services.outcomes.stages import staff_move
from services.outcomes.views import outcome_card, suggestion_card
from storage.enums import Stage

log = logging.getLogger(__name__)


async def open_desk(
    desk: Desk, manager: DialogManager, state: Any = OutcomeDesk.list, **data: Any
) -> None:
    """Start the desk at ``state``; station staff are refused."""
    if not desk.scope.admin:
        log.info("chat %s: outcomes refused to station staff", desk.turn.chat_id)
        await desk.turn.say(admins_only())
        return
    await manager.start(state, data=data, mode=StartMode.RESET_STACK, show_mode=ShowMode.SEND)


async def outcomes_command(message: Message, desk: Desk, dialog_manager: DialogManager) -> None:
    """/outcomes."""
    await open_desk(desk, dialog_manager, year=desk.today.year)


async def outcome_pressed(
    callback: CallbackQuery, callback_data: OutcomeCB, desk: Desk, dialog_manager: DialogManager
) -> None:
    """An outcome's or a suggestion's button: open it, or start a move or an undo."""
    if not desk.scope.admin:
        log.warning("chat %s: outcome button %r refused", callback.from_user.id, callback.data)
        await callback.answer(admins_only(), show_alert=True)
        return
    try:
        if callback_data.kind == "o" and callback_data.action == "open":
            card = await outcome_card(desk.session, outcome_id=callback_data.id, scope=desk.scope)
            await callback.answer()
            await open_desk(desk, dialog_manager, OutcomeDesk.card, oid=card.outcome.id)
            return
        if callback_data.kind != "s" or callback_data.action not in ("open", "move", "undo"):
            raise DomainError("outcome_unknown")
        card, end = await suggestion_card(
            desk.session, suggestion_id=callback_data.id, scope=desk.scope
        )
    except DomainError:
        log.warning("chat %s: outcome button %r refused", callback.from_user.id, callback.data)
        await callback.answer(unavailable(), show_alert=True)
        return
    stage = end.suggestion.stage
    here = {"oid": card.outcome.id, "sid": end.suggestion.id, "drawn": stage}
    if callback_data.action == "open":
        await callback.answer()
        await open_desk(desk, dialog_manager, OutcomeDesk.item, **here)
        return
    if callback_data.v != stage:
        await callback.answer(
            error_text(DomainError("outcome_stage_stale", stage=stage)), show_alert=True
        )
        await open_desk(desk, dialog_manager, OutcomeDesk.item, **here)
        return
    if callback_data.action == "undo":
        await callback.answer()
        await open_desk(desk, dialog_manager, OutcomeDesk.undo, **here)
        return
    move = staff_move(stage)
    if move is None:
        code = "outcome_move_by_departments" if stage == Stage.ASSIGNED else "outcome_stage_skipped"
        await callback.answer(error_text(DomainError(code)), show_alert=True)
        return
    if move.to_stage == Stage.SUBMITTED:
        await outcome_moves.submit(callback, desk, dialog_manager, here)
        return
    first = {
        Stage.REVIEWED: OutcomeDesk.review_by,
        Stage.ASSIGNED: OutcomeDesk.lead,
        Stage.FED_BACK: OutcomeDesk.feedback,
    }[move.to_stage]
    await callback.answer()
    await open_desk(desk, dialog_manager, first, **here)


def setup() -> Router:
    """/outcomes and the outcome buttons, for staff (station staff are refused)."""
    router = Router(name="staff-outcomes")
    router.message.register(outcomes_command, Command("outcomes"))
    router.callback_query.register(
        outcome_pressed, OutcomeCB.filter(F.action.in_(OUTCOME_DESK_ACTIONS))
    )
    return router
