"""The windows of the year's steps (the presses are in :mod:`handlers.staff.year_steps`).

Each step that cannot be undone has a confirmation card saying what it does; the pools are
ticked a page at a time, the ticks kept in the dialog and checked on every press.
"""

from __future__ import annotations

from operator import itemgetter
from typing import Any

from aiogram import F
from aiogram_dialog import Dialog, Window
from aiogram_dialog.widgets.kbd import Button, Cancel, Column, Select, StubScroll, SwitchTo
from aiogram_dialog.widgets.text import Format

from handlers.dialogs.guard import guard
from handlers.dialogs.paging import choices, page_buttons
from handlers.dialogs.text import T
from handlers.staff.year_steps import (
    close_confirmed,
    committee_chosen,
    decide_confirmed,
    publish_confirmed,
    recommend_confirmed,
    reopen_confirmed,
    to_step,
    toggle,
    year_before,
)
from handlers.staff.year_steps_getters import (
    committees_getter,
    decide_getter,
    recommend_getter,
    state_getter,
)
from handlers.states import YearSteps
from services.assessment.standings import MEMBER, SECTOR
from services.translation import N_

CLOSE_TEXT = N_(
    "Closing freezes the standings with this year's rules version; the year's records "
    "can no longer change its results. Close {year}?"
)
PUBLISH_TEXT = N_(
    "Publishing tells every linked member the excellent lists and their own line; "
    "the year never changes again. Publish {year}?"
)
REOPEN_TEXT = N_(
    "Reopening drops the frozen results; the recommendations and the decision are made "
    "again after the next close. Reopen {year}?"
)
RECOMMEND_TEXT = N_(
    "Tick the members the committee recommends ({count} ticked). Page {page} of {pages}."
)
DECIDE_TEXT = N_(
    "Tick the excellent members (⭐ recommended) and sectors: {members} members, "
    "{sectors} sectors. Page {page} of {pages}."
)


def _confirm(state: Any, text: str, button: str, on_click: Any) -> Window:
    """A confirmation card: what the step does, the step's button, and back."""
    return Window(
        Format("{text}\n"),
        T(text),
        Button(T(button), id="confirm", on_click=on_click),
        SwitchTo(T("◀ Back"), id="back", state=YearSteps.menu),
        getter=state_getter,
        state=state,
    )


def year_steps_dialog() -> Dialog:
    """A fresh dialog of the year's steps (one per Dispatcher)."""
    pages = ("prev", N_("◀ Back")), ("next", N_("More ▶"))
    back = SwitchTo(T("◀ Back"), id="back", state=YearSteps.menu)
    return guard(
        Dialog(
            Window(
                Format("{text}"),
                Button(
                    T("🔒 Close the year"),
                    id="close",
                    on_click=to_step("close", YearSteps.close),
                    when="can_close",
                ),
                Button(
                    T("🏅 Recommend"),
                    id="recommend",
                    on_click=to_step("recommend", YearSteps.committee),
                    when="can_recommend",
                ),
                Button(
                    T("⚖ Decide"),
                    id="decide",
                    on_click=to_step("decide", YearSteps.decide),
                    when="can_decide",
                ),
                Button(
                    T("📣 Publish"),
                    id="publish",
                    on_click=to_step("publish", YearSteps.publish),
                    when="can_publish",
                ),
                Button(
                    T("🔓 Reopen"),
                    id="reopen",
                    on_click=to_step("reopen", YearSteps.reopen),
                    when="can_reopen",
                ),
                Button(T("🗓 The year {before}"), id="before", on_click=year_before, when="before"),
                Button(
                    T("◀ The year {this_year}"),
                    id="this_year",
                    on_click=year_before,
                    when="this_year",
                ),
                Cancel(T("✖ Close")),
                getter=state_getter,
                state=YearSteps.menu,
            ),
            _confirm(
                YearSteps.close,
                CLOSE_TEXT,
                N_("✅ Close the year"),
                close_confirmed,
            ),
            Window(
                Format("{text}\n"),
                T("Which special committee recommends?", when=~F["none"]),
                T("There is no special committee.", when="none"),
                choices("committee", committee_chosen),
                back,
                getter=committees_getter,
                state=YearSteps.committee,
            ),
            Window(
                T(RECOMMEND_TEXT),
                choices("rec_m", toggle("ticked", MEMBER)),
                StubScroll(id="pool_pages", pages="pages"),
                page_buttons("pool_pages", back=pages[0], forward=pages[1]),
                Button(T("✅ Save the recommendation"), id="save", on_click=recommend_confirmed),
                back,
                getter=recommend_getter,
                state=YearSteps.recommend,
            ),
            Window(
                T(DECIDE_TEXT),
                choices("dec_m", toggle("members", MEMBER)),
                StubScroll(id="pool_pages", pages="pages"),
                page_buttons("pool_pages", back=pages[0], forward=pages[1]),
                Column(
                    Select(
                        Format("{item[1]}"),
                        id="dec_s",
                        item_id_getter=itemgetter(0),
                        items="sector_items",
                        on_click=toggle("sectors", SECTOR),
                    )
                ),
                Button(T("✅ Save the decision"), id="save", on_click=decide_confirmed),
                back,
                getter=decide_getter,
                state=YearSteps.decide,
            ),
            _confirm(
                YearSteps.publish,
                PUBLISH_TEXT,
                N_("📣 Publish"),
                publish_confirmed,
            ),
            _confirm(
                YearSteps.reopen,
                REOPEN_TEXT,
                N_("🔓 Reopen"),
                reopen_confirmed,
            ),
        )
    )
