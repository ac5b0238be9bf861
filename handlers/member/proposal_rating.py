"""Rating how a proposal was handled: the value, the reason when not satisfied, confirming.

The windows belong to the My proposals dialog (:mod:`handlers.member.proposal_list`); the
rating is recorded for the proposal as its card was drawn, so a card that moved on is refused.
"""

from __future__ import annotations

from operator import itemgetter
from typing import Any

from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager, ShowMode
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button, Row, Select
from aiogram_dialog.widgets.text import Format

from handlers.dialogs.guard import Refused
from handlers.dialogs.press import answer_press, refuse_input
from handlers.member.log_steps import member_log
from handlers.member.proposal_states import MyProposals
from handlers.member.proposal_texts import refusal_text
from services.errors import DomainError
from services.proposals.satisfaction import REASON_MAX, rate_handling
from services.reports.pipeline_labels import satisfaction_label
from storage.enums import Satisfaction


def chosen_proposal(manager: DialogManager) -> int:
    """The proposal the dialog shows."""
    start = manager.start_data if isinstance(manager.start_data, dict) else {}
    return int(manager.dialog_data.get("proposal") or start.get("proposal") or 0)


async def value_chosen(
    callback: CallbackQuery, widget: Select[str], manager: DialogManager, item: str
) -> None:
    """Keep the rating; "not satisfied" asks why."""
    if item not in tuple(Satisfaction):
        raise Refused(_("This button is not valid."))
    manager.dialog_data["value"] = item
    manager.dialog_data.pop("reason", None)
    await manager.switch_to(
        MyProposals.reason if item == Satisfaction.UNSATISFIED else MyProposals.confirm
    )


async def reason_typed(message: Message, widget: MessageInput, manager: DialogManager) -> None:
    """Keep the reason the member is not satisfied."""
    text = (message.text or "").strip()
    if not text:
        await refuse_input(message, manager, _("Please say why you are not satisfied."))
        return
    if len(text) > REASON_MAX:
        await refuse_input(
            message,
            manager,
            _("The reason is too long: at most {maximum} characters.").format(maximum=REASON_MAX),
        )
        return
    manager.dialog_data["reason"] = text
    await manager.switch_to(MyProposals.confirm, show_mode=ShowMode.SEND)


async def confirm_chosen(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Record the rating for the proposal as the card showed it."""
    reader = await member_log(manager)
    try:
        await rate_handling(
            reader.session,
            member_id=reader.member.id,
            proposal_id=chosen_proposal(manager),
            value=manager.dialog_data.get("value", ""),
            reason=manager.dialog_data.get("reason"),
            drawn=manager.dialog_data.get("drawn", ""),
            notifier=manager.middleware_data["notifier"],
            now=reader.now,
            rulebook=manager.middleware_data["rulebook"],
        )
    except DomainError as error:
        await answer_press(manager, refusal_text(error), show_alert=True)
        manager.show_mode = ShowMode.EDIT
        await manager.switch_to(MyProposals.card)
        return
    await answer_press(manager, _("Thank you: your rating was recorded."))
    manager.show_mode = ShowMode.EDIT
    await manager.switch_to(MyProposals.card)


async def rating_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """The choices, and the rating as it will be recorded."""
    value = dialog_manager.dialog_data.get("value", "")
    return {
        "values": [(v.value, satisfaction_label(v.value)) for v in Satisfaction],
        "value_label": satisfaction_label(value) if value else "",
        "reason": dialog_manager.dialog_data.get("reason", ""),
        "has_reason": bool(dialog_manager.dialog_data.get("reason")),
    }


def choices_of_values() -> Row:
    """The three ratings as buttons."""
    return Row(
        Select(
            Format("{item[1]}"),
            id="value",
            item_id_getter=itemgetter(0),
            items="values",
            on_click=value_chosen,
        )
    )
