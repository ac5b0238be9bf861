"""Administrators record a staff entry in the chat: who, which item and level, when, evidence.

One aiogram-dialog, a window per step, then a review that saves through
:func:`services.assessment.entries.add_entry` (checked, audited and counted at once). The
draft is the dialog's data, so a wrong answer or a stale button loses nothing. Station staff
are refused: members' figures are the office's. ``assessment_entry_steps`` holds the callbacks.
"""

from __future__ import annotations

from operator import itemgetter
from typing import Any

from aiogram import Router
from aiogram.enums import ContentType
from aiogram.filters import Command
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager, ShowMode, StartMode, Window
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button, Group, Select
from aiogram_dialog.widgets.text import Format

from handlers import keyboards
from handlers.dialogs.text import Step, T
from handlers.filters import ButtonText
from handlers.staff.desk import Desk
from handlers.staff.reports import members_refusal
from handlers.texts import Buttons

STEPS = 6


class EntryForm(StatesGroup):
    """The windows of the staff entry form."""

    subject = State()
    pick = State()
    sector = State()
    item = State()
    level = State()
    date = State()
    title = State()
    evidence = State()
    review = State()


async def new_entry(message: Message, desk: Desk, dialog_manager: DialogManager) -> None:
    """``/entry``: a fresh draft for an administrator; station staff are told why not."""
    if not desk.scope.admin:
        await desk.turn.say(members_refusal())
        return
    await desk.state.clear()
    await desk.turn.say(
        _("Let's record an assessment entry. You can check everything before it is saved."),
        reply_markup=keyboards.cancel_only(),
    )
    await dialog_manager.start(
        EntryForm.subject, mode=StartMode.RESET_STACK, show_mode=ShowMode.SEND
    )


def entry() -> Router:
    """The way into the form (any staff member: station staff get the refusal)."""
    router = Router(name="staff-assessment-entry")
    router.message.register(new_entry, Command("entry"))
    return router


def _choice(items: str, widget_id: str, on_click: Any, width: int = 2) -> Group:
    select = Select(
        Format("{item[1]}"), id=widget_id, item_id_getter=itemgetter(0), items=items,
        on_click=on_click,
    )  # fmt: skip
    return Group(select, width=width)


def _typed(state: State, question: Step, on_text: Any, *extra: Any) -> Window:
    from handlers.staff import assessment_entry_steps as steps
    from handlers.staff import assessment_entry_views as views

    return Window(
        question,
        *extra,
        MessageInput(on_text, content_types=ContentType.TEXT),
        MessageInput(steps.text_expected),
        getter=views.step_data,
        state=state,
    )


def entry_dialog() -> Dialog:
    """The staff entry form, built fresh for each Dispatcher."""
    from handlers.staff import assessment_entry_steps as steps
    from handlers.staff import assessment_entry_views as views

    return Dialog(
        _typed(
            EntryForm.subject,
            Step(
                "Whose record? Type a member's roster code or name, or choose a sector.",
                number=1,
                total=STEPS,
            ),
            steps.member_typed,
            Button(T("🏛 A sector"), id="sector", on_click=steps.to_sectors),
        ),
        Window(
            T("Several members match. Which one?"),
            _choice("matches", "pick", steps.member_picked, width=1),
            MessageInput(steps.buttons_expected),
            getter=views.matches,
            state=EntryForm.pick,
        ),
        Window(
            T("Which sector?"),
            _choice("sectors", "sector_pick", steps.sector_picked),
            MessageInput(steps.buttons_expected),
            getter=views.sectors,
            state=EntryForm.sector,
        ),
        Window(
            Step("Which item?", number=2, total=STEPS),
            _choice("items", "item", steps.item_picked, width=1),
            MessageInput(steps.buttons_expected),
            getter=views.items,
            state=EntryForm.item,
        ),
        Window(
            T("Which level?"),
            _choice("levels", "level", steps.level_picked),
            MessageInput(steps.buttons_expected),
            getter=views.levels,
            state=EntryForm.level,
        ),
        _typed(
            EntryForm.date,
            Step("When was it? Type the date, like {example}.", number=3, total=STEPS),
            steps.date_typed,
        ),
        _typed(
            EntryForm.title,
            Step("A title (up to 200 characters)?", number=4, total=STEPS),
            steps.title_typed,
        ),
        Window(
            Step(
                "The evidence: type it, send a photo or a document, or skip.",
                number=5,
                total=STEPS,
            ),
            Button(T(Buttons.SKIP), id="skip", on_click=steps.evidence_skipped),
            MessageInput(steps.evidence_skip_typed, filter=ButtonText(Buttons.SKIP)),
            MessageInput(steps.evidence_typed, content_types=ContentType.TEXT),
            MessageInput(
                steps.evidence_file, content_types=[ContentType.PHOTO, ContentType.DOCUMENT]
            ),
            MessageInput(steps.evidence_expected),
            state=EntryForm.evidence,
        ),
        Window(
            Format("{summary}"),
            Button(T("✅ Save"), id="save", on_click=steps.save),
            Button(T("🗑 Discard"), id="discard", on_click=steps.discard),
            MessageInput(steps.buttons_expected),
            getter=views.summary,
            state=EntryForm.review,
        ),
    )
