"""What the staff entry form's windows show: the choices and the review."""

from __future__ import annotations

from typing import Any

from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager
from sqlalchemy import select
from sqlmodel import col

from handlers.dialogs.context import reader_of
from handlers.texts import escape
from services.assessment.config import AssessmentRules, Item
from services.assessment.entries import assessment_of, entry_items
from services.assessment.entry_errors import level_name
from services.members.rules import RuleBook
from services.reference.catalog import display_name
from storage.models import Sector


def section_of(manager: DialogManager) -> AssessmentRules:
    """This year's assessment rules."""
    rulebook: RuleBook = manager.middleware_data["rulebook"]
    return assessment_of(rulebook, reader_of(manager).today.year)


def items_of(manager: DialogManager) -> list[Item]:
    """The staff-entered items for the chosen subject's kind."""
    return entry_items(section_of(manager), manager.dialog_data.get("kind"))


# --- getters ---------------------------------------------------------------------------------


async def step_data(dialog_manager: DialogManager, **_data: Any) -> dict[str, Any]:
    """The typed steps' example date: today."""
    return {"example": reader_of(dialog_manager).today.isoformat()}


async def matches(dialog_manager: DialogManager, **_data: Any) -> dict[str, Any]:
    """The members the typed text matched."""
    return {"matches": dialog_manager.dialog_data.get("matches", [])}


async def sectors(dialog_manager: DialogManager, **_data: Any) -> dict[str, Any]:
    """Every sector, named in the reader's language."""
    reader = reader_of(dialog_manager)
    rows = (await reader.session.execute(select(Sector).order_by(col(Sector.sort_order)))).scalars()
    return {"sectors": [(str(s.id), display_name(s, reader.locale)) for s in rows]}


async def items(dialog_manager: DialogManager, **_data: Any) -> dict[str, Any]:
    """The staff-entered items of the subject's kind, named in the reader's language."""
    locale = reader_of(dialog_manager).locale
    found = items_of(dialog_manager)
    return {"items": [(i.code, f"{i.code} {i.name(locale)}") for i in found]}


async def levels(dialog_manager: DialogManager, **_data: Any) -> dict[str, Any]:
    """The chosen item's levels with their points."""
    item = section_of(dialog_manager).item(dialog_manager.dialog_data.get("item", ""))
    shown = item.levels if item else {}
    return {"levels": [(name, f"{level_name(name)} · {points}") for name, points in shown.items()]}


async def summary(dialog_manager: DialogManager, **_data: Any) -> dict[str, Any]:
    """The draft as it will be saved (every part escaped)."""
    data = dialog_manager.dialog_data
    lines = [
        _("<b>Check the entry</b>"),
        _("For: {who}").format(who=escape(data["who"])),
        _("Item: {item}").format(item=escape(data["item_name"])),
    ]
    if data.get("level"):
        lines.append(_("Level: {level}").format(level=escape(level_name(data["level"]))))
    lines += [
        _("Date: {date}").format(date=data["date"]),
        _("Title: {title}").format(title=escape(data["title"])),
    ]
    if data.get("evidence"):
        lines.append(_("Evidence: {text}").format(text=escape(data["evidence"])))
    if data.get("file_key"):
        lines.append(_("Evidence file: attached"))
    return {"summary": "\n".join(lines)}
