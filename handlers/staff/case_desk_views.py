"""What the staff case desk's windows show: the queue, a case's card, the pickers, the reply.

Getters read through the services within the staff member's scope, every time a window is
drawn: a card drawn again after a stale press (outside the staff router) reads the same way.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager
from aiogram_dialog.widgets.common import ManagedScroll
from markupsafe import Markup
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.cases import render_case
from handlers.dialogs.context import reader_of
from handlers.texts import shorten
from services.accounts.departments import list_departments
from services.accounts.scope import StaffScope, scope_of
from services.cases.assignee import pending_extension
from services.cases.canned import list_canned, title_for
from services.cases.residents import IssueDetail, get_issue
from services.cases.triage import queue_by_station, queue_page
from services.members.conditions_reports import count_reports
from services.members.profiles import assignable_members
from services.reference.catalog import display_name, get_station
from storage.enums import IssueStatus
from storage.models import Issue, Staff

PAGE = 8  # members or departments a page of the assignee picker
DUE_CHOICES = (3, 7, 14, 30)
OPEN = (IssueStatus.NEW, IssueStatus.ACCEPTED, IssueStatus.ASSIGNED, IssueStatus.REOPENED)
# The engine's own page widgets: where the queue and the pickers keep their page.
QUEUE_PAGES = "queue_pages"
MEMBER_PAGES = "member_pages"
DEPARTMENT_PAGES = "department_pages"


def age(created: dt.datetime, now: dt.datetime) -> str:
    """How long a case has waited: ``3 h`` or ``2 d``."""
    hours = int((now - created).total_seconds() // 3600)
    if hours < 48:
        return _("{hours} h").format(hours=max(hours, 0))
    return _("{days} d").format(days=hours // 24)


async def scope_for(manager: DialogManager, session: AsyncSession) -> StaffScope:
    """The scope of the staff member the window is drawn for, read afresh."""
    staff: Staff = manager.middleware_data["staff"]
    return await scope_of(session, staff)


def case_id(manager: DialogManager) -> int:
    """The case the dialog is about (0 before one is chosen)."""
    return int(manager.dialog_data.get("case", 0))


async def case_in_scope(
    manager: DialogManager, session: AsyncSession, scope: StaffScope
) -> IssueDetail | None:
    """The dialog's case if the staff member may still see it."""
    return await get_issue(session, issue_id=case_id(manager), condition=scope.issues_clause())


def scroll_of(manager: DialogManager, scroll_id: str) -> ManagedScroll:
    """The page widget ``scroll_id`` of the window being handled."""
    scroll = manager.find(scroll_id)
    assert isinstance(scroll, ManagedScroll)
    return scroll


async def _page_of(manager: DialogManager, scroll_id: str, pages: int) -> int:
    """The page a pager shows, kept within ``pages`` (the list may have shrunk)."""
    scroll = scroll_of(manager, scroll_id)
    page = min(max(await scroll.get_page(), 0), max(pages - 1, 0))
    if page != await scroll.get_page():
        await scroll.set_page(page)
    return page


async def overview_getter(dialog_manager: DialogManager, **_data: Any) -> dict[str, Any]:
    """How many cases wait, at which stations, and the members' reports waiting."""
    reader = reader_of(dialog_manager)
    scope = await scope_for(dialog_manager, reader.session)
    stations = await queue_by_station(reader.session, scope=scope)
    total = sum(count for _station, count in stations)
    reports = await count_reports(reader.session, scope=scope)
    items: list[tuple[str, int]] = []
    if total:
        items.append((_("All stations ({count})").format(count=total), 0))
    for station, count in stations:
        assert station.id is not None
        name = shorten(display_name(station, reader.locale), 24)
        label = _("{name} ({count})").format(name=name, count=count)
        items.append((label, station.id))
    return {
        "total": total,
        "waiting": total > 0,
        "stations": items,
        "has_reports": reports > 0,
        "count": reports,
    }


async def queue_getter(dialog_manager: DialogManager, **_data: Any) -> dict[str, Any]:
    """A page of the waiting cases of one station (or of all), oldest first."""
    reader = reader_of(dialog_manager)
    scope = await scope_for(dialog_manager, reader.session)
    station_id = int(dialog_manager.dialog_data.get("station", 0)) or None
    scroll = scroll_of(dialog_manager, QUEUE_PAGES)
    page = await queue_page(
        reader.session, scope=scope, station_id=station_id, page=await scroll.get_page()
    )
    await _page_of(dialog_manager, QUEUE_PAGES, page.pages)
    where = _("all stations")
    if station_id is not None:
        station = await get_station(reader.session, station_id)
        if station is not None:
            where = display_name(station, reader.locale)
    cases = []
    for item in page.items:
        label = " · ".join(
            (
                item.issue.number,
                age(item.issue.created_at, reader.now),
                shorten(display_name(item.category, reader.locale), 14),
            )
        )
        cases.append((label, item.issue.id))
    return {
        "where": where,
        "total": page.total,
        "paged": page.pages > 1,
        "page": page.page + 1,
        "pages": page.pages,
        "cases": cases,
    }


