"""The office's proposals desk: ``/proposals`` and the card's action buttons.

The card's action buttons are :class:`ProposalCB` presses carrying the proposal's id and the
state the card was drawn for (``v``); a router outside the dialog takes them, so a button on
an old message works (or is refused) the same as one on the current card. Every press reads
the proposal again: an unknown id is refused, a stale state shows the card as it is now.
Station staff and anyone else get a refusal; nothing changes.
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager, ShowMode, StartMode

from handlers.notifications import ChatNotifier
from handlers.pipeline_callbacks import ProposalCB
from handlers.staff.context import ActiveStaff, AdminStaff
from handlers.staff.desk import Desk
from handlers.staff.proposal_dialog import NEEDS, STAFF_ACTIONS, proposals_dialog
from handlers.staff.proposal_states import StaffProposals
from handlers.staff.proposal_texts import refusal, stale_text
from services.errors import DomainError
from services.members.rules import RuleBook
from services.proposals.review import load_for_staff, register_proposal

__all__ = ["entry", "gate", "proposals_dialog"]
OPENS = {
    "refuse": StaffProposals.refuse_reason,
    "assign": StaffProposals.assign_lead,
    "mark": StaffProposals.mark,
}
log = logging.getLogger(__name__)


def proposals_refusal() -> str:
    """Why the desk is closed to this chat."""
    return _("Proposals are handled by the committee office's administrators.")


async def open_desk(message: Message, desk: Desk, dialog_manager: DialogManager) -> None:
    """/proposals: the shelves."""
    await dialog_manager.start(
        StaffProposals.shelves, mode=StartMode.RESET_STACK, show_mode=ShowMode.SEND
    )


async def action_pressed(
    callback: CallbackQuery, callback_data: ProposalCB, desk: Desk, dialog_manager: DialogManager
) -> None:
    """A card's action: checked against the proposal as it is now, then done or its steps."""
    try:
        proposal = await load_for_staff(
            desk.session, proposal_id=callback_data.id, actor=desk.actor, scope=desk.scope
        )
    except DomainError as error:
        log.warning("chat %s pressed %r", callback.from_user.id, callback.data)
        await callback.answer(refusal(error), show_alert=True)
        return
    start = {"id": proposal.id, "v": proposal.state}
    action = callback_data.action
    if action != "review" and (
        callback_data.v != proposal.state or proposal.state not in NEEDS[action]
    ):
        await callback.answer(stale_text(), show_alert=True)
        await dialog_manager.start(
            StaffProposals.card, data=start, mode=StartMode.RESET_STACK, show_mode=ShowMode.SEND
        )
        return
    if action == "register":
        await _register(callback, desk, dialog_manager, start)
        return
    await callback.answer()
    target = OPENS.get(action, StaffProposals.card)
    await dialog_manager.start(
        target, data=start, mode=StartMode.RESET_STACK, show_mode=ShowMode.SEND
    )


async def _register(
    callback: CallbackQuery, desk: Desk, manager: DialogManager, start: dict[str, Any]
) -> None:
    notifier: ChatNotifier = manager.middleware_data["notifier"]
    rulebook: RuleBook = manager.middleware_data["rulebook"]
    try:
        proposal = await register_proposal(
            desk.session,
            proposal_id=int(start["id"]),
            actor=desk.actor,
            scope=desk.scope,
            now=desk.now,
            rulebook=rulebook,
            tz=desk.turn.tz,
            notifier=notifier,
            expected_state=str(start["v"]),
        )
    except DomainError as error:
        await callback.answer(refusal(error), show_alert=True)
    else:
        manager.middleware_data["wake_delivery"]()
        await callback.answer()
        await desk.turn.say(
            _("Registered as {number}; the member and co-signers are told.").format(
                number=proposal.number
            )
        )
    await manager.start(
        StaffProposals.card, data=start, mode=StartMode.RESET_STACK, show_mode=ShowMode.SEND
    )


async def refuse_station_staff(event: Message | CallbackQuery) -> None:
    """The desk or a card's button from station staff (or forged by anyone not an admin)."""
    log.info("chat %s: proposals desk refused", event.from_user.id if event.from_user else 0)
    if isinstance(event, CallbackQuery):
        await event.answer(proposals_refusal(), show_alert=True)
    else:
        await event.answer(proposals_refusal())


def entry() -> Router:
    """/proposals and the card's buttons, for administrators (the staff router adds the filter)."""
    router = Router(name="staff-proposals")
    router.message.register(open_desk, Command("proposals"))
    router.callback_query.register(action_pressed, ProposalCB.filter(F.action.in_(STAFF_ACTIONS)))
    return router


def gate() -> Router:
    """The desk refused to station staff, and a staff button to anyone else who is not a member."""
    router = Router(name="staff-proposals-gate")
    router.message.filter(~AdminStaff())
    router.callback_query.filter(~AdminStaff())
    router.message.register(refuse_station_staff, Command("proposals"), ActiveStaff())
    router.callback_query.register(
        refuse_station_staff, ProposalCB.filter(F.action.in_(STAFF_ACTIONS))
    )
    return router
