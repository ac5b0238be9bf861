"""Administrators' outcome desk: a year's outcomes by stage, an outcome, a suggestion's card.

``/outcomes`` opens the list. A suggestion's card carries its "Move to …" and "Undo last
move" buttons as :class:`OutcomeCB` naming the stage the card was drawn for; they are read
again on every press (handlers/staff/outcome_press.py: a card that moved on is refused and
the current card shown), then the dialog asks for what the move needs
(handlers/staff/outcome_moves.py). Station staff are refused: outcomes are the office's.
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager, Window
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import (
    Button,
    Column,
    Row,
    Select,
    Start,
    StubScroll,
    SwitchTo,
)
from aiogram_dialog.widgets.text import Format

from handlers.dialogs.guard import Refused, guard
from handlers.dialogs.markup import OutsideButtons
from handlers.dialogs.paging import choices, page_buttons
from handlers.dialogs.press import pass_on
from handlers.dialogs.text import T
from handlers.notices.outcomes import recipient_name
from handlers.pipeline_callbacks import OutcomeCB
from handlers.staff import outcome_moves
from handlers.staff.desk import desk_of
from handlers.staff.outcome_buttons import CardButtons
from handlers.staff.outcome_states import OutcomeDesk, OutcomeForm
from handlers.staff.outcome_texts import (
    outcome_text,
    suggestion_text,
    unavailable,
)
from handlers.texts import shorten
from services.errors import DomainError
from services.outcomes.forming import topic_outcomes
from services.outcomes.stages import staff_move
from services.outcomes.views import outcome_card, suggestion_card, year_outcomes
from services.reports.pipeline_labels import stage_label
from services.translation import N_
from storage.enums import STAGE_ORDER, Stage

log = logging.getLogger(__name__)
PAGE = 8
PAGES = "outcome_pages"


async def on_start(start_data: Any, manager: DialogManager) -> None:
    """What the desk was opened with (a year, an outcome, a suggestion) is the dialog's own."""
    if isinstance(start_data, dict):
        manager.dialog_data.update(start_data)
    manager.dialog_data.setdefault("year", desk_of(manager).today.year)


