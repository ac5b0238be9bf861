"""Finding a case from the staff desk: typed words, ``/case …``, and the lists by status.

Staff type a case number, a phone number or words from a description, in the chat outside
any step or after ``/case``; :mod:`services.cases.search` finds the cases within their scope.
One case found by its number opens its card at once; otherwise the case desk dialog shows the
results a page at a time, newest first (its ``found`` window, below), and a press opens the
card the queue opens, its scope checked again. The desk's overview offers the assigned and
the answered cases the same way.
"""

from __future__ import annotations

import logging
from operator import itemgetter
from typing import Any

from aiogram import Router
from aiogram.filters import Command, CommandObject, and_f
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager, StartMode, Window
from aiogram_dialog.widgets.kbd import Button, Column, Row, Select, StubScroll, SwitchTo
from aiogram_dialog.widgets.text import Format, Multi

from handlers.dialogs.context import reader_of
from handlers.dialogs.markup import Label
from handlers.dialogs.paging import page_buttons
from handlers.dialogs.text import T
from handlers.filters import TYPED, MenuLabel
from handlers.staff.case_desk_entry import open_case
from handlers.staff.case_desk_views import age, scope_for, scroll_of
from handlers.staff.context import ActiveStaff
from handlers.staff.desk import Desk, DeskMiddleware
from handlers.states import CaseDesk
from handlers.texts import escape, shorten
from services.cases.labels import status_label
from services.cases.search import (
    QUERY_MAX,
    CaseQuery,
    find_cases,
    read_query,
    status_query,
)
from services.errors import DomainError
from services.reference.catalog import display_name
from storage.enums import IssueStatus

log = logging.getLogger(__name__)
FOUND_PAGES = "found_pages"


def search_error(error: DomainError) -> str:
    """Why a search was not run, in words staff understand."""
    if error.code == "search_too_long":
        return _("Please search with at most {maximum} characters.").format(maximum=QUERY_MAX)
    if error.code == "search_no_words":
        return _("Nothing to search for: type a case number, a phone number or some words.")
    return _(
        "Type a case number (2026-000123 or just 123), a phone number or words from the "
        "description, for example: /case 2026-000123"
    )


async def search(message: Message, text: str, desk: Desk, dialog_manager: DialogManager) -> None:
    """Run a search; one case found by its number opens, more (or words) list the results."""
    try:
        query = read_query(text)
    except DomainError as error:
        await message.answer(search_error(error))
        return
    found = await find_cases(desk.session, scope=desk.scope, query=query)
    if not found.total:
        await message.answer(
            _("No case within your reach matches “{query}”.").format(query=escape(text.strip()))
        )
        return
    if query.by_number and found.total == 1:
        issue_id = found.items[0].issue.id
        assert issue_id is not None
        await open_case(desk, dialog_manager, issue_id)
        return
    await desk.state.clear()
    await dialog_manager.start(
        CaseDesk.found, mode=StartMode.RESET_STACK, data={"query": text.strip()}
    )


async def search_typed(message: Message, desk: Desk, dialog_manager: DialogManager) -> None:
    """Text typed on the desk outside any step is a search."""
    await search(message, message.text or "", desk, dialog_manager)


async def search_command(
    message: Message, command: CommandObject, desk: Desk, dialog_manager: DialogManager
) -> None:
    """``/case 2026-000123``, ``/case 13800138000`` or ``/case words``."""
    await search(message, command.args or "", desk, dialog_manager)


async def status_chosen(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """The overview's 📨 Assigned or 💬 Answered: that status's cases, newest first."""
    manager.dialog_data.pop("query", None)
    manager.dialog_data["status"] = button.widget_id
    await scroll_of(manager, FOUND_PAGES).set_page(0)
    await manager.switch_to(CaseDesk.found)


def _query_of(manager: DialogManager) -> tuple[CaseQuery, str]:
    """The dialog's query and what it shows as its subject."""
    status = str(manager.dialog_data.get("status", ""))
    if status:
        return status_query(status), status_label(status)
    text = str(manager.dialog_data.get("query", ""))
    return read_query(text), text


async def found_getter(dialog_manager: DialogManager, **_data: Any) -> dict[str, Any]:
    """A page of what was found, newest first, within the staff member's scope."""
    reader = reader_of(dialog_manager)
    scope = await scope_for(dialog_manager, reader.session)
    try:
        query, subject = _query_of(dialog_manager)
    except DomainError:
        query, subject = None, ""
    scroll = scroll_of(dialog_manager, FOUND_PAGES)
    cases: list[tuple[str, int]] = []
    total = pages = page = 0
    if query is not None:
        found = await find_cases(
            reader.session, scope=scope, query=query, page=await scroll.get_page()
        )
        total, pages, page = found.total, found.pages, found.page
        if page != await scroll.get_page():
            await scroll.set_page(page)
        for item in found.items:
            assert item.issue.id is not None
            label = " · ".join(
                (
                    item.issue.number,
                    status_label(item.issue.status),
                    age(item.issue.created_at, reader.now),
                    shorten(display_name(item.category, reader.locale), 14),
                )
            )
            cases.append((label, item.issue.id))
    return {
        "query": subject,
        "by_status": query is not None and query.kind == "status",
        "by_words": query is not None and query.kind != "status",
        "total": total,
        "paged": pages > 1,
        "page": page + 1,
        "pages": max(pages, 1),
        "cases": cases,
    }


def status_buttons() -> Row:
    """The overview's lists by status."""
    return Row(
        Button(Label("📨 Assigned"), id=IssueStatus.ASSIGNED, on_click=status_chosen),
        Button(Label("💬 Answered"), id=IssueStatus.ANSWERED, on_click=status_chosen),
    )


def came_from_results(data: dict[str, Any], widget: Any, manager: DialogManager) -> bool:
    """Whether the card was opened from a search or a list by status."""
    return bool(manager.dialog_data.get("query") or manager.dialog_data.get("status"))


def found_window(choices: Select[int]) -> Window:
    """The results: a page of cases, each opening its card through ``choices``."""
    return Window(
        Multi(
            T("<b>Cases matching “{query}”</b>: {total}, newest first.", when="by_words"),
            T("<b>{query}</b>: {total} cases, newest first.", when="by_status"),
            T("Page {page} of {pages}.", when="paged"),
            sep=" ",
        ),
        T("Tap a case to open it."),
        Column(choices),
        StubScroll(id=FOUND_PAGES, pages="pages"),
        page_buttons(
            FOUND_PAGES,
            back=(f"{FOUND_PAGES}_prev", "◀"),
            forward=(f"{FOUND_PAGES}_next", "▶"),
        ),
        SwitchTo(Label("◀ Case queue"), id="queue", state=CaseDesk.overview),
        getter=found_getter,
        state=CaseDesk.found,
    )


def result_choices(on_click: Any, type_factory: Any) -> Select[int]:
    """The results' buttons: a press carries the case id back to ``on_click``."""
    return Select(
        Format("{item[0]}"),
        id="found",
        item_id_getter=itemgetter(1),
        items="cases",
        type_factory=type_factory,
        on_click=on_click,
    )


def command() -> Router:
    """``/case``, among the staff's commands (before the guard for unknown commands)."""
    router = Router(name="staff-case-search-command")
    router.message.register(search_command, Command("case"))
    return router


def typed() -> Router:
    """Typed text on the staff desk, last before the fallback: every step had its turn."""
    router = Router(name="staff-case-search-typed")
    router.message.filter(ActiveStaff())
    router.message.middleware(DeskMiddleware())
    router.message.register(search_typed, and_f(TYPED, ~MenuLabel()))
    return router
