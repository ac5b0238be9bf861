"""Ways into a member's proposals: ``/proposals``, the menu button, and proposal buttons.

Buttons of notices (a co-signing invitation, an answer to rate) carry a proposal id, checked
again here against the member who pressed: an id that is not theirs answers "not available".
The office's buttons on proposals (``review`` and the rest) are left to the staff desk.
"""

from __future__ import annotations

import logging

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager

from handlers.detours import open_list
from handlers.dialogs.press import show_answer
from handlers.filters import ButtonText
from handlers.member.context import LogContext
from handlers.member.proposal_list import start_card
from handlers.member.proposal_states import MyProposals, ProposalForm
from handlers.member.proposal_texts import NOT_AVAILABLE, refusal_text
from handlers.pipeline_callbacks import ProposalCB
from handlers.texts import Buttons, escape
from services.errors import DomainError
from services.members.rules import RuleBook
from services.outbox.notices import Notifier
from services.proposals.cosigning import answer_invitation
from services.proposals.member_views import drawn_version, get_member_proposal

logger = logging.getLogger(__name__)
MEMBER_ACTIONS = ("open", "cosign", "decline", "rate", "edit")


async def proposals_command(message: Message, dialog_manager: DialogManager) -> None:
    """The member's proposals: the list (it offers a new one)."""
    await open_list(dialog_manager, MyProposals.list)


async def proposal_pressed(
    callback: CallbackQuery,
    callback_data: ProposalCB,
    log: LogContext,
    dialog_manager: DialogManager,
    notifier: Notifier,
    rulebook: RuleBook,
) -> None:
    """A proposal button of a notice or an earlier card, checked against the presser."""
    view = await get_member_proposal(
        log.session, member_id=log.member.id, proposal_id=callback_data.id
    )
    if view is None:
        logger.warning(
            "chat %s pressed %s on proposal %s: not theirs or unknown",
            callback.from_user.id,
            callback_data.action,
            callback_data.id,
        )
        await callback.answer(_(NOT_AVAILABLE), show_alert=True)
        return
    proposal_id = callback_data.id
    if callback_data.action in ("cosign", "decline"):
        await _answer_invitation(
            callback, callback_data, log, view.proposal.title, notifier, rulebook
        )
        return
    if callback_data.action == "rate":
        if not view.own:
            await callback.answer(_(NOT_AVAILABLE), show_alert=True)
            return
        if callback_data.v != drawn_version(view.proposal) or not view.rateable:
            await callback.answer(refusal_text(DomainError("proposal_stale")), show_alert=True)
            await start_card(dialog_manager, proposal_id)
            return
        await callback.answer()
        await start_card(dialog_manager, proposal_id, drawn=callback_data.v)
        return
    if callback_data.action == "edit" and view.own and view.proposal.state == "draft":
        await callback.answer()
        await dialog_manager.start(ProposalForm.review, data={"proposal_id": proposal_id})
        return
    await callback.answer()
    await start_card(dialog_manager, proposal_id)


async def _answer_invitation(
    callback: CallbackQuery,
    callback_data: ProposalCB,
    log: LogContext,
    title: str,
    notifier: Notifier,
    rulebook: RuleBook,
) -> None:
    confirm = callback_data.action == "cosign"
    try:
        await answer_invitation(
            log.session,
            member_id=log.member.id,
            proposal_id=callback_data.id,
            confirm=confirm,
            notifier=notifier,
            now=log.now,
            rulebook=rulebook,
            tz=log.turn.tz,
        )
    except DomainError as error:
        await callback.answer(refusal_text(error), show_alert=True)
        return
    await callback.answer()
    text = (
        _("✅ You co-signed “{title}”.") if confirm else _("✖ You declined to co-sign “{title}”.")
    )
    await show_answer(callback, text.format(title=escape(title)))


def setup() -> Router:
    """The ways in, on a fresh router."""
    router = Router(name="member-proposals")
    router.message.register(proposals_command, Command("proposals"))
    router.message.register(proposals_command, ButtonText(Buttons.PROPOSALS))
    router.callback_query.register(
        proposal_pressed, ProposalCB.filter(F.action.in_(MEMBER_ACTIONS))
    )
    return router
