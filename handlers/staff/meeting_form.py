"""Staff set up a meeting: kind, title, start and end, venue, who is invited, agenda, materials.

The form is one aiogram-dialog: a window per step, then a review whose edit buttons switch to
a step and come back to the review once it is answered. The draft is the dialog's data, kept
in the FSM storage, so a restart resumes it; ``meeting_steps``, ``meeting_audience`` and
``meeting_review`` hold the callbacks. A change of a meeting set up before opens the same form
on its review, filled from the meeting (see ``meeting_changes``), with only the time, venue
and agenda to edit.
"""

from __future__ import annotations

from operator import itemgetter
from typing import Any

from aiogram import F, Router
from aiogram.enums import ContentType
from aiogram.filters import Command
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager, ShowMode, StartMode, Window
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button, Group, Select, SwitchTo
from aiogram_dialog.widgets.text import Format

from handlers import keyboards
from handlers.callbacks import StaffMenuCB
from handlers.dialogs.text import Step, T
from handlers.filters import ButtonText
from handlers.staff.desk import Desk
from handlers.texts import Buttons

STEPS = 8


class MeetingForm(StatesGroup):
    """Staff creating a meeting: the windows of the form."""

    kind = State()
    title = State()
    starts = State()
    ends = State()
    venue = State()
    audience = State()
    audience_pick = State()
    audience_names = State()
    agenda = State()
    materials = State()
    review = State()


async def open_form(desk: Desk, dialog_manager: DialogManager) -> None:
    """Open a fresh meeting draft, in place of whatever the chat was doing."""
    # A case reply or a broadcast waiting for its text gives way to the form.
    await desk.state.clear()
    await desk.turn.say(
        _("Let's set up a meeting. You can check everything before the invitations go out."),
        reply_markup=keyboards.cancel_only(),
    )
    await dialog_manager.start(
        MeetingForm.kind, mode=StartMode.RESET_STACK, show_mode=ShowMode.SEND
    )


async def new_meeting(message: Message, desk: Desk, dialog_manager: DialogManager) -> None:
    """The menu button or /newmeeting."""
    await open_form(desk, dialog_manager)


async def new_meeting_button(
    callback: CallbackQuery, callback_data: StaffMenuCB, desk: Desk, dialog_manager: DialogManager
) -> None:
    """A "new meeting" inline button."""
    await callback.answer()
    await open_form(desk, dialog_manager)


def entry() -> Router:
    """The ways into the form, on a fresh router: tried before the other staff features."""
    router = Router(name="staff-meeting-form-entry")
    router.message.register(new_meeting, ButtonText(Buttons.NEW_MEETING))
    router.message.register(new_meeting, Command("newmeeting"))
    router.callback_query.register(
        new_meeting_button, StaffMenuCB.filter(F.action == "new-meeting")
    )
    return router


def _typed(state: State, question: Step, on_text: Any) -> Window:
    """A step answered by typing: text goes to ``on_text``, anything else is refused."""
    from handlers.staff import meeting_steps as steps

    return Window(
        question,
        MessageInput(on_text, content_types=ContentType.TEXT),
        MessageInput(steps.text_expected),
        getter=steps.step_data,
        state=state,
    )


def _skippable(state: State, question: Step, *inputs: MessageInput) -> Window:
    """A step that may be skipped, with the button or the keyboard's "⏭ Skip"."""
    from handlers.staff import meeting_steps as steps

    return Window(
        question,
        Button(T(Buttons.SKIP), id="skip", on_click=steps.skipped),
        MessageInput(steps.skip_typed, filter=ButtonText(Buttons.SKIP)),
        *inputs,
        state=state,
    )


def _choice(items: str, widget_id: str, on_click: Any) -> Group:
    """Buttons from the window's ``items``, (id, label) pairs, two to a row."""
    select = Select(
        Format("{item[1]}"),
        id=widget_id,
        item_id_getter=itemgetter(0),
        items=items,
        on_click=on_click,
    )
    return Group(select, width=2)


