"""What each move of a suggestion asks the administrator for, and making the move.

Submitting needs nothing more. Reviewing asks who gave the leader's instruction, its date and
its text; assigning asks for the lead department, co-departments and the due date; feeding
back asks for the feedback; undoing asks for the reason. What was typed is kept in the
dialog, so a refused step asks again without losing the earlier ones; the move itself names
the stage its card was drawn for, so a suggestion moved meanwhile is refused and shown.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager, ShowMode, StartMode, Window
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import (
    Button,
    ManagedMultiselect,
    Multiselect,
    ScrollingGroup,
    Select,
    SwitchTo,
)
from aiogram_dialog.widgets.text import Format

from handlers.dialogs.guard import Refused
from handlers.dialogs.press import refuse_input
from handlers.dialogs.text import T
from handlers.notices.outcomes import department_name
from handlers.staff.desk import Desk, desk_of
from handlers.staff.outcome_states import OutcomeDesk
from handlers.staff.outcome_texts import error_text
from services.accounts.departments import list_departments
from services.errors import DomainError
from services.outcomes.stages import REVIEWER_MAX, TEXT_MAX, MoveInput, move_suggestion, next_stage
from services.outcomes.undo import REASON_MAX, undo_move

# Refusals a step can put right by typing again; anything else ends on the current card.
RETYPE = {
    "outcome_reviewer_length": OutcomeDesk.review_by,
    "outcome_review_date": OutcomeDesk.review_on,
    "outcome_review_length": OutcomeDesk.review_text,
    "outcome_due_past": OutcomeDesk.due,
    "outcome_feedback_length": OutcomeDesk.feedback,
    "outcome_undo_reason": OutcomeDesk.undo,
}


# What a step checks at once, before the move checks everything again.
STEP_LIMITS = {
    "review_by": ("outcome_reviewer_length", REVIEWER_MAX),
    "review_text": ("outcome_review_length", TEXT_MAX),
    "feedback": ("outcome_feedback_length", TEXT_MAX),
    "reason": ("outcome_undo_reason", REASON_MAX),
}


def parse_day(text: str) -> dt.date | None:
    """A date typed as 2026-11-18 (or with slashes or dots); None if it is not one."""
    cleaned = text.strip().replace("/", "-").replace(".", "-")
    try:
        return dt.date.fromisoformat(cleaned)
    except ValueError:
        return None


def _inputs(data: dict[str, Any], manager: DialogManager) -> MoveInput:
    co = manager.find("co")
    chosen = co.get_checked() if isinstance(co, ManagedMultiselect) else []
    day = data.get("review_on")
    due = data.get("due_on")
    return MoveInput(
        review_by=data.get("review_by") or "",
        review_on=dt.date.fromisoformat(day) if day else None,
        review_text=data.get("review_text") or "",
        lead_department_id=data.get("lead"),
        co_department_ids=tuple(int(i) for i in chosen),
        due_on=dt.date.fromisoformat(due) if due else None,
        feedback=data.get("feedback") or "",
    )


async def _run(
    event: CallbackQuery | Message, manager: DialogManager, *, undo: bool = False
) -> None:
    desk = desk_of(manager)
    data = manager.dialog_data
    drawn = str(data.get("drawn") or "")
    try:
        if undo:
            await undo_move(
                desk.session,
                suggestion_id=int(data.get("sid") or 0),
                drawn_for=drawn,
                reason=data.get("reason") or "",
                scope=desk.scope,
                actor=desk.actor,
                now=desk.now,
            )
        else:
            await move_suggestion(
                desk.session,
                suggestion_id=int(data.get("sid") or 0),
                drawn_for=drawn,
                to_stage=str(next_stage(drawn) or "") if drawn else "",
                inputs=_inputs(data, manager),
                scope=desk.scope,
                actor=desk.actor,
                rulebook=manager.middleware_data["rulebook"],
                now=desk.now,
                tz=desk.turn.tz,
                notifier=manager.middleware_data["notifier"],
            )
    except DomainError as error:
        text = error_text(error)
        again = RETYPE.get(error.code)
        if isinstance(event, CallbackQuery):
            await event.answer(text, show_alert=True)
        else:
            await event.answer(text)
        await manager.switch_to(again or OutcomeDesk.item, show_mode=ShowMode.SEND)
        return
    manager.middleware_data["wake_delivery"]()
    await desk.turn.say(_("Undone; the timeline keeps the reason.") if undo else _("Moved."))
    await manager.switch_to(OutcomeDesk.item, show_mode=ShowMode.SEND)


async def submit(
    callback: CallbackQuery, desk: Desk, manager: DialogManager, here: dict[str, Any]
) -> None:
    """Submit a formed suggestion where its consultation's kind sends it, then show its card."""
    try:
        await move_suggestion(
            desk.session,
            suggestion_id=int(here["sid"]),
            drawn_for=str(here["drawn"]),
            to_stage=str(next_stage(str(here["drawn"]))),
            inputs=MoveInput(),
            scope=desk.scope,
            actor=desk.actor,
            rulebook=manager.middleware_data["rulebook"],
            now=desk.now,
            tz=desk.turn.tz,
            notifier=manager.middleware_data["notifier"],
        )
    except DomainError as error:
        await callback.answer(error_text(error), show_alert=True)
    else:
        await callback.answer()
        manager.middleware_data["wake_delivery"]()
        await desk.turn.say(_("Moved."))
    await manager.start(
        OutcomeDesk.item, data=here, mode=StartMode.RESET_STACK, show_mode=ShowMode.SEND
    )


