"""``/quality [year]``: the year's quality evaluation (质效评估) table of departments, paged.

For the committee office's administrators; station staff are told it is not theirs.
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager, ShowMode, StartMode, Window
from aiogram_dialog.widgets.kbd import Button, Row
from aiogram_dialog.widgets.text import Format

from handlers.dialogs.text import T
from handlers.staff.context import ActiveStaff
from handlers.staff.desk import Desk, DeskMiddleware, desk_of
from handlers.texts import escape
from services.pipeline.quality import department_table

log = logging.getLogger(__name__)
PAGE = 10


class QualityTable(StatesGroup):
    """One page of the table."""

    page = State()


async def quality_command(
    message: Message, command: CommandObject, desk: Desk, dialog_manager: DialogManager
) -> None:
    """/quality, /quality 2026."""
    if not desk.scope.admin:
        log.info("chat %s: quality table refused to station staff", desk.turn.chat_id)
        await desk.turn.say(_("The quality table is for the committee office's administrators."))
        return
    argument = (command.args or "").strip()
    if argument and not (argument.isdigit() and 2000 <= int(argument) <= 2100):
        await desk.turn.say(
            _("Please give a year, like /quality {year}.").format(year=desk.today.year)
        )
        return
    year = int(argument) if argument else desk.today.year
    await dialog_manager.start(
        QualityTable.page,
        mode=StartMode.RESET_STACK,
        show_mode=ShowMode.SEND,
        data={"year": year},
    )


async def page_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """One page of departments, best score first."""
    desk = desk_of(dialog_manager)
    start = dialog_manager.start_data
    assert isinstance(start, dict)
    rows = await department_table(desk.session, year=int(start["year"]))
    pages = max(1, -(-len(rows) // PAGE))
    page = min(int(dialog_manager.dialog_data.get("page", 0)), pages - 1)
    lines = [
        _(
            "{rank}. {name}: {score} points · {ratings} ratings (satisfied {satisfied}, "
            "basic {basic}, not satisfied {unsatisfied})"
        ).format(
            rank=index + 1,
            name=escape(row.name_en if desk.turn.locale == "en" else row.name_zh),
            score=row.score,
            ratings=row.ratings,
            satisfied=row.satisfied,
            basic=row.basic,
            unsatisfied=row.unsatisfied,
        )
        for index, row in enumerate(rows[page * PAGE : (page + 1) * PAGE], start=page * PAGE)
    ]
    if not rows:
        lines = [_("No department has been rated this year yet.")]
    return {
        "year": start["year"],
        "body": "\n".join(lines),
        "page": page + 1,
        "pages": pages,
        "has_previous": page > 0,
        "has_next": page + 1 < pages,
    }


async def turn_page(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """The previous or the next page."""
    step = -1 if button.widget_id == "previous" else 1
    manager.dialog_data["page"] = max(0, int(manager.dialog_data.get("page", 0)) + step)


async def close(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Leave the table."""
    await manager.done()


def quality_dialog() -> Dialog:
    """A fresh table dialog, for one Dispatcher."""
    return Dialog(
        Window(
            T("🏅 Quality evaluation {year}: departments, best first (page {page} of {pages})"),
            Format("{body}"),
            Row(
                Button(T("◀ Previous"), id="previous", on_click=turn_page, when="has_previous"),
                Button(T("Next ▶"), id="next", on_click=turn_page, when="has_next"),
            ),
            Button(T("✖ Close"), id="close", on_click=close),
            getter=page_getter,
            state=QualityTable.page,
        )
    )


def setup() -> Router:
    """/quality and its dialog, behind the staff desk's filter and middleware."""
    router = Router(name="staff-quality-table")
    for observer in (router.message, router.callback_query):
        observer.filter(ActiveStaff())
        observer.middleware(DeskMiddleware())
    router.message.register(quality_command, Command("quality"))
    router.include_router(quality_dialog())
    return router
