"""Writing a proposal as a dialog: five steps, a review that edits any of them, save or send.

A way in from the member's list: a new proposal, or a saved draft to go on with.
"""

from __future__ import annotations

from operator import itemgetter

from aiogram import F
from aiogram.fsm.state import State
from aiogram_dialog import Dialog, Window
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button, Column, Row, Select, SwitchTo
from aiogram_dialog.widgets.text import Format, Multi

from handlers.dialogs.guard import guard
from handlers.dialogs.markup import Label
from handlers.dialogs.text import Step, T
from handlers.member import proposal_review as review
from handlers.member import proposal_steps as steps
from handlers.member.proposal_states import ProposalForm

STEPS = 5


def _edit(label: str, state: State) -> SwitchTo:
    name = str(state.state).split(":")[1]
    return SwitchTo(Label(label), id=f"edit_{name}", state=state, on_click=steps.edit_part)


def proposal_form() -> Dialog:
    """A fresh proposal form (one per Dispatcher)."""
    return guard(
        Dialog(
            Window(
                Step("What is the proposal's title?", number=1, total=STEPS),
                MessageInput(steps.title_typed, filter=F.text),
                MessageInput(steps.text_expected),
                getter=review.review_getter,
                state=ProposalForm.title,
            ),
            Window(
                Step(
                    "Describe the situation: what is the problem, and why does it matter?",
                    number=2,
                    total=STEPS,
                ),
                MessageInput(steps.situation_typed, filter=F.text),
                MessageInput(steps.text_expected),
                getter=review.review_getter,
                state=ProposalForm.situation,
            ),
            Window(
                Step(
                    "Send your suggestions: one message each, or one message with numbered "
                    "lines. Tap Done when all are in.",
                    number=3,
                    total=STEPS,
                ),
                Multi(
                    T("<b>Suggestions so far ({count} of at most {maximum}):</b>"),
                    Format("{items_html}"),
                ),
                Row(
                    Button(Label("✅ Done"), id="items_done", on_click=steps.step_done),
                    Button(
                        Label("🗑 Start the suggestions afresh"),
                        id="items_clear",
                        on_click=steps.suggestions_cleared,
                        when="has_items",
                    ),
                ),
                MessageInput(steps.suggestions_typed, filter=F.text),
                MessageInput(steps.text_expected),
                getter=review.review_getter,
                state=ProposalForm.suggestions,
            ),
            Window(
                Step(
                    "Who co-signs? Type part of a member's name to find them, then tap the name. "
                    "Tap a chosen name to remove it.",
                    number=4,
                    total=STEPS,
                ),
                T("Co-signers: {cosigner_names}"),
                Column(
                    Select(
                        Format("➕ {item[1]}"),
                        id="pick",
                        item_id_getter=itemgetter(0),
                        items="found",
                        on_click=steps.cosigner_picked,
                    )
                ),
                Column(
                    Select(
                        Format("✖ {item[1]}"),
                        id="drop",
                        item_id_getter=itemgetter(0),
                        items="chosen",
                        on_click=steps.cosigner_dropped,
                    )
                ),
                Button(Label("✅ Done"), id="cosigners_done", on_click=steps.step_done),
                MessageInput(steps.name_typed, filter=F.text),
                MessageInput(steps.text_expected),
                getter=review.review_getter,
                state=ProposalForm.cosigners,
            ),
            Window(
                Step(
                    "Attach photos or documents if you have any (optional), then tap Done.",
                    number=5,
                    total=STEPS,
                ),
                T("Attachments: {files_count}"),
                Row(
                    Button(Label("✅ Done"), id="files_done", on_click=steps.step_done),
                    Button(
                        Label("🗑 Remove the attachments"),
                        id="files_clear",
                        on_click=steps.files_cleared,
                        when="files_count",
                    ),
                ),
                MessageInput(steps.file_sent),
                getter=review.review_getter,
                state=ProposalForm.files,
            ),
            Window(
                Multi(
                    T("<b>Your proposal</b>"),
                    T("<b>{title}</b>"),
                    T("In the name of: {sector_name}", when="in_sector"),
                    T("<blockquote>{situation}</blockquote>"),
                    Format("{items_html}"),
                    T("Co-signers: {cosigner_names}"),
                    T("Attachments: {files_count}"),
                ),
                Row(
                    _edit("✏️ Title", ProposalForm.title),
                    _edit("✏️ Situation", ProposalForm.situation),
                ),
                Row(
                    _edit("✏️ Suggestions", ProposalForm.suggestions),
                    _edit("✏️ Co-signers", ProposalForm.cosigners),
                ),
                _edit("✏️ Attachments", ProposalForm.files),
                Button(
                    Label("🏷 Write in my sector's name / my own"),
                    id="sector",
                    on_click=review.sector_toggled,
                    when="convenor",
                ),
                Row(
                    Button(Label("💾 Save draft"), id="save", on_click=review.save_chosen),
                    Button(Label("📨 Send"), id="submit", on_click=review.submit_chosen),
                ),
                Button(Label("✖ Cancel"), id="cancel", on_click=review.cancel_chosen),
                MessageInput(steps.text_expected),
                getter=review.review_getter,
                state=ProposalForm.review,
            ),
            on_start=steps.form_started,
        )
    )