async def case_getter(dialog_manager: DialogManager, **_data: Any) -> dict[str, Any]:
    """The case card, and which actions its status allows."""
    reader = reader_of(dialog_manager)
    scope = await scope_for(dialog_manager, reader.session)
    detail = await case_in_scope(dialog_manager, reader.session, scope)
    if detail is None:
        return {"card": _("This case is not available."), "found": False}
    issue = detail.issue
    # What this card shows; a press on it after the case moved on is refused.
    dialog_manager.dialog_data["drawn"] = case_version(issue)
    extension = await pending_extension(reader.session, issue_id=case_id(dialog_manager))
    # Built from our msgids and escaped values, so it is markup as it stands.
    template = dialog_manager.middleware_data["settings"].map_url_template
    card = Markup(  # noqa: S704
        render_case(detail, reader.locale, reader.tz, extension=extension, map_template=template)
    )
    return {
        "card": card,
        "found": True,
        "number": issue.number,
        "may_accept": issue.status in (IssueStatus.NEW, IssueStatus.REOPENED),
        "may_assign": issue.status in OPEN,
        "assigned": issue.status == IssueStatus.ASSIGNED,
        "may_reply": issue.status in (*OPEN, IssueStatus.ANSWERED),
        "open": issue.status in OPEN,
        "may_resolve": issue.answered_at is not None
        and issue.status in (*OPEN, IssueStatus.ANSWERED),
        "photos": bool(detail.photos),
        "mapped": issue.latitude is not None and issue.longitude is not None,
        "extension": extension is not None,
        "days": extension.days if extension is not None else 0,
    }


def case_version(issue: Issue) -> str:
    """The case as a card draws it: its status and its last change."""
    return f"{issue.status}|{issue.updated_at.isoformat()}"


async def confirm_getter(dialog_manager: DialogManager, **data: Any) -> dict[str, Any]:
    """The case's number and the case typed as the one it duplicates."""
    return {
        **await number_getter(dialog_manager, **data),
        "original": dialog_manager.dialog_data.get("original", ""),
    }


async def number_getter(dialog_manager: DialogManager, **_data: Any) -> dict[str, Any]:
    """The case's number, for the questions asked about it."""
    reader = reader_of(dialog_manager)
    scope = await scope_for(dialog_manager, reader.session)
    detail = await case_in_scope(dialog_manager, reader.session, scope)
    return {"number": detail.issue.number if detail is not None else ""}


async def members_getter(dialog_manager: DialogManager, **_data: Any) -> dict[str, Any]:
    """Members serving at the case's station, a page of them, or those matching a search."""
    reader = reader_of(dialog_manager)
    scope = await scope_for(dialog_manager, reader.session)
    detail = await case_in_scope(dialog_manager, reader.session, scope)
    search = dialog_manager.dialog_data.get("search") or None
    scroll = scroll_of(dialog_manager, MEMBER_PAGES)
    page = 0 if search else await scroll.get_page()
    members, total = await assignable_members(
        reader.session,
        station_id=None if search or detail is None else detail.issue.station_id,
        search=search,
        page=page,
        page_size=PAGE,
    )
    pages = max(1, math.ceil(total / PAGE))
    return {
        "search": search or "",
        "searched": search is not None,
        "listed": search is None and total > 0,
        "nobody": search is None and total == 0,
        "total": total,
        "pages": 1 if search else pages,
        "members": [(f"{member.name} · {member.code}", member.id) for member in members],
    }


async def departments_getter(dialog_manager: DialogManager, **_data: Any) -> dict[str, Any]:
    """A page of the departments that take cases."""
    reader = reader_of(dialog_manager)
    departments = list(await list_departments(reader.session))
    pages = max(1, math.ceil(len(departments) / PAGE))
    page = await _page_of(dialog_manager, DEPARTMENT_PAGES, pages)
    shown = departments[page * PAGE : (page + 1) * PAGE]
    return {
        "any": bool(departments),
        "pages": pages,
        "departments": [
            (shorten(display_name(department, reader.locale), 40), department.id)
            for department in shown
        ],
    }


async def due_getter(dialog_manager: DialogManager, **_data: Any) -> dict[str, Any]:
    """The category's time for an answer, or another."""
    reader = reader_of(dialog_manager)
    scope = await scope_for(dialog_manager, reader.session)
    detail = await case_in_scope(dialog_manager, reader.session, scope)
    default = detail.category.due_days if detail is not None else 0
    choices = [(_("Default: {days} days").format(days=default), -1)]
    choices += [
        (_("{days} days").format(days=days), days) for days in DUE_CHOICES if days != default
    ]
    return {"days": default, "choices": choices}


async def reply_getter(dialog_manager: DialogManager, **_data: Any) -> dict[str, Any]:
    """The case's number, the ready answers, and whether the answer is being rewritten."""
    reader = reader_of(dialog_manager)
    number = await number_getter(dialog_manager)
    replies = [
        (title_for(reply, reader.locale), reply.id) for reply in await list_canned(reader.session)
    ]
    return {
        **number,
        "canned": replies,
        "has_canned": bool(replies),
        "rewriting": bool(dialog_manager.dialog_data.get("rewriting")),
    }


async def preview_getter(dialog_manager: DialogManager, **_data: Any) -> dict[str, Any]:
    """The answer being written, as the resident will read it."""
    return {"text": dialog_manager.dialog_data.get("reply", "")}