def _typed(key: str, then: Any, *, undo: bool = False, move: bool = False) -> Any:
    async def typed(message: Message, widget: MessageInput, manager: DialogManager) -> None:
        text = (message.text or "").strip()
        if key in ("review_on", "due_on"):
            day = parse_day(text)
            if day is None:
                await refuse_input(message, manager, _("Please write a date like 2026-11-18."))
                return
            text = day.isoformat()
        limit = STEP_LIMITS.get(key)
        if limit is not None and not 2 <= len(text) <= limit[1]:
            error = DomainError(limit[0], maximum=limit[1])
            await refuse_input(message, manager, error_text(error))
            return
        manager.dialog_data[key] = text
        if undo or move:
            await _run(message, manager, undo=undo)
            return
        await manager.switch_to(then, show_mode=ShowMode.SEND)

    return typed


async def today_chosen(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """The instruction was given today."""
    manager.dialog_data["review_on"] = desk_of(manager).today.isoformat()
    await manager.switch_to(OutcomeDesk.review_text)


async def default_due(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """The year's default time for departments."""
    manager.dialog_data["due_on"] = None
    await _run(callback, manager)


async def departments_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """Active departments, in the reader's language; the lead is left out of the co-departments."""
    desk = desk_of(dialog_manager)
    lead = dialog_manager.dialog_data.get("lead")
    items = [
        (d.id, department_name(d, desk.turn.locale))
        for d in await list_departments(desk.session)
        if d.id != lead
    ]
    rules = dialog_manager.middleware_data["rulebook"].for_year(desk.today.year).pipeline
    return {"departments": items, "days": rules.outcome_due_days, "none": not items}


async def lead_chosen(
    callback: CallbackQuery, widget: Any, manager: DialogManager, item: str
) -> None:
    """The lead department; co-departments next."""
    offered = await departments_getter(manager)
    if item not in {str(choice) for choice, _label in offered["departments"]}:
        raise Refused(_("This department is not available."))
    manager.dialog_data["lead"] = int(item)
    await manager.switch_to(OutcomeDesk.co)


def _departments(widget_id: str, *, many: bool) -> ScrollingGroup:
    if many:
        select: Any = Multiselect(
            Format("✓ {item[1]}"),
            Format("{item[1]}"),
            id=widget_id,
            item_id_getter=lambda item: item[0],
            items="departments",
        )
    else:
        select = Select(
            Format("{item[1]}"),
            id=widget_id,
            item_id_getter=lambda item: item[0],
            items="departments",
            on_click=lead_chosen,
        )
    return ScrollingGroup(select, id=f"{widget_id}_pages", width=2, height=6)


def windows() -> list[Window]:
    """The steps of the moves and of the undo."""
    back = SwitchTo(T("✖ Cancel"), id="move_cancel", state=OutcomeDesk.item)
    return [
        Window(
            T("Who gave the leader's instruction? (name and post)"),
            MessageInput(_typed("review_by", OutcomeDesk.review_on), content_types=["text"]),
            back,
            state=OutcomeDesk.review_by,
        ),
        Window(
            T("On which date? Write it like 2026-11-18."),
            Button(T("Today"), id="review_today", on_click=today_chosen),
            MessageInput(_typed("review_on", OutcomeDesk.review_text), content_types=["text"]),
            back,
            state=OutcomeDesk.review_on,
        ),
        Window(
            T("Write the instruction as the leader gave it."),
            MessageInput(_typed("review_text", None, move=True), content_types=["text"]),
            back,
            state=OutcomeDesk.review_text,
        ),
        Window(
            T("Which department leads the handling?"),
            _departments("lead", many=False),
            back,
            getter=departments_getter,
            state=OutcomeDesk.lead,
        ),
        Window(
            T("Co-departments, if any: tick them, then “Next”."),
            _departments("co", many=True),
            SwitchTo(T("Next ▶"), id="co_done", state=OutcomeDesk.due),
            back,
            getter=departments_getter,
            state=OutcomeDesk.co,
        ),
        Window(
            T("By when must the departments answer? Write a date like 2026-12-31."),
            Button(T("In {days} days"), id="due_default", on_click=default_due),
            MessageInput(_typed("due_on", None, move=True), content_types=["text"]),
            back,
            getter=departments_getter,
            state=OutcomeDesk.due,
        ),
        Window(
            T(
                "Write the feedback for the members who took part "
                "(and the residents whose cases fed it)."
            ),
            MessageInput(_typed("feedback", None, move=True), content_types=["text"]),
            back,
            state=OutcomeDesk.feedback,
        ),
        Window(
            T("Why is the last move undone? The reason stays on the timeline."),
            MessageInput(_typed("reason", None, undo=True), content_types=["text"]),
            back,
            state=OutcomeDesk.undo,
        ),
    ]
