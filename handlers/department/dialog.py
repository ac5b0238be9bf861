"""The department's handling dialog: its open items, a card, answering item by item.

The list pages through the proposals and outcome suggestions waiting for the department's
answers, soonest due first. A card shows the items with every department's answers, the due
date and the member's situation; from it the handler answers an item (the answer, how far it
was adopted, a review), asks for more time, or records a face-to-face meeting.
"""

from __future__ import annotations

import datetime as dt
from operator import itemgetter
from typing import Any

from aiogram import F
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager, Window
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button, Column, Row, Select, SwitchTo
from aiogram_dialog.widgets.text import Format

from handlers.assignee.casework_steps import saying
from handlers.department import steps
from handlers.department.states import HandlingWork
from handlers.dialogs.calendar import DayCalendar
from handlers.dialogs.text import T
from handlers.filters import TYPED, MenuLabel
from handlers.messaging import buttons_expected, text_expected
from handlers.texts import Buttons, escape, local_date, shorten
from services.errors import DomainError
from services.pipeline.department_views import HandlingCard, department_card
from services.pipeline.handling import department_open_items
from storage.enums import Adoption

PAGE = 8
MORE_DAYS = (7, 14, 30, 60)
TYPING = frozenset({HandlingWork.answer_text, HandlingWork.more_reason, HandlingWork.face_note})


def adoption_label(adoption: str | None) -> str:
    """How far a suggestion was adopted, in the reader's language."""
    labels: dict[str, str] = {
        Adoption.ADOPTED.value: _("adopted"),
        Adoption.PARTLY.value: _("partly adopted"),
        Adoption.EXPLAINED.value: _("explained, not adopted"),
    }
    return labels.get(adoption or "", "-")


def render_card(card: HandlingCard, tz: dt.tzinfo) -> str:
    """The card as the department reads it; every typed text escaped."""
    lines = [f"<b>{escape(card.number)}</b> {escape(card.title)}"]
    if card.due_at is not None:
        lines.append(_("Due: {date}").format(date=local_date(card.due_at, tz)))
    if card.situation:
        lines.append(
            _("Situation:") + f"\n<blockquote>{escape(shorten(card.situation, 600))}</blockquote>"
        )
    for item in card.items:
        lines.append(f"\n<b>{item.suggestion.position}.</b> {escape(item.suggestion.text)}")
        if item.own is not None:
            if item.own.answered_at is None:
                lines.append("  " + _("Your answer: waiting"))
            else:
                lines.append(
                    "  "
                    + _("Your answer ({adoption}): {answer}").format(
                        adoption=adoption_label(item.own.adoption),
                        answer=escape(shorten(item.own.answer or "", 300)),
                    )
                )
        for other, name in item.others:
            said = escape(shorten(other.answer or "", 200)) if other.answered_at else _("waiting")
            lines.append(f"  {escape(name)}: {said}")
    if card.extension is not None:
        lines.append(
            "\n"
            + _("⏳ Your request for {days} more days waits for the office.").format(
                days=card.extension.days
            )
        )
    for meeting in card.meetings:
        lines.append(_("🤝 Met the member on {date}.").format(date=meeting.met_on.isoformat()))
    if not card.answering:
        lines.append("\n" + _("This no longer waits for your answer."))
    return "\n".join(lines)


def _department_id(manager: DialogManager) -> int | None:
    department = manager.middleware_data.get("department")
    return department.id if department is not None else None


