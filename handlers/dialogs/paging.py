"""Lists read a page at a time: the choices on a page, and the buttons that turn it.

A list's getter reads one page from a service (never every row) and gives ``items`` as
(id, label) pairs and ``pages``; a ``StubScroll`` keeps the page number in the dialog, so no
page number travels in a button.
"""

from __future__ import annotations

from operator import itemgetter
from typing import Any

from aiogram_dialog import DialogManager
from aiogram_dialog.widgets.kbd import Column, NextPage, PrevPage, Row, Select
from aiogram_dialog.widgets.kbd.select import OnItemClick
from aiogram_dialog.widgets.text import Format

from handlers.dialogs.markup import Label


def choices(select_id: str, on_click: OnItemClick[Any, Any]) -> Column:
    """One button a row for each of the page's ``items``."""
    return Column(
        Select(
            Format("{item[1]}"),
            id=select_id,
            item_id_getter=itemgetter(0),
            items="items",
            on_click=on_click,
        )
    )


def page_buttons(scroll: str, *, back: tuple[str, str], forward: tuple[str, str]) -> Row:
    """Back and forward buttons for ``scroll``, each given as (widget id, label).

    Each is shown only where there is a page to go to.
    """
    return Row(
        PrevPage(scroll, id=back[0], text=Label(back[1]), when=_has_back),
        NextPage(scroll, id=forward[0], text=Label(forward[1]), when=_has_forward),
    )


def _has_back(data: dict[str, Any], widget: Any, manager: DialogManager) -> bool:
    return int(data["current_page"]) > 0


def _has_forward(data: dict[str, Any], widget: Any, manager: DialogManager) -> bool:
    return int(data["current_page"]) + 1 < int(data["pages"])
