"""The new-outcome form's steps: what each answer is checked against and where it goes next.

Each typed answer is checked at once and refused with the reason, keeping what was entered
before; the last step forms the outcome (services/outcomes/forming.py) and opens its card.
"""

from __future__ import annotations

import re
from typing import Any

from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager, ShowMode, StartMode
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button
from sqlalchemy import select
from sqlmodel import col

from handlers.dialogs.guard import Refused
from handlers.dialogs.press import refuse_input
from handlers.staff.desk import desk_of
from handlers.staff.outcome_moves import parse_day
from handlers.staff.outcome_states import OutcomeDesk, OutcomeForm
from handlers.staff.outcome_texts import error_text
from handlers.texts import escape, local_time, shorten
from services.errors import DomainError
from services.outcomes.forming import (
    SUGGESTIONS_MAX,
    OutcomeDraft,
    accepted_reports,
    check_suggestion,
    check_title,
    check_topic,
    consultation_meetings,
    find_case,
    form_outcome,
)
from services.pipeline.items import split_numbered
from storage.models import Member

_SEPARATORS = re.compile(r"[\s,，;；、]+")


def _rules(manager: DialogManager) -> Any:
    desk = desk_of(manager)
    return manager.middleware_data["rulebook"].for_year(desk.today.year).pipeline


