"""The quarter's minimums report in the chat: a summary and the XLSX file."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from handlers.callbacks import StaffMenuCB
from handlers.filters import ButtonText
from handlers.reports.quarter import quarter_summary, quarter_workbook
from handlers.staff.desk import Desk
from handlers.texts import Buttons, escape
from services.calendar import Quarter
from services.compliance import quarter_compliance
from services.rules import RuleBook


async def send_quarter_report(bot: Bot, desk: Desk, rulebook: RuleBook) -> None:
    """This quarter's report as text and as a spreadsheet."""
    quarter = Quarter.of(desk.today)
    rows = await quarter_compliance(
        desk.session, quarter=quarter, rules=rulebook.for_year(quarter.year)
    )
    locale = desk.turn.locale
    summary = quarter_summary(rows, quarter, locale)
    await desk.turn.say(f"<pre>{escape(summary[:3900])}</pre>")
    await bot.send_document(
        desk.turn.chat_id,
        BufferedInputFile(
            quarter_workbook(rows, quarter, locale),
            filename=f"minimums-{quarter.year}-Q{quarter.number}.xlsx",
        ),
        caption=_("Every member's figures for {year} Q{number}.").format(
            year=quarter.year, number=quarter.number
        ),
    )


async def report_command(message: Message, bot: Bot, desk: Desk, rulebook: RuleBook) -> None:
    """The menu button."""
    await send_quarter_report(bot, desk, rulebook)


async def report_button(callback: CallbackQuery, bot: Bot, desk: Desk, rulebook: RuleBook) -> None:
    """The button on the quarter summary notice."""
    await callback.answer()
    await send_quarter_report(bot, desk, rulebook)


def setup() -> Router:
    """The handlers of this module, on a fresh router."""
    router = Router(name="staff-reports")
    router.message.register(report_command, ButtonText(Buttons.QUARTER_REPORT))
    router.callback_query.register(report_button, StaffMenuCB.filter(F.action == "report"))
    return router
