"""/lists: the problem, outcome and satisfaction lists for administrators, and the review report.

The card sums up the chosen period (this year, or the last quarter): each list's size and
first rows, adoption by source and the busiest departments. Adoption by department pages
through every department; the workbook and the quarterly review report (会商) come as
documents. Station staff never see proposals or outcomes: the command refuses them, and
every press reads the staff member's scope again (an administrator demoted meanwhile is
refused). No button carries an id: the period lives in the dialog.
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager, ShowMode, StartMode, Window
from aiogram_dialog.widgets.common import ManagedScroll
from aiogram_dialog.widgets.kbd import Button, Cancel, Row, StubScroll, SwitchTo
from aiogram_dialog.widgets.text import Format

from handlers.dialogs.context import Reader, reader_of
from handlers.dialogs.guard import Refused, guard
from handlers.dialogs.paging import page_buttons
from handlers.dialogs.text import T
from handlers.staff.desk import Desk
from handlers.texts import escape
from services.accounts.scope import scope_of
from services.calendar import Quarter
from services.members.rules import RuleBook
from services.pipeline.list_counts import PipelineLists, adoption_by_department, pipeline_lists
from services.pipeline.review_report import review_report
from services.reports.cases import Period, named_period
from services.reports.pipeline_summary import department_lines, lists_summary, review_summary
from services.reports.pipeline_workbook import lists_workbook, review_workbook
from services.reports.wording import period_slug
from services.translation import N_
from storage.models import Staff

log = logging.getLogger(__name__)
DEPARTMENTS_PER_PAGE = 10
PERIODS = ("year", "last-quarter")


class PipelineListsDialog(StatesGroup):
    """The lists' summary and adoption by department, a page at a time."""

    summary = State()
    departments = State()


def lists_refusal() -> str:
    """Why station staff do not read the lists."""
    return _("The lists of proposals and outcomes are for the committee office's administrators.")


async def open_lists(message: Message, desk: Desk, dialog_manager: DialogManager) -> None:
    """/lists, for administrators only."""
    if not desk.scope.admin:
        log.info("chat %s: /lists refused to station staff", desk.turn.chat_id)
        await desk.turn.say(lists_refusal())
        return
    await dialog_manager.start(
        PipelineListsDialog.summary, mode=StartMode.RESET_STACK, show_mode=ShowMode.SEND
    )


async def _admin(manager: DialogManager) -> Reader:
    """The reader, who must still be an administrator."""
    reader = reader_of(manager)
    staff: Staff | None = manager.middleware_data.get("staff")
    if staff is None or not (await scope_of(reader.session, staff)).admin:
        raise Refused(lists_refusal(), alert=True)
    return reader


def _period(manager: DialogManager, reader: Reader) -> Period:
    chosen = manager.dialog_data.get("period")
    return named_period(chosen if chosen in PERIODS else "year", reader.today)


async def _lists(manager: DialogManager, reader: Reader) -> PipelineLists:
    return await pipeline_lists(reader.session, period=_period(manager, reader), tz=reader.tz)


async def summary_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """The chosen period's lists in short."""
    reader = await _admin(dialog_manager)
    summary = lists_summary(await _lists(dialog_manager, reader), reader.locale)
    first, _newline, rest = summary.partition("\n")
    chosen = dialog_manager.dialog_data.get("period", "year")
    return {
        "summary": f"<b>{escape(first)}</b>\n{escape(rest)}",
        "on_year": chosen != "last-quarter",
        "on_quarter": chosen == "last-quarter",
    }


async def departments_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """One page of adoption by department, most answers first."""
    reader = await _admin(dialog_manager)
    period = _period(dialog_manager, reader)
    counts = await adoption_by_department(reader.session, period=period, tz=reader.tz)
    pages = max(1, -(-len(counts) // DEPARTMENTS_PER_PAGE))
    scroll = dialog_manager.find("dep_pages")
    assert isinstance(scroll, ManagedScroll)
    page = min(await scroll.get_page(), pages - 1)
    shown = counts[page * DEPARTMENTS_PER_PAGE : (page + 1) * DEPARTMENTS_PER_PAGE]
    lines = department_lines(shown, reader.locale)
    return {
        "text": escape("\n".join(lines)) if lines else _("No department answered in this period."),
        "page": page + 1,
        "pages": pages,
        "current_page": page,
    }


async def choose_period(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """This year or the last quarter."""
    await _admin(manager)
    manager.dialog_data["period"] = "last-quarter" if button.widget_id == "quarter" else "year"
    scroll = manager.find("dep_pages")
    if isinstance(scroll, ManagedScroll):
        await scroll.set_page(0)


async def _send(manager: DialogManager, name: str, data: bytes, caption: str) -> None:
    bot: Bot = manager.middleware_data["bot"]
    chat_id = manager.middleware_data["event_chat"].id
    await bot.send_document(
        chat_id, BufferedInputFile(data, filename=f"{name}.xlsx"), caption=caption
    )
    manager.show_mode = ShowMode.NO_UPDATE


async def export_lists(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """The period's three lists and counts as one workbook."""
    reader = await _admin(manager)
    await callback.answer()
    lists = await _lists(manager, reader)
    book = lists_workbook(lists, locale=reader.locale, tz=reader.tz)
    caption = escape(lists_summary(lists, reader.locale).partition("\n")[0])
    await _send(manager, f"lists-{period_slug(lists.period)}", book, caption)


async def export_review(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """The review report of the last quarter, or of this one while the year is shown."""
    reader = await _admin(manager)
    await callback.answer()
    quarter = Quarter.of(_period(manager, reader).last_day)
    if quarter.start > reader.today:
        quarter = Quarter.of(reader.today)
    rulebook: RuleBook = manager.middleware_data["rulebook"]
    report = await review_report(
        reader.session,
        quarter=quarter,
        now=reader.now,
        tz=reader.tz,
        rules=rulebook.for_year(quarter.year).pipeline,
    )
    book = review_workbook(report, locale=reader.locale, tz=reader.tz)
    summary = review_summary(report, reader.locale)
    await _send(manager, f"review-{quarter.year}-Q{quarter.number}", book, escape(summary))


def lists_dialog() -> Dialog:
    """A fresh lists dialog (one per Dispatcher)."""
    pages = ("prev", N_("◀ Back")), ("next", N_("More ▶"))
    return guard(
        Dialog(
            Window(
                Format("{summary}"),
                Row(
                    Button(T("This year"), id="year", on_click=choose_period, when="on_quarter"),
                    Button(T("Last quarter"), id="quarter", on_click=choose_period, when="on_year"),
                ),
                SwitchTo(
                    T("🏢 Adoption by department"),
                    id="departments",
                    state=PipelineListsDialog.departments,
                ),
                Button(T("📥 Export workbook"), id="export", on_click=export_lists),
                Button(T("📋 Quarterly review report"), id="review", on_click=export_review),
                Cancel(T("✖ Close")),
                getter=summary_getter,
                state=PipelineListsDialog.summary,
            ),
            Window(
                T("<b>Adoption by department</b> (page {page} of {pages}):"),
                Format("{text}"),
                StubScroll(id="dep_pages", pages="pages"),
                page_buttons("dep_pages", back=pages[0], forward=pages[1]),
                SwitchTo(T("◀ Lists"), id="to_summary", state=PipelineListsDialog.summary),
                getter=departments_getter,
                state=PipelineListsDialog.departments,
            ),
        )
    )


def setup() -> Router:
    """/lists."""
    router = Router(name="staff-pipeline-lists")
    router.message.register(open_lists, Command("lists"))
    return router
