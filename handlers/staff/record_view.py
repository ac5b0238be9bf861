"""/record CODE: an administrator reads a member's record as the member does, read-only.

The same year card, items and lines as the member's 📁 My record, without the correction
buttons (the office decides corrections in /corrections). The member is named once, by the
command, and kept in the dialog's start data: buttons carry only an item code, checked against
that member's own lines on every press, so a forged code shows nothing.
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram.filters import CommandObject
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager, ShowMode, StartMode, Window
from aiogram_dialog.widgets.common import ManagedScroll
from aiogram_dialog.widgets.kbd import Button, Select, StubScroll, SwitchTo
from aiogram_dialog.widgets.text import Format

from handlers.archive_links import send_printable
from handlers.dialogs.context import Reader, reader_of
from handlers.dialogs.guard import Refused, guard
from handlers.dialogs.paging import choices, page_buttons
from handlers.dialogs.text import T
from handlers.member.record_views import item_name, line_label, year_card
from handlers.staff.desk import Desk, desk_of
from handlers.staff.reports import members_refusal
from handlers.states import StaffRecord
from handlers.texts import escape
from services.accounts.scope import scope_of
from services.assessment.line_sources import line_sources
from services.assessment.ranking import points_text
from services.assessment.scores import member_lines
from services.members.profiles import find_members
from services.members.rules import RuleBook
from services.translation import N_
from storage.models import Member, Staff

log = logging.getLogger(__name__)
LINES_PER_PAGE = 10


async def record_command(
    message: Message, command: CommandObject, desk: Desk, dialog_manager: DialogManager
) -> None:
    """/record CODE: a member's record as the member sees it; administrators only."""
    if not desk.scope.admin:
        await message.answer(members_refusal())
        return
    query = (command.args or "").strip()
    found = [m for m in await find_members(desk.session, query) if m.code == query] if query else []
    if len(found) != 1 or found[0].id is None:
        await message.answer(_("Send /record with a member's code, like /record M001."))
        return
    await dialog_manager.start(
        StaffRecord.year,
        data={"member": found[0].id},
        mode=StartMode.RESET_STACK,
        show_mode=ShowMode.SEND,
    )


async def admin_reader(manager: DialogManager) -> Reader:
    """The window's reader, who must be an administrator (their scope read afresh).

    Read from the update's data, not the desk: a window is drawn again after a stale press,
    outside the staff router and its desk middleware.
    """
    reader = reader_of(manager)
    staff: Staff = manager.middleware_data["staff"]
    if not (await scope_of(reader.session, staff)).admin:
        raise Refused(members_refusal(), alert=True)
    return reader


async def _member(manager: DialogManager) -> Member:
    """The member the command named (kept in the start data, never read from a button)."""
    start = manager.start_data
    member_id = int(start["member"]) if isinstance(start, dict) else 0
    member = await reader_of(manager).session.get(Member, member_id)
    assert member is not None
    assert member.id is not None
    return member


async def year_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """The member's year card and items."""
    reader = await admin_reader(dialog_manager)
    rules = dialog_manager.middleware_data["rulebook"].for_year(reader.today.year)
    member = await _member(dialog_manager)
    assert member.id is not None
    card, score = await year_card(
        reader.session,
        member_id=member.id,
        name=member.name,
        rules=rules,
        today=reader.today,
        locale=reader.locale,
        tz=reader.tz,
    )
    items = [
        (
            item.code,
            f"{item_name(rules, item.code, reader.locale)} · {points_text(item.points_c)}",
        )
        for item in (score.items if score else ())
    ]
    return {"card": card, "items": items, "has_items": bool(items), "assessed": score is not None}


def _scroll(manager: DialogManager) -> ManagedScroll:
    scroll = manager.find("line_pages")
    assert isinstance(scroll, ManagedScroll)
    return scroll


async def lines_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """A page of the chosen item's lines, as text (nothing to press: staff only read them)."""
    reader = await admin_reader(dialog_manager)
    rulebook: RuleBook = dialog_manager.middleware_data["rulebook"]
    rules = rulebook.for_year(reader.today.year)
    member = await _member(dialog_manager)
    code = str(dialog_manager.dialog_data.get("item", ""))
    lines = await member_lines(
        reader.session, member_id=member.id or 0, year=reader.today.year, item_code=code
    )
    sources = await line_sources(reader.session, [(x.source_kind, x.source_id) for x in lines])
    pages = max(1, -(-len(lines) // LINES_PER_PAGE))
    scroll = _scroll(dialog_manager)
    page = min(await scroll.get_page(), pages - 1)
    shown = lines[page * LINES_PER_PAGE : (page + 1) * LINES_PER_PAGE]
    labels = [
        escape(
            line_label(x, sources[(x.source_kind, x.source_id)], rules, reader.locale, reader.tz)
        )
        for x in shown
    ]
    return {
        "item": item_name(rules, code, reader.locale),
        "name": member.name,
        "text": "\n".join(labels),
        "page": page + 1,
        "pages": pages,
        "paged": pages > 1,
        "current_page": page,
    }


async def item_chosen(
    callback: CallbackQuery, widget: Select[str], manager: DialogManager, code: str
) -> None:
    """An item with lines of this member this year; any other code is refused."""
    desk = desk_of(manager)
    member = await _member(manager)
    lines = await member_lines(
        desk.session, member_id=member.id or 0, year=desk.today.year, item_code=code
    )
    if not lines:
        log.warning("chat %s asked for item %r of a record", callback.from_user.id, code)
        await callback.answer(_("This button is not valid."), show_alert=True)
        return
    manager.dialog_data["item"] = code
    await _scroll(manager).set_page(0)
    await manager.switch_to(StaffRecord.lines)


async def print_pressed(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """🖨 The link to the printable record of the member the command named."""
    desk = desk_of(manager)
    member = await _member(manager)
    await send_printable(
        callback, manager.middleware_data, desk.turn, member_id=member.id or 0, year=desk.today.year
    )
    manager.show_mode = ShowMode.NO_UPDATE


def staff_record_dialog() -> Dialog:
    """A fresh read-only record dialog (one per Dispatcher)."""
    return guard(
        Dialog(
            Window(
                Format("{card}"),
                SwitchTo(
                    T("📋 Items and lines"), id="items", state=StaffRecord.items, when="has_items"
                ),
                Button(
                    T("🖨 Printable record"), id="print", on_click=print_pressed, when="assessed"
                ),
                getter=year_getter,
                state=StaffRecord.year,
            ),
            Window(
                T("<b>Items</b>: choose one to see its lines."),
                choices("item", item_chosen),
                SwitchTo(T("◀ Back"), id="to_year", state=StaffRecord.year),
                getter=year_getter,
                state=StaffRecord.items,
            ),
            Window(
                T("<b>{item}</b> · {name}"),
                Format("{text}"),
                T("Page {page} of {pages}.", when="paged"),
                StubScroll(id="line_pages", pages="pages"),
                page_buttons(
                    "line_pages", back=("prev", N_("◀ Back")), forward=("next", N_("More ▶"))
                ),
                SwitchTo(T("◀ Back to items"), id="to_items", state=StaffRecord.items),
                getter=lines_getter,
                state=StaffRecord.lines,
            ),
        )
    )
