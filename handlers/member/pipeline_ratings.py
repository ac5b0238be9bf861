"""A member rates handling again: at a look back, and in a quality evaluation.

The notices carry one button per rating (``OutcomeCB`` ``lbrate`` / ``qrate``; a quality
button names the department too). Each press is checked on arrival against the pressing
member: only a member who took part may rate, once. "Not satisfied" asks for a reason first.
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram import F, Router
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager, ShowMode, StartMode, Window
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button

from handlers.assignee.casework_steps import saying
from handlers.dialogs.press import answer, show_answer
from handlers.dialogs.text import T
from handlers.filters import TYPED
from handlers.member.context import ActiveMember
from handlers.messaging import text_expected
from handlers.notices.pipeline_reminders import satisfaction_label
from handlers.pipeline_callbacks import OutcomeCB
from handlers.texts import Buttons
from handlers.turn import Turn
from services.errors import DomainError
from services.members.profiles import MemberProfile
from services.pipeline.lookback import check_lookback_rater, rate_lookback
from services.pipeline.quality import check_quality_rater, rate_quality
from services.pipeline.raters import KINDS, REASON_MAX
from storage.enums import Satisfaction

log = logging.getLogger(__name__)
ACTIONS = ("lbrate", "qrate")


class RatingReason(StatesGroup):
    """Why the member is not satisfied."""

    reason = State()


def rating_error(error: DomainError) -> str:
    """Why a rating was not taken, in words."""
    if error.code == "text_too_long":
        return _("That is {length} characters; please keep it under {maximum}.").format(
            length=error.params.get("length", "?"), maximum=error.params.get("maximum", "?")
        )
    messages = {
        "already_rated": _("You rated this already. Thank you."),
        "reason_missing": _("Please say why you are not satisfied."),
        "rating_value": _("This button is not valid."),
    }
    return messages.get(error.code, _("This rating is not available to you."))


def parse(data: OutcomeCB) -> dict[str, Any]:
    """The rating a button carries, or ``rating_value`` for a made-up one."""
    department, value = 0, data.v
    if data.action == "qrate":
        head, _sep, value = data.v.partition(".")
        if not head.isdigit():
            raise DomainError("rating_value")
        department = int(head)
    if data.kind not in KINDS or value not in set(Satisfaction):
        raise DomainError("rating_value")
    return {
        "action": data.action,
        "kind": data.kind,
        "id": data.id,
        "department": department,
        "value": value,
    }


async def _check(turn: Turn, member_id: int, rating: dict[str, Any]) -> None:
    if rating["action"] == "lbrate":
        await check_lookback_rater(
            turn.session, kind=rating["kind"], item_id=rating["id"], member_id=member_id
        )
    else:
        await check_quality_rater(
            turn.session,
            kind=rating["kind"],
            item_id=rating["id"],
            department_id=rating["department"],
            member_id=member_id,
        )


async def _save(
    data: dict[str, Any], member_id: int, rating: dict[str, Any], reason: str | None
) -> None:
    turn: Turn = data["turn"]
    now = data["clock"].now()
    if rating["action"] == "lbrate":
        await rate_lookback(
            turn.session,
            kind=rating["kind"],
            item_id=rating["id"],
            member_id=member_id,
            value=rating["value"],
            reason=reason,
            now=now,
        )
    else:
        await rate_quality(
            turn.session,
            kind=rating["kind"],
            item_id=rating["id"],
            department_id=rating["department"],
            member_id=member_id,
            value=rating["value"],
            reason=reason,
            now=now,
        )


def thanks(value: str) -> str:
    """What the member reads once the rating is saved."""
    return _("⭐ Your rating was saved: {rating}. Thank you.").format(
        rating=satisfaction_label(value)
    )


async def rate_pressed(
    callback: CallbackQuery,
    callback_data: OutcomeCB,
    dialog_manager: DialogManager,
    turn: Turn,
    member: MemberProfile | None = None,
    **data: Any,
) -> None:
    """A rating button: saved at once, or, when not satisfied, after the reason."""
    try:
        if member is None or not member.active:
            raise DomainError("lookback_unknown")
        rating = parse(callback_data)
        await _check(turn, member.id, rating)
        if rating["value"] != Satisfaction.UNSATISFIED:
            await _save({**data, "turn": turn}, member.id, rating, None)
    except DomainError as error:
        log.warning(
            "chat %s: rating %s refused (%s)",
            callback.from_user.id,
            callback_data.pack(),
            error.code,
        )
        await callback.answer(rating_error(error), show_alert=True)
        return
    await callback.answer()
    if rating["value"] == Satisfaction.UNSATISFIED:
        await dialog_manager.start(RatingReason.reason, mode=StartMode.RESET_STACK, data=rating)
        return
    await show_answer(callback, thanks(rating["value"]))


async def reason_typed(message: Message, widget: Any, manager: DialogManager) -> None:
    """The reason; the rating is saved with it."""
    data = manager.middleware_data
    rating = manager.start_data
    member: MemberProfile = data["member"]
    assert isinstance(rating, dict)
    try:
        await _save(data, member.id, rating, message.text or "")
    except DomainError as error:
        await message.answer(rating_error(error))
        if error.code in ("text_too_long", "reason_missing"):
            manager.show_mode = ShowMode.NO_UPDATE
        else:
            await manager.done(show_mode=ShowMode.NO_UPDATE)
        return
    await message.answer(thanks(rating["value"]))
    await manager.done(show_mode=ShowMode.NO_UPDATE)


async def cancel(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Nothing is saved; the notice's buttons still work."""
    await answer(manager, _("Nothing was saved."))
    await manager.done()


async def reason_getter(**_kwargs: Any) -> dict[str, Any]:
    """The reason's limit."""
    return {"maximum": REASON_MAX}


def reason_dialog() -> Dialog:
    """A fresh dialog asking for the reason, for one Dispatcher."""
    return Dialog(
        Window(
            T("Please say in a sentence why you are not satisfied (up to {maximum} characters)."),
            MessageInput(reason_typed, filter=TYPED),
            MessageInput(saying(text_expected)),
            Button(T(Buttons.CANCEL), id="cancel", on_click=cancel),
            getter=reason_getter,
            state=RatingReason.reason,
        )
    )


def setup() -> Router:
    """The rating buttons (any chat: a non-member's press is refused), then the reason."""
    router = Router(name="member-pipeline-ratings")
    router.callback_query.register(rate_pressed, OutcomeCB.filter(F.action.in_(ACTIONS)))
    dialog = reason_dialog()
    for observer in (dialog.message, dialog.callback_query):
        observer.filter(ActiveMember())
    router.include_router(dialog)
    return router