def meeting_dialog() -> Dialog:
    """The meeting form, built fresh for each Dispatcher."""
    from handlers.staff import meeting_audience as audience
    from handlers.staff import meeting_review as review
    from handlers.staff import meeting_steps as steps

    def edit(label: T, state: State, when: Any = None) -> SwitchTo:
        return SwitchTo(
            label,
            id=f"edit_{str(state.state).rsplit(':', 1)[-1]}",
            state=state,
            on_click=review.edit,
            when=when,
        )

    def draft_only(label: T, state: State) -> SwitchTo:
        # A meeting already set up changes its time, venue or agenda, nothing else.
        return edit(label, state, when="new")

    edits = [
        draft_only(T("✏️ Kind"), MeetingForm.kind),
        draft_only(T("✏️ Title"), MeetingForm.title),
        edit(T("✏️ Start"), MeetingForm.starts),
        edit(T("✏️ End"), MeetingForm.ends),
        edit(T("✏️ Venue"), MeetingForm.venue),
        draft_only(T("✏️ Invited"), MeetingForm.audience),
        edit(T("✏️ Agenda"), MeetingForm.agenda),
        draft_only(T("✏️ Materials"), MeetingForm.materials),
    ]
    return Dialog(
        Window(
            Step("What kind of meeting?", number=1, total=STEPS),
            _choice("kinds", "kind", steps.kind_picked),
            MessageInput(steps.buttons_expected),
            getter=steps.kinds,
            state=MeetingForm.kind,
        ),
        _typed(
            MeetingForm.title,
            Step("The title of the meeting?", number=2, total=STEPS),
            steps.title_typed,
        ),
        _typed(
            MeetingForm.starts,
            Step(
                "When does it start? Type the date and time, like {example}.",
                number=3,
                total=STEPS,
            ),
            steps.starts_typed,
        ),
        _typed(
            MeetingForm.ends,
            Step("When does it end? Type the time, like 17:00.", number=4, total=STEPS),
            steps.ends_typed,
        ),
        _typed(
            MeetingForm.venue,
            Step("Where is it? Type the venue.", number=5, total=STEPS),
            steps.venue_typed,
        ),
        Window(
            Step("Who is invited?", number=6, total=STEPS),
            Button(T("All members"), id="everyone", on_click=audience.everyone),
            _choice("audiences", "audience", audience.audience_picked),
            MessageInput(steps.buttons_expected),
            getter=audience.audiences,
            state=MeetingForm.audience,
        ),
        Window(
            T("Which one?"),
            _choice("options", "which", audience.option_picked),
            MessageInput(steps.buttons_expected),
            getter=audience.options,
            state=MeetingForm.audience_pick,
        ),
        Window(
            T("Type the members' roster codes or names, separated by commas (e.g. M001, 李文静)."),
            MessageInput(audience.members_typed, content_types=ContentType.TEXT),
            MessageInput(steps.text_expected),
            state=MeetingForm.audience_names,
        ),
        _skippable(
            MeetingForm.agenda,
            Step("The agenda (up to 2000 characters), or skip.", number=7, total=STEPS),
            MessageInput(steps.agenda_typed, content_types=ContentType.TEXT),
            MessageInput(steps.text_expected),
        ),
        _skippable(
            MeetingForm.materials,
            Step("Send the materials as a document (up to 20 MB), or skip.", number=8, total=STEPS),
            MessageInput(steps.materials_received, content_types=ContentType.DOCUMENT),
            MessageInput(steps.document_expected),
        ),
        Window(
            # The summary is built from escaped parts by the getter.
            Format("{summary}"),
            Group(*edits, width=2),
            Button(T("✅ Create and invite"), id="create", on_click=review.create, when="new"),
            Button(T("🗑 Discard"), id="discard", on_click=review.discard, when="new"),
            Button(T("✅ Save and tell the invited"), id="save", on_click=review.save, when="edit"),
            Button(T("✖ Leave it as it was"), id="keep", on_click=review.discard, when="edit"),
            MessageInput(steps.buttons_expected),
            getter=review.summary,
            state=MeetingForm.review,
        ),
        on_start=prefill,
    )


async def prefill(start_data: Any, manager: DialogManager) -> None:
    """A change of a meeting set up before: the form starts filled from the meeting."""
    if isinstance(start_data, dict) and start_data.get("edit"):
        manager.dialog_data.update(start_data)
