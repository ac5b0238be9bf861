"""The activity entry as a dialog (eight steps, a review that edits any step) and its offer.

The offer stands in front of an unsaved entry before anything replaces it.
"""

from __future__ import annotations

from operator import itemgetter

from aiogram import F
from aiogram.fsm.state import State
from aiogram_dialog import Dialog, Window
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button, Column, Group, Multiselect, Select, SwitchTo
from aiogram_dialog.widgets.text import Format

from handlers.dialogs.calendar import DayCalendar
from handlers.dialogs.text import Step, T
from handlers.filters import ButtonText
from handlers.member import log_details, log_review, log_steps
from handlers.states import ActivityForm, EntryOpen
from handlers.texts import Buttons

STEPS = 8


def _edit(label: T, state: State, when: str | None = None) -> SwitchTo:
    """A review button that opens one step; the step comes back to the review."""
    name = str(state.state).split(":")[1]
    return SwitchTo(label, id=f"edit_{name}", state=state, on_click=log_review.edit_part, when=when)


def activity_dialog() -> Dialog:
    """A fresh activity dialog (one per Dispatcher)."""
    return Dialog(
        Window(
            Step("What kind of activity was it?", number=1, total=STEPS),
            Group(
                Select(
                    Format("{item[1]}"),
                    id="kind",
                    item_id_getter=itemgetter(0),
                    items="kinds",
                    on_click=log_steps.kind_picked,
                ),
                width=2,
            ),
            MessageInput(log_steps.buttons_expected),
            getter=log_steps.kinds_getter,
            state=ActivityForm.kind,
        ),
        Window(
            Step(
                "When was it? Tap a button or type a date like {example} (from {earliest} on).",
                number=2,
                total=STEPS,
            ),
            Button(Format("{today_label}"), id="today", on_click=log_steps.today_picked),
            Button(
                Format("{yesterday_label}"), id="yesterday", on_click=log_steps.yesterday_picked
            ),
            DayCalendar(id="day", on_click=log_steps.day_picked),
            MessageInput(log_steps.date_typed, filter=F.text),
            MessageInput(log_steps.text_expected),
            getter=log_steps.dates_getter,
            state=ActivityForm.date,
        ),
        Window(
            Step("Which sector's people took part?", number=3, total=STEPS),
            Button(Format("{own_sector_label}"), id="own_sector", on_click=log_steps.own_sector),
            SwitchTo(T("Another sector…"), id="other_sector", state=ActivityForm.sectors),
            MessageInput(log_steps.buttons_expected),
            getter=log_steps.own_sector_getter,
            state=ActivityForm.sector,
        ),
        Window(
            Step(
                "How many people did you reach (person-times)? Type a number from {low} to {high}.",
                number=4,
                total=STEPS,
            ),
            MessageInput(log_steps.people_typed, filter=F.text),
            MessageInput(log_steps.text_expected),
            getter=log_steps.people_getter,
            state=ActivityForm.people,
        ),
        Window(
            Step(
                "Did it reach any of the people you are paired with? Tick them, then Done.",
                number=5,
                total=STEPS,
            ),
            Group(
                Multiselect(
                    Format("☑ {item[1]}"),
                    Format("☐ {item[1]}"),
                    id="paired",
                    item_id_getter=itemgetter(0),
                    items="paired",
                    on_click=log_details.paired_clicked,
                    on_state_changed=log_details.paired_changed,
                ),
                width=2,
            ),
            Button(T("✅ Done"), id="paired_done", on_click=log_details.paired_done),
            MessageInput(log_steps.buttons_expected),
            getter=log_details.paired_getter,
            state=ActivityForm.paired,
        ),
        Window(
            Step("Where was it? Choose a station, type the place, or skip.", number=6, total=STEPS),
            Column(
                Select(
                    Format("{item[1]}"),
                    id="station",
                    item_id_getter=itemgetter(0),
                    items="stations",
                    on_click=log_details.station_picked,
                ),
            ),
            Button(T("⏭ Skip"), id="no_place", on_click=log_details.no_place),
            MessageInput(log_details.place_typed, filter=F.text),
            MessageInput(log_steps.text_expected),
            getter=log_details.stations_getter,
            state=ActivityForm.place,
        ),
        Window(
            Step(
                "Summarise it: what was discussed, what people asked for. "
                "{low} to {high} characters.",
                number=7,
                total=STEPS,
            ),
            MessageInput(log_details.summary_typed, filter=F.text),
            MessageInput(log_steps.text_expected),
            getter=log_details.summary_getter,
            state=ActivityForm.summary,
        ),
        Window(
            Step(
                "Send up to {maximum} photos of the activity, or skip this step.",
                number=8,
                total=STEPS,
            ),
            T("You have added {count} so far.", when="count"),
            Button(
                T(Buttons.DONE), id="photos_done", on_click=log_review.photos_done, when="count"
            ),
            Button(
                T(Buttons.SKIP), id="photos_skip", on_click=log_review.photos_done, when=~F["count"]
            ),
            Button(
                T(Buttons.REMOVE_PHOTOS),
                id="photos_remove",
                on_click=log_review.photos_removed,
                when="count",
            ),
            MessageInput(log_review.photo_received, filter=F.photo),
            MessageInput(log_review.photos_done_typed, filter=ButtonText(Buttons.DONE)),
            MessageInput(log_review.photos_done_typed, filter=ButtonText(Buttons.SKIP)),
            MessageInput(log_review.photos_removed_typed, filter=ButtonText(Buttons.REMOVE_PHOTOS)),
            MessageInput(log_review.photo_expected),
            getter=log_review.photos_getter,
            state=ActivityForm.photos,
        ),
        Window(
            Format("{entry}"),
            Group(
                _edit(T("✏️ Kind"), ActivityForm.kind),
                _edit(T("✏️ Date"), ActivityForm.date),
                _edit(T("✏️ Sector"), ActivityForm.sector),
                _edit(T("✏️ People"), ActivityForm.people),
                _edit(T("✏️ Paired people"), ActivityForm.paired, when="has_paired"),
                _edit(T("✏️ Place"), ActivityForm.place),
                _edit(T("✏️ Summary"), ActivityForm.summary),
                _edit(T("✏️ Photos"), ActivityForm.photos),
                width=2,
            ),
            Button(
                T("✅ Save the changes"),
                id="save_changes",
                on_click=log_review.save,
                when="editing_entry",
            ),
            Button(T("✅ Save"), id="save", on_click=log_review.save, when=~F["editing_entry"]),
            Button(T("🗑 Discard"), id="discard", on_click=log_review.discard),
            MessageInput(log_review.review_expected),
            getter=log_review.review_getter,
            state=ActivityForm.review,
        ),
        Window(
            T("Which sector?"),
            Group(
                Select(
                    Format("{item[1]}"),
                    id="sector",
                    item_id_getter=itemgetter(0),
                    items="sectors",
                    on_click=log_steps.sector_picked,
                ),
                width=2,
            ),
            MessageInput(log_steps.buttons_expected),
            getter=log_steps.sectors_getter,
            state=ActivityForm.sectors,
        ),
        on_start=log_steps.entry_started,
    )


def offer_dialog() -> Dialog:
    """The offer in front of an unsaved entry (one per Dispatcher)."""
    from handlers.member import log_entry

    return Dialog(
        Window(
            T("You have an activity entry that is not saved yet."),
            Button(T("▶ Continue the entry"), id="continue", on_click=log_entry.continue_entry),
            Button(Format("{discard_label}"), id="discard", on_click=log_entry.discard_and_go),
            MessageInput(log_steps.buttons_expected),
            getter=log_entry.offer_getter,
            state=EntryOpen.offer,
        ),
    )
