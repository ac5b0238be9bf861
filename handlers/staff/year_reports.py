"""📈 Reports → 🗓 Attendance and 🏆 Assessment: the year's figures for administrators.

Attendance: the office's rate over the year's closed meetings and per meeting kind, then the
members a page at a time, lowest rate first, and the workbook. Assessment: the standings a
page at a time (each page some rows of one member or sector group), the year's workbook, and
a closed or published year to read instead. Station staff never reach these (the menu
refuses them); the year shown lives in the dialog, and a year from a button is only a choice
among the frozen years, checked again on the press.
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot, F
from aiogram.types import BufferedInputFile, CallbackQuery
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager, ShowMode, StartMode, Window
from aiogram_dialog.widgets.common import ManagedScroll
from aiogram_dialog.widgets.kbd import Button, Cancel, StubScroll, SwitchTo
from aiogram_dialog.widgets.text import Format

from handlers.dialogs.context import Reader
from handlers.dialogs.guard import Refused, guard
from handlers.dialogs.paging import choices, page_buttons
from handlers.dialogs.text import T
from handlers.member.record_views import no_assessment_text
from handlers.staff.desk import Desk, desk_of
from handlers.staff.record_view import admin_reader
from handlers.staff.year_report_views import (
    ROWS_PER_PAGE,
    members_page,
    office_text,
    page_text,
    standings_pages,
    state_word,
)
from handlers.staff.year_steps import open_steps
from handlers.states import YearReports
from services.assessment.record import closed_years
from services.assessment.standings import YearStandings, year_standings
from services.errors import DomainError
from services.members.rules import RuleBook
from services.reports.assessment_workbook import assessment_workbook
from services.reports.attendance_report import (
    AttendanceReport,
    attendance_report,
    attendance_workbook,
)
from services.translation import N_

log = logging.getLogger(__name__)


async def open_report(desk: Desk, manager: DialogManager, state: Any) -> None:
    """Start the attendance or the standings report, for administrators only."""
    assert desk.scope.admin, "the reports menu refuses station staff first"
    await manager.start(state, mode=StartMode.RESET_STACK, show_mode=ShowMode.SEND)


def _scroll(manager: DialogManager, scroll_id: str) -> ManagedScroll:
    scroll = manager.find(scroll_id)
    assert isinstance(scroll, ManagedScroll)
    return scroll


async def _page(manager: DialogManager, scroll_id: str, pages: int) -> int:
    """The scroll's page, brought back in range when the list got shorter."""
    scroll = _scroll(manager, scroll_id)
    current: int = await scroll.get_page()
    page = min(current, max(pages - 1, 0))
    if page != current:
        await scroll.set_page(page)
    return page


async def _send_book(manager: DialogManager, name: str, data: bytes, caption: str) -> None:
    bot: Bot = manager.middleware_data["bot"]
    document = BufferedInputFile(data, filename=f"{name}.xlsx")
    await bot.send_document(desk_of(manager).turn.chat_id, document, caption=caption)


# --- attendance --------------------------------------------------------------------------------


async def _attendance(manager: DialogManager, reader: Reader) -> AttendanceReport:
    rulebook: RuleBook = manager.middleware_data["rulebook"]
    section = rulebook.for_year(reader.today.year).assessment
    leave = section.undecided_leave if section is not None else "excused"
    return await attendance_report(
        reader.session, years=[reader.today.year], tz=reader.tz, undecided_leave=leave
    )