async def list_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """A page of the year's outcomes, and the stages to filter by with their counts."""
    desk = desk_of(dialog_manager)
    year = int(dialog_manager.dialog_data.get("year") or desk.today.year)
    stage = dialog_manager.dialog_data.get("stage") or None
    scroll = dialog_manager.find(PAGES)
    page = await scroll.get_page() if scroll is not None else 0
    found = await year_outcomes(
        desk.session, year=year, scope=desk.scope, stage=stage, offset=page * PAGE, limit=PAGE
    )
    items = [
        (
            row.outcome.id,
            f"{row.outcome.number} · {shorten(row.outcome.title, 24)} · "
            f"{stage_label(row.earliest)}",
        )
        for row in found.rows
    ]
    stages = [
        (s.value, f"{'• ' if s.value == stage else ''}{stage_label(s)} {found.counts[s.value]}")
        for s in STAGE_ORDER
    ]
    return {
        "year": year,
        "items": items,
        "stages": stages,
        "total": found.total,
        "filter": stage_label(stage) if stage else _("all stages"),
        "empty": not items,
        "pages": max(1, -(-found.total // PAGE)),
    }


async def year_turned(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """The year before or after."""
    step = -1 if button.widget_id == "year_back" else 1
    manager.dialog_data["year"] = int(manager.dialog_data.get("year") or 0) + step
    manager.dialog_data["stage"] = None


async def stage_chosen(
    callback: CallbackQuery, widget: Any, manager: DialogManager, item: str
) -> None:
    """Filter by a stage; the same stage again shows every stage."""
    if item not in {stage.value for stage in STAGE_ORDER}:
        raise Refused(_("This button is not valid."))
    manager.dialog_data["stage"] = None if manager.dialog_data.get("stage") == item else item


async def outcome_chosen(
    callback: CallbackQuery, widget: Any, manager: DialogManager, item: str
) -> None:
    """Open an outcome from the list."""
    desk = desk_of(manager)
    try:
        await outcome_card(desk.session, outcome_id=int(item), scope=desk.scope)
    except (DomainError, ValueError):
        raise Refused(unavailable(), alert=True) from None
    manager.dialog_data["oid"] = int(item)
    await manager.switch_to(OutcomeDesk.card)


async def card_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """The outcome's card and its suggestions to choose."""
    desk = desk_of(dialog_manager)
    try:
        card = await outcome_card(
            desk.session,
            outcome_id=int(dialog_manager.dialog_data.get("oid") or 0),
            scope=desk.scope,
        )
    except DomainError:
        return {"card": unavailable(), "items": []}
    items = [
        (
            end.suggestion.id,
            f"{end.suggestion.position}. {stage_label(end.suggestion.stage)} · "
            f"{shorten(end.suggestion.text, 30)}",
        )
        for end in card.ends
    ]
    return {
        "card": outcome_text(card, tz=desk.turn.tz),
        "items": items,
        "has_topic": bool(card.outcome.topic),
    }


async def topic_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """The outcome's long-running topic: its outcomes of every year."""
    desk = desk_of(dialog_manager)
    try:
        card = await outcome_card(
            desk.session,
            outcome_id=int(dialog_manager.dialog_data.get("oid") or 0),
            scope=desk.scope,
        )
    except DomainError:
        return {"topic": "", "items": []}
    topic = card.outcome.topic or ""
    found = await topic_outcomes(desk.session, topic=topic, scope=desk.scope) if topic else []
    items = [(o.id, f"{o.year} · {o.number} · {shorten(o.title, 30)}") for o in found]
    return {"topic": topic, "items": items}


async def suggestion_chosen(
    callback: CallbackQuery, widget: Any, manager: DialogManager, item: str
) -> None:
    """Open a suggestion's card."""
    desk = desk_of(manager)
    try:
        card, _end = await suggestion_card(desk.session, suggestion_id=int(item), scope=desk.scope)
    except (DomainError, ValueError):
        raise Refused(unavailable(), alert=True) from None
    if card.outcome.id != manager.dialog_data.get("oid"):
        raise Refused(unavailable(), alert=True)
    manager.dialog_data["sid"] = int(item)
    await manager.switch_to(OutcomeDesk.item)


async def item_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """The suggestion's card with the buttons its stage allows, naming that stage."""
    desk = desk_of(dialog_manager)
    try:
        card, end = await suggestion_card(
            desk.session,
            suggestion_id=int(dialog_manager.dialog_data.get("sid") or 0),
            scope=desk.scope,
        )
    except DomainError:
        return {"card": unavailable(), "buttons": []}
    s = end.suggestion
    assert s.id is not None
    dialog_manager.dialog_data["oid"] = card.outcome.id
    buttons = []
    move = staff_move(s.stage)
    if move is not None:
        label = _("➡ Move to {stage}").format(stage=stage_label(move.to_stage))
        if move.to_stage == Stage.SUBMITTED:
            label = _("➡ Submit to {recipient}").format(
                recipient=recipient_name(
                    desk_rules(dialog_manager, card.outcome.year).recipient(
                        card.outcome.consultation
                    )
                )
            )
        buttons.append((label, OutcomeCB(action="move", kind="s", id=s.id, v=s.stage).pack()))
    if s.stage != Stage.FORMED:
        buttons.append(
            (_("↩ Undo last move"), OutcomeCB(action="undo", kind="s", id=s.id, v=s.stage).pack())
        )
    text = suggestion_text(card, end, locale=desk.turn.locale, tz=desk.turn.tz)
    if s.stage == Stage.ASSIGNED:
        text += "\n" + _("The departments' answers move it to handled.")
    return {"card": text, "buttons": buttons}


def desk_rules(manager: DialogManager, year: int) -> Any:
    """The year's pipeline rules."""
    return manager.middleware_data["rulebook"].for_year(year).pipeline


def outcome_desk_dialog() -> Dialog:
    """The list, the cards and the moves' steps, built fresh for each Dispatcher."""
    return guard(
        Dialog(
            Window(
                T("<b>Consultation outcomes {year}</b> · {filter}: {total}"),
                T("No outcome here yet.", when="empty"),
                Row(
                    Select(
                        Format("{item[1]}"),
                        id="stage",
                        item_id_getter=lambda item: item[0],
                        items="stages",
                        on_click=stage_chosen,
                    )
                ),
                choices("outcome", outcome_chosen),
                StubScroll(id=PAGES, pages="pages"),
                page_buttons(
                    PAGES, back=("newer", N_("◀ Newer")), forward=("older", N_("Older ▶"))
                ),
                Row(
                    Button(Format("◀ {year}"), id="year_back", on_click=year_turned),
                    Button(Format("{year} ▶"), id="year_next", on_click=year_turned),
                ),
                Start(T("➕ New outcome"), id="new", state=OutcomeForm.source),
                MessageInput(pass_on),
                getter=list_getter,
                state=OutcomeDesk.list,
            ),
            Window(
                Format("{card}"),
                Column(
                    Select(
                        Format("{item[1]}"),
                        id="suggestion",
                        item_id_getter=lambda item: item[0],
                        items="items",
                        on_click=suggestion_chosen,
                    )
                ),
                SwitchTo(
                    T("📚 The topic across years"),
                    id="to_topic",
                    state=OutcomeDesk.topic,
                    when="has_topic",
                ),
                SwitchTo(T("◀ Outcomes"), id="to_list", state=OutcomeDesk.list),
                MessageInput(pass_on),
                getter=card_getter,
                state=OutcomeDesk.card,
            ),
            Window(
                T("<b>Long-running topic</b> · {topic}"),
                choices("topic_outcome", outcome_chosen),
                SwitchTo(T("◀ Outcome"), id="topic_back", state=OutcomeDesk.card),
                MessageInput(pass_on),
                getter=topic_getter,
                state=OutcomeDesk.topic,
            ),
            Window(
                Format("{card}"),
                CardButtons(),
                SwitchTo(T("◀ Outcome"), id="to_card", state=OutcomeDesk.card),
                MessageInput(pass_on),
                markup_factory=OutsideButtons(OutcomeCB.__prefix__),
                getter=item_getter,
                state=OutcomeDesk.item,
            ),
            *outcome_moves.windows(),
            on_start=on_start,
        )
    )
