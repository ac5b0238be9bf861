"""The office's topic desk as a dialog: ``/topics`` and the staff menu's 🗳 Topics."""

from __future__ import annotations

from operator import itemgetter

from aiogram import F
from aiogram.filters import and_f
from aiogram.fsm.state import State
from aiogram_dialog import Dialog, Window
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button, Column, Group, ScrollingGroup, Select, SwitchTo
from aiogram_dialog.widgets.text import Format

from handlers.dialogs.guard import guard
from handlers.dialogs.markup import Label
from handlers.dialogs.text import T
from handlers.filters import TYPED, MenuLabel
from handlers.topics import desk_placing as placing
from handlers.topics import desk_plan as plan
from handlers.topics import desk_steps as steps
from handlers.topics.states import TopicDesk
from handlers.topics.suggest import text_expected

PAGE = 8
TYPED_STEP = and_f(TYPED, ~MenuLabel())


def _choices(items: str, widget_id: str, on_click: object, width: int = 1) -> Group:
    select: Select[str] = Select(
        Format("{item[1]}"),
        id=widget_id,
        item_id_getter=itemgetter(0),
        items=items,
        on_click=on_click,  # type: ignore[arg-type]
    )
    return Group(select, width=width)


def _back(state: State = TopicDesk.card) -> SwitchTo:
    name = str(state.state).split(":")[-1]
    return SwitchTo(Label("◀ Back"), id=f"back_{name}", state=state)


def topic_desk_dialog() -> Dialog:
    """A fresh topic desk (one per Dispatcher)."""
    return guard(
        Dialog(
            Window(
                T("<b>Topics {year}</b> · {state_name}"),
                T("No topics here.", when="empty"),
                _choices("filters", "filter", steps.state_chosen, width=2),
                _choices("sources", "by_source", steps.source_filtered, width=3),
                ScrollingGroup(
                    Select(
                        Format("{item[1]}"),
                        id="topic",
                        item_id_getter=itemgetter(0),
                        items="topics",
                        on_click=steps.topic_chosen,
                    ),
                    id="topics",
                    width=1,
                    height=PAGE,
                    hide_on_single_page=True,
                ),
                SwitchTo(Label("🗓 The plan"), id="plan", state=TopicDesk.plan, when="admin"),
                SwitchTo(
                    Label("➕ Add a topic"), id="new", state=TopicDesk.new_source, when="admin"
                ),
                getter=steps.list_getter,
                state=TopicDesk.list,
            ),
            Window(
                Format("{card}"),
                Button(
                    Label("⭐ Shortlist"),
                    id="shortlist",
                    on_click=steps.shortlist_pressed,
                    when="suggested",
                ),
                SwitchTo(
                    Label("✖ Decline"), id="decline", state=TopicDesk.reason, when="suggested"
                ),
                SwitchTo(
                    Label("🗓 Put in the plan"),
                    id="place",
                    state=TopicDesk.committee,
                    when="shortlisted",
                ),
                Button(
                    Label("↩ Take out of the plan"),
                    id="unplan",
                    on_click=placing.unplan_pressed,
                    when="planned",
                ),
                _back(TopicDesk.list),
                getter=steps.card_getter,
                state=TopicDesk.card,
            ),
            Window(
                T("Why is the topic declined? The proposer is told."),
                _back(),
                MessageInput(steps.reason_typed, filter=TYPED_STEP),
                state=TopicDesk.reason,
            ),
            Window(
                T("Which special committee leads it?"),
                _choices("committees", "committee", placing.committee_chosen),
                _back(),
                getter=placing.committee_getter,
                state=TopicDesk.committee,
            ),
            Window(
                T("In which month? (Committee: {committee_name})"),
                _choices("months", "month", placing.month_chosen, width=4),
                _back(),
                getter=placing.committee_getter,
                state=TopicDesk.month,
            ),
            Window(
                T("In which form?"),
                _choices("forms", "form", placing.form_chosen),
                _back(),
                getter=placing.committee_getter,
                state=TopicDesk.form,
            ),
            Window(
                T(
                    "<b>Put in the plan</b>\nCommittee: {committee_name}\nMonth: {month}\n"
                    "Form: {form_name}\nSlot: {slot_name}"
                ),
                Button(T("{key_mark} ⭐ Key topic"), id="key", on_click=placing.key_toggled),
                Button(Label("⇄ Plan or extra"), id="slot", on_click=placing.slot_toggled),
                Button(Label("✅ Put in the plan"), id="confirm", on_click=placing.place_pressed),
                _back(),
                getter=placing.committee_getter,
                state=TopicDesk.placing,
            ),
            Window(
                T("<b>The {year} consultation plan</b> · {status}"),
                Format("{body}"),
                Button(Label("📢 Publish"), id="publish", on_click=plan.publish_pressed),
                Button(
                    T("↪ Carry over from {last_year}"),
                    id="carry",
                    on_click=plan.carry_pressed,
                ),
                _back(TopicDesk.list),
                getter=plan.plan_getter,
                state=TopicDesk.plan,
            ),
            Window(
                T("Where does the new topic come from?"),
                Column(
                    Select(
                        Format("{item[1]}"),
                        id="source",
                        item_id_getter=itemgetter(0),
                        items="sources",
                        on_click=plan.source_chosen,
                    )
                ),
                Button(
                    T("{long_mark} ♾ Long-running topic"),
                    id="long",
                    on_click=plan.long_toggled,
                ),
                _back(TopicDesk.list),
                getter=plan.new_getter,
                state=TopicDesk.new_source,
            ),
            Window(
                T("Send the topic's title (from {source_name})."),
                _back(TopicDesk.list),
                MessageInput(plan.new_title_typed, filter=TYPED_STEP),
                MessageInput(text_expected, filter=~F.text),
                getter=plan.new_getter,
                state=TopicDesk.new_title,
            ),
        )
    )