async def attendance_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """The office's shares, and one page of members."""
    reader = await admin_reader(dialog_manager)
    report = await _attendance(dialog_manager, reader)
    pages = max(1, -(-len(report.members) // ROWS_PER_PAGE))
    page = await _page(dialog_manager, "att_pages", pages)
    return {
        "office": office_text(report, reader.today.year, reader.locale),
        "members": members_page(report, page, ROWS_PER_PAGE),
        "page": page + 1,
        "pages": pages,
        "current_page": page,
    }


async def attendance_book(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """The year's attendance workbook as a document."""
    reader = await admin_reader(manager)
    await callback.answer()
    report = await _attendance(manager, reader)
    book = attendance_workbook(report, None, reader.locale)
    year = reader.today.year
    caption = _("Attendance in {year}").format(year=year)
    await _send_book(manager, f"attendance-{year}", book, caption)
    manager.show_mode = ShowMode.NO_UPDATE


# --- standings ---------------------------------------------------------------------------------


async def _standings(manager: DialogManager, reader: Reader) -> YearStandings | None:
    """The standings of the year shown (None when that year has no assessment)."""
    rulebook: RuleBook = manager.middleware_data["rulebook"]
    year = int(manager.dialog_data.get("year") or reader.today.year)
    try:
        return await year_standings(
            reader.session, year=year, rules=rulebook.for_year(year), tz=reader.tz
        )
    except DomainError as error:
        if error.code != "no_assessment":
            raise
        return None


async def standings_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """One page of the standings."""
    reader = await admin_reader(dialog_manager)
    standings = await _standings(dialog_manager, reader)
    year = int(dialog_manager.dialog_data.get("year") or reader.today.year)
    common = {"past": year != reader.today.year, "assessed": standings is not None}
    if standings is None:
        return {
            "text": no_assessment_text(year),
            "page": 1,
            "pages": 1,
            "current_page": 0,
            **common,
        }
    pages = standings_pages(standings, ROWS_PER_PAGE)
    page = await _page(dialog_manager, "st_pages", len(pages))
    text = (
        await page_text(reader.session, standings, pages[page], reader.locale)
        if pages
        else _("<b>Standings {year}</b> ({state}): nobody is ranked.").format(
            year=year, state=state_word(standings.state)
        )
    )
    return {
        "text": text,
        "page": page + 1,
        "pages": max(len(pages), 1),
        "current_page": page,
        **common,
    }


async def standings_book(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """The shown year's workbook as a document."""
    reader = await admin_reader(manager)
    standings = await _standings(manager, reader)
    if standings is None:
        await callback.answer(no_assessment_text(reader.today.year), show_alert=True)
        return
    await callback.answer()
    book = await assessment_workbook(reader.session, standings=standings, locale=reader.locale)
    caption = _("The {year} duty assessment: totals, rankings and every line.").format(
        year=standings.year
    )
    await _send_book(manager, f"assessment-{standings.year}", book, caption)
    manager.show_mode = ShowMode.NO_UPDATE


async def years_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """The closed and published years."""
    reader = await admin_reader(dialog_manager)
    years = await closed_years(reader.session)
    return {"items": [(year, str(year)) for year in years], "none": not years}


async def year_chosen(
    callback: CallbackQuery, widget: Any, manager: DialogManager, item: str
) -> None:
    """A frozen year; any other year in a button is refused."""
    reader = await admin_reader(manager)
    if not item.isdigit() or int(item) not in await closed_years(reader.session):
        log.warning("chat %s asked for the standings of %r", callback.from_user.id, item)
        raise Refused(_("This button is not valid."), alert=True)
    manager.dialog_data["year"] = int(item)
    await _scroll(manager, "st_pages").set_page(0)
    await manager.switch_to(YearReports.standings)


async def this_year(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Back to the year under way."""
    manager.dialog_data.pop("year", None)
    await _scroll(manager, "st_pages").set_page(0)


def year_reports_dialog() -> Dialog:
    """A fresh yearly reports dialog (one per Dispatcher)."""
    pages = ("prev", N_("◀ Back")), ("next", N_("More ▶"))
    return guard(
        Dialog(
            Window(
                Format("{office}\n"),
                T("<b>Members</b>, lowest attendance first (page {page} of {pages}):"),
                Format("{members}"),
                StubScroll(id="att_pages", pages="pages"),
                page_buttons("att_pages", back=pages[0], forward=pages[1]),
                Button(T("📥 The workbook"), id="att_book", on_click=attendance_book),
                Cancel(T("✖ Close")),
                getter=attendance_getter,
                state=YearReports.attendance,
            ),
            Window(
                Format("{text}"),
                T("Page {page} of {pages}."),
                StubScroll(id="st_pages", pages="pages"),
                page_buttons("st_pages", back=pages[0], forward=pages[1]),
                Button(
                    T("📥 The workbook"), id="st_book", on_click=standings_book, when="assessed"
                ),
                Button(T("⚙ The year's steps"), id="steps", on_click=open_steps),
                SwitchTo(T("🗓 Past years"), id="years", state=YearReports.years),
                Button(T("◀ This year"), id="this_year", on_click=this_year, when="past"),
                Cancel(T("✖ Close")),
                getter=standings_getter,
                state=YearReports.standings,
            ),
            Window(
                T("Closed and published years: choose one.", when=~F["none"]),
                T("No year is closed yet.", when="none"),
                choices("year", year_chosen),
                SwitchTo(T("◀ Back"), id="years_back", state=YearReports.standings),
                getter=years_getter,
                state=YearReports.years,
            ),
        )
    )