async def items_getter(dialog_manager: DialogManager, **_data: Any) -> dict[str, Any]:
    """A page of the department's open proposals and suggestions."""
    department_id = _department_id(dialog_manager)
    data = dialog_manager.middleware_data
    groups = []
    if department_id is not None:
        groups = await department_open_items(
            data["session"], department_id=department_id, now=data["clock"].now()
        )
    pages = max(1, (len(groups) + PAGE - 1) // PAGE)
    page = min(int(dialog_manager.dialog_data.get("page", 0)), pages - 1)
    shown = groups[page * PAGE : (page + 1) * PAGE]
    rows = [
        (
            ("⚠ " if g.overdue else "")
            + f"{g.number} · {local_date(g.due_at, data['tz'])} · "
            + shorten(g.title, 16)
            + f" ({len(g.items)})",
            f"{g.kind}{g.key}",
        )
        for g in shown
    ]
    return {
        "empty": not groups,
        "listed": bool(groups),
        "count": len(groups),
        "page": page + 1,
        "pages": pages,
        "has_prev": page > 0,
        "has_next": page + 1 < pages,
        "groups": rows,
    }


async def card_getter(dialog_manager: DialogManager, **_data: Any) -> dict[str, Any]:
    """The card and what it allows."""
    department_id = _department_id(dialog_manager)
    data = dialog_manager.dialog_data
    card = None
    if department_id is not None:
        try:
            card = await department_card(
                dialog_manager.middleware_data["session"],
                department_id=department_id,
                kind=str(data.get("kind", "")),
                key=int(data.get("key", 0)),
            )
        except DomainError:
            card = None
    if card is None:
        return {"card": _("This is not available."), "open": [], "may_ask": False, "face": False}
    return {
        "card": render_card(card, dialog_manager.middleware_data["tz"]),
        "open": [
            (_("✍ Answer item {n}").format(n=i.suggestion.position), i.own.id)
            for i in card.open_items
            if i.own is not None
        ],
        "may_ask": bool(card.open_items) and card.extension is None,
        "face": card.kind == "p",
    }


async def review_getter(dialog_manager: DialogManager, **_data: Any) -> dict[str, Any]:
    """The answer being written and the adoption chosen."""
    data = dialog_manager.dialog_data
    return {
        "answer": str(data.get("answer", "")),  # the text widget escapes what it formats
        "adoption": adoption_label(str(data.get("adoption", ""))),
        "choices": [(adoption_label(a), a.value) for a in Adoption],
    }


async def days_getter(dialog_manager: DialogManager, **_data: Any) -> dict[str, Any]:
    """The extensions one may ask for, within the year's limit."""
    rulebook = dialog_manager.middleware_data["rulebook"]
    today = dialog_manager.middleware_data["clock"].now()
    high = rulebook.for_year(today.year).pipeline.extension_max_days
    return {"days": [(_("+{days} days").format(days=d), d) for d in MORE_DAYS if d <= high]}


async def calendar_getter(dialog_manager: DialogManager, **_data: Any) -> dict[str, Any]:
    """The days a meeting may have been held: the last year, up to today."""
    data = dialog_manager.middleware_data
    today = data["clock"].now().astimezone(data["tz"]).date()
    return {"today": today, "earliest": today - dt.timedelta(days=366)}


async def _on_start(start_data: Any, manager: DialogManager) -> None:
    if isinstance(start_data, dict):
        manager.dialog_data.update(start_data)


def _typing_only(message: Any, aiogd_context: Any = None, **_: Any) -> bool:
    return aiogd_context is not None and aiogd_context.state in TYPING


def _back() -> SwitchTo:
    return SwitchTo(T(Buttons.CANCEL), id="back", state=HandlingWork.card)


def _typed(*texts: Any, state: Any, handler: Any) -> Window:
    return Window(
        *texts,
        MessageInput(handler, filter=TYPED),
        MessageInput(saying(text_expected)),
        _back(),
        state=state,
    )


def handling_dialog() -> Dialog:
    """A fresh handling dialog, for one Dispatcher."""
    dialog = Dialog(
        Window(
            T("Nothing waits for your department's answer.", when="empty"),
            T(
                "<b>Proposals and outcomes</b>: {count} waiting for your answers. "
                "Page {page} of {pages}.",
                when="listed",
            ),
            Column(
                Select(
                    Format("{item[0]}"),
                    id="group",
                    item_id_getter=itemgetter(1),
                    items="groups",
                    on_click=steps.group_chosen,
                )
            ),
            Row(
                Button(T("◀"), id="prev", on_click=steps.page_moved, when="has_prev"),
                Button(T("▶"), id="next", on_click=steps.page_moved, when="has_next"),
            ),
            getter=items_getter,
            state=HandlingWork.items,
        ),
        Window(
            Format("{card}"),
            Column(
                Select(
                    Format("{item[0]}"),
                    id="item",
                    item_id_getter=itemgetter(1),
                    items="open",
                    type_factory=int,
                    on_click=steps.item_chosen,
                )
            ),
            Row(
                SwitchTo(
                    T("⏳ Ask for more time"),
                    id="more",
                    state=HandlingWork.more_days,
                    when="may_ask",
                ),
                SwitchTo(
                    T("🤝 Face-to-face meeting"),
                    id="face",
                    state=HandlingWork.face_date,
                    when="face",
                ),
            ),
            SwitchTo(T("◀ Open items"), id="list", state=HandlingWork.items),
            getter=card_getter,
            state=HandlingWork.card,
        ),
        _typed(
            T("What was done about this item? Type the department's answer."),
            state=HandlingWork.answer_text,
            handler=steps.answer_typed,
        ),
        Window(
            T("How far was the suggestion adopted?"),
            Column(
                Select(
                    Format("{item[0]}"),
                    id="adoption",
                    item_id_getter=itemgetter(1),
                    items="choices",
                    on_click=steps.adoption_chosen,
                )
            ),
            MessageInput(saying(buttons_expected)),
            _back(),
            getter=review_getter,
            state=HandlingWork.adoption,
        ),
        Window(
            T("Your answer ({adoption}):\n<blockquote>{answer}</blockquote>"),
            Button(T("📤 Send the answer"), id="send", on_click=steps.send_answer),
            Row(
                SwitchTo(T("✏ Rewrite"), id="rewrite", state=HandlingWork.answer_text),
                SwitchTo(T("✏ Adoption"), id="readopt", state=HandlingWork.adoption),
            ),
            _back(),
            MessageInput(saying(buttons_expected)),
            getter=review_getter,
            state=HandlingWork.confirm,
        ),
        Window(
            T("How much more time does the department need?"),
            Row(
                Select(
                    Format("{item[0]}"),
                    id="days",
                    item_id_getter=itemgetter(1),
                    items="days",
                    type_factory=int,
                    on_click=steps.days_chosen,
                )
            ),
            _back(),
            getter=days_getter,
            state=HandlingWork.more_days,
        ),
        _typed(
            T("Why does the department need more time? The office decides on your reason."),
            state=HandlingWork.more_reason,
            handler=steps.reason_typed,
        ),
        Window(
            T("On which day did you meet the member?"),
            DayCalendar(id="day", on_click=steps.day_picked),
            _back(),
            getter=calendar_getter,
            state=HandlingWork.face_date,
        ),
        _typed(
            T("What was discussed? A short note; the member reads it."),
            state=HandlingWork.face_note,
            handler=steps.face_note_typed,
        ),
        on_start=_on_start,
    )
    # Menu buttons and commands are for the routers after this one, whatever the step.
    dialog.message.filter(~MenuLabel(), ~F.text.startswith("/"), _typing_only)
    return dialog
