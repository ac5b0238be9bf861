"""A new outcome: where it came from, its title, suggestions, linked cases, topic, key, review.

The source is a consultation meeting (chosen from those held), an accepted social-conditions
report (chosen), or a research report (its date and the members' codes typed). Suggestions
are typed as numbered lines or one a message; case numbers are checked one by one, an
unknown one refused while the others are kept. Nothing is stored until "Save".
"""

from __future__ import annotations

from aiogram import F
from aiogram_dialog import Dialog, Window
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button, Cancel, Column, Row, Select
from aiogram_dialog.widgets.text import Format

from handlers.dialogs.guard import guard
from handlers.dialogs.text import T
from handlers.staff.outcome_form_steps import (
    cases_typed,
    form_getter,
    go_to,
    key_chosen,
    members_typed,
    no_topic,
    origin_chosen,
    pick_getter,
    research_day,
    save,
    source_chosen,
    suggestions_typed,
    title_typed,
    topic_typed,
)
from handlers.staff.outcome_states import OutcomeForm


def outcome_form_dialog() -> Dialog:
    """The new-outcome form, built fresh for each Dispatcher."""
    cancel = Cancel(T("✖ Cancel"), id="form_cancel")
    return guard(
        Dialog(
            Window(
                T("<b>New outcome</b> · Where does it come from?"),
                Column(
                    Button(T("A consultation meeting"), id="meeting", on_click=source_chosen),
                    Button(
                        T("An accepted social-conditions report"),
                        id="report",
                        on_click=source_chosen,
                    ),
                    Button(T("A research report"), id="research", on_click=source_chosen),
                ),
                cancel,
                state=OutcomeForm.source,
            ),
            Window(
                T("Choose it:", when=~F["empty"]),
                T("There is nothing to choose from yet.", when="empty"),
                Column(
                    Select(
                        Format("{item[1]}"),
                        id="origin",
                        item_id_getter=lambda item: item[0],
                        items="items",
                        on_click=origin_chosen,
                    )
                ),
                cancel,
                getter=pick_getter,
                state=OutcomeForm.pick,
            ),
            Window(
                T("On which date was the research report made? Write it like 2026-11-18."),
                MessageInput(research_day, content_types=["text"]),
                cancel,
                state=OutcomeForm.research_on,
            ),
            Window(
                T("Which members took part? Write their codes, like M001 M002."),
                MessageInput(members_typed, content_types=["text"]),
                cancel,
                state=OutcomeForm.members,
            ),
            Window(
                T("The outcome's title?"),
                MessageInput(title_typed, content_types=["text"]),
                cancel,
                state=OutcomeForm.title,
            ),
            Window(
                T("Write the suggestions: numbered lines, or one a message."),
                T("So far ({count}):", when="any"),
                Format("{listed}", when="any"),
                MessageInput(suggestions_typed, content_types=["text"]),
                Button(
                    T("Next ▶"),
                    id="suggestions_done",
                    on_click=go_to(OutcomeForm.cases),
                    when="any",
                ),
                cancel,
                getter=form_getter,
                state=OutcomeForm.suggestions,
            ),
            Window(
                T("Residents' cases that fed it: write their numbers (optional)."),
                T("Linked: {cases}"),
                MessageInput(cases_typed, content_types=["text"]),
                Button(T("Next ▶"), id="cases_done", on_click=go_to(OutcomeForm.topic)),
                cancel,
                getter=form_getter,
                state=OutcomeForm.cases,
            ),
            Window(
                T("Does it belong to a long-running topic? Write the topic's name, or skip."),
                MessageInput(topic_typed, content_types=["text"]),
                Button(T("No topic"), id="no_topic", on_click=no_topic),
                cancel,
                state=OutcomeForm.topic,
            ),
            Window(
                T("Is it a key outcome (its handling gets a quality evaluation)?"),
                Row(
                    Button(T("Yes"), id="key_yes", on_click=key_chosen),
                    Button(T("No"), id="key_no", on_click=key_chosen),
                ),
                cancel,
                state=OutcomeForm.key,
            ),
            Window(
                T("<b>{title}</b>"),
                Format("{listed}"),
                T("Cases: {cases}"),
                T("Topic: {topic}"),
                T("Key: {key}"),
                T("Save this outcome?"),
                Row(
                    Button(T("✔ Save"), id="save", on_click=save),
                    cancel,
                ),
                getter=form_getter,
                state=OutcomeForm.review,
            ),
        )
    )