async def source_chosen(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Meeting, report or research."""
    source = button.widget_id
    manager.dialog_data.update(source=source, suggestions=[], cases=[], members=[])
    await manager.switch_to(OutcomeForm.research_on if source == "research" else OutcomeForm.pick)


async def pick_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """The meetings held, or the accepted reports, to choose from."""
    desk = desk_of(dialog_manager)
    if dialog_manager.dialog_data.get("source") == "meeting":
        meetings = await consultation_meetings(
            desk.session, scope=desk.scope, rules=_rules(dialog_manager), now=desk.now
        )
        items = [
            (m.id, f"{local_time(m.starts_at, desk.turn.tz)[:10]} · {shorten(m.title, 30)}")
            for m in meetings
        ]
    else:
        reports = await accepted_reports(desk.session, scope=desk.scope)
        items = [(r.id, shorten(r.title, 40)) for r in reports]
    return {"items": items, "empty": not items}


async def origin_chosen(
    callback: CallbackQuery, widget: Any, manager: DialogManager, item: str
) -> None:
    """The meeting or report; the title next."""
    offered = await pick_getter(manager)
    if item not in {str(choice) for choice, _label in offered["items"]}:
        raise Refused(_("This button is not valid."))
    key = "meeting_id" if manager.dialog_data.get("source") == "meeting" else "report_id"
    manager.dialog_data[key] = int(item)
    await manager.switch_to(OutcomeForm.title)


async def research_day(message: Message, widget: MessageInput, manager: DialogManager) -> None:
    """The research report's date."""
    day = parse_day(message.text or "")
    if day is None or day > desk_of(manager).today:
        await refuse_input(
            message, manager, _("Please write a date that is not in the future, like 2026-11-18.")
        )
        return
    manager.dialog_data["research_on"] = day.isoformat()
    await manager.switch_to(OutcomeForm.members, show_mode=ShowMode.SEND)


async def members_typed(message: Message, widget: MessageInput, manager: DialogManager) -> None:
    """Members' codes, each checked; the known ones are kept."""
    desk = desk_of(manager)
    codes = [c.upper() for c in _SEPARATORS.split(message.text or "") if c]
    found = dict(
        (
            await desk.session.execute(
                select(col(Member.code), col(Member.id)).where(col(Member.code).in_(codes))
            )
        ).all()
    )
    kept = manager.dialog_data.setdefault("members", [])
    for code in codes:
        if code in found and found[code] not in kept:
            kept.append(found[code])
    unknown = [code for code in codes if code not in found]
    if unknown:
        await refuse_input(
            message,
            manager,
            _("No member has the code {codes}.").format(codes=", ".join(unknown)[:60]),
        )
        return
    await manager.switch_to(OutcomeForm.title, show_mode=ShowMode.SEND)


async def title_typed(message: Message, widget: MessageInput, manager: DialogManager) -> None:
    """The outcome's title."""
    try:
        manager.dialog_data["title"] = check_title(message.text or "")
    except DomainError as error:
        await refuse_input(message, manager, error_text(error))
        return
    await manager.switch_to(OutcomeForm.suggestions, show_mode=ShowMode.SEND)


async def suggestions_typed(message: Message, widget: MessageInput, manager: DialogManager) -> None:
    """Numbered lines, or one suggestion a message; each is added to those so far."""
    items: list[str] = manager.dialog_data.setdefault("suggestions", [])
    try:
        added = [check_suggestion(text) for text in split_numbered(message.text or "")]
    except DomainError as error:
        await refuse_input(message, manager, error_text(error))
        return
    if len(items) + len(added) > SUGGESTIONS_MAX:
        await refuse_input(
            message,
            manager,
            error_text(DomainError("outcome_suggestions_count", maximum=SUGGESTIONS_MAX)),
        )
        return
    items.extend(added)
    manager.show_mode = ShowMode.SEND


async def cases_typed(message: Message, widget: MessageInput, manager: DialogManager) -> None:
    """Case numbers, each checked; an unknown one is refused and the others kept."""
    desk = desk_of(manager)
    kept: list[str] = manager.dialog_data.setdefault("cases", [])
    for text in _SEPARATORS.split(message.text or ""):
        if not text:
            continue
        try:
            issue = await find_case(desk.session, text)
        except DomainError as error:
            await refuse_input(message, manager, error_text(error))
            return
        if issue.number not in kept:
            kept.append(issue.number)
    manager.show_mode = ShowMode.SEND


async def topic_typed(message: Message, widget: MessageInput, manager: DialogManager) -> None:
    """A long-running topic's name."""
    try:
        manager.dialog_data["topic"] = check_topic(message.text or "")
    except DomainError as error:
        await refuse_input(message, manager, error_text(error))
        return
    await manager.switch_to(OutcomeForm.key, show_mode=ShowMode.SEND)


async def key_chosen(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Key outcome or not; the review next."""
    manager.dialog_data["key"] = button.widget_id == "key_yes"
    await manager.switch_to(OutcomeForm.review)


def _draft(data: dict[str, Any]) -> OutcomeDraft:
    day = data.get("research_on")
    return OutcomeDraft(
        source=data.get("source") or "meeting",
        title=data.get("title") or "",
        suggestions=tuple(data.get("suggestions") or ()),
        meeting_id=data.get("meeting_id"),
        report_id=data.get("report_id"),
        research_on=parse_day(day) if day else None,
        member_ids=tuple(data.get("members") or ()),
        case_numbers=tuple(data.get("cases") or ()),
        topic=data.get("topic"),
        key=bool(data.get("key")),
    )


async def form_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """What is entered so far."""
    data = dialog_manager.dialog_data
    suggestions = data.get("suggestions") or []
    return {
        "title": data.get("title") or "",
        "count": len(suggestions),
        "any": bool(suggestions),
        # Drawn with Format, so escaped here.
        "listed": "\n".join(
            f"{n}. {escape(shorten(t, 80))}" for n, t in enumerate(suggestions, start=1)
        ),
        "cases": ", ".join(data.get("cases") or []) or "—",
        "topic": data.get("topic") or "—",
        "key": _("yes") if data.get("key") else _("no"),
    }


async def save(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Form the outcome and open its card."""
    desk = desk_of(manager)
    try:
        outcome = await form_outcome(
            desk.session,
            draft=_draft(manager.dialog_data),
            scope=desk.scope,
            actor=desk.actor,
            rules=_rules(manager),
            now=desk.now,
            tz=desk.turn.tz,
        )
    except DomainError as error:
        await callback.answer(error_text(error), show_alert=True)
        return
    await desk.turn.say(_("Outcome {number} is formed.").format(number=outcome.number))
    await manager.start(
        OutcomeDesk.card,
        data={"oid": outcome.id, "year": outcome.year},
        mode=StartMode.RESET_STACK,
        show_mode=ShowMode.SEND,
    )


async def no_topic(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """No long-running topic."""
    manager.dialog_data["topic"] = None
    await manager.switch_to(OutcomeForm.key)


def go_to(state: Any) -> Any:
    """A button's callback that moves the form to ``state``."""

    async def go(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
        await manager.switch_to(state)

    return go
