"""What the year's steps' windows show: the year's state, the steps it allows, the pools.

Every getter checks the reader is an administrator (read afresh) and remembers, as
``drawn``, the year's token the card shows; a press compares it with the year as it is then.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiogram_dialog import DialogManager
from aiogram_dialog.widgets.common import ManagedScroll

from handlers.staff.record_view import admin_reader
from handlers.staff.year_steps_views import (
    YearState,
    committees,
    member_labels,
    recommended_first,
    sector_labels,
    state_text,
    year_state,
)
from services.assessment.standings import CLOSED, OPEN

PER_PAGE = 10
# Which state each step starts from (a button the card did not offer is refused).
ALLOWED: dict[str, Callable[[YearState], bool]] = {
    "close": lambda y: y.state == OPEN,
    "recommend": lambda y: y.state == CLOSED,
    "decide": lambda y: y.state == CLOSED,
    "publish": lambda y: y.state == CLOSED and y.decided,
    "reopen": lambda y: y.state == CLOSED,
}


def steps_year(manager: DialogManager) -> int:
    """The year the steps act on: the standings' year, or the year before it (``year_before``)."""
    start = manager.start_data
    assert isinstance(start, dict)
    return int(manager.dialog_data.get("year") or start["year"])


def pool_scroll(manager: DialogManager) -> ManagedScroll:
    """The page of the pool shown (kept in the dialog, never in a button)."""
    scroll = manager.find("pool_pages")
    assert isinstance(scroll, ManagedScroll)
    return scroll


def ticked_ids(manager: DialogManager, key: str) -> set[int]:
    """The ids ticked so far under ``key`` (checked against the pool when ticked)."""
    return set(manager.dialog_data.get(key) or [])


async def state_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """The year's state, and which steps it allows; the card remembers what it showed."""
    reader = await admin_reader(dialog_manager)
    year = await year_state(reader.session, steps_year(dialog_manager))
    dialog_manager.dialog_data["drawn"] = year.token
    allowed = {f"can_{step}": rule(year) for step, rule in ALLOWED.items()}
    this_year = reader.today.year
    return {
        "text": state_text(year),
        "year": year.year,
        "before": this_year - 1 if year.year == this_year else None,
        "this_year": this_year if year.year == this_year - 1 else None,
        **allowed,
    }


async def committees_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """The special committees to choose from."""
    base = await state_getter(dialog_manager)
    reader = await admin_reader(dialog_manager)
    items = await committees(reader.session, reader.locale)
    return {**base, "items": items, "none": not items}


async def _pool_page(manager: DialogManager, count: int) -> tuple[int, int]:
    pages = max(1, -(-count // PER_PAGE))
    scroll = pool_scroll(manager)
    page = min(await scroll.get_page(), pages - 1)
    return page, pages


async def recommend_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """One page of the members' pool, the committee's ticks on it."""
    base = await state_getter(dialog_manager)
    reader = await admin_reader(dialog_manager)
    year = await year_state(reader.session, steps_year(dialog_manager))
    page, pages = await _pool_page(dialog_manager, len(year.members))
    rows = year.members[page * PER_PAGE : (page + 1) * PER_PAGE]
    ticked = ticked_ids(dialog_manager, "ticked")
    return {
        **base,
        "items": await member_labels(reader.session, rows, ticked),
        "count": len(ticked),
        "page": page + 1,
        "pages": pages,
        "current_page": page,
    }


async def decide_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """One page of the members' pool (recommended first, ⭐), and the sectors' pool."""
    page_data = await recommend_getter(dialog_manager)
    reader = await admin_reader(dialog_manager)
    year = await year_state(reader.session, steps_year(dialog_manager))
    members = recommended_first(year.members)
    page = page_data["current_page"]
    rows = members[page * PER_PAGE : (page + 1) * PER_PAGE]
    chosen = ticked_ids(dialog_manager, "members")
    sectors = ticked_ids(dialog_manager, "sectors")
    return {
        **page_data,
        "items": await member_labels(reader.session, rows, chosen),
        "sector_items": await sector_labels(reader.session, year.sectors, sectors, reader.locale),
        "members": len(chosen),
        "sectors": len(sectors),
    }
