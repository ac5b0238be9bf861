"""The quarter's minimums report in the chat: summary, chart, XLSX, and a remind-all button."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial

from aiogram import Bot, F, Router
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from handlers.callbacks import StaffMenuCB
from handlers.filters import ButtonText
from handlers.notifications import ChatNotifier
from handlers.staff.desk import Desk
from handlers.staff.stats_buttons import RemindShortCB
from handlers.staff.stats_reports import send_files, summary_html
from handlers.texts import Buttons
from services.calendar import Quarter
from services.members.compliance import quarter_compliance
from services.members.rules import RuleBook
from services.reports.minimums import remind_short_members, short_of_minimum
from services.reports.quarter_chart import quarter_chart
from services.reports.quarter_summary import quarter_summary
from services.reports.quarter_workbook import quarter_workbook
from storage.enums import StaffRole

log = logging.getLogger(__name__)
SHORT_LISTED = 40


async def send_quarter_report(
    bot: Bot, desk: Desk, rulebook: RuleBook, *, quarter: Quarter | None = None
) -> None:
    """A quarter's report (this one by default) as text, chart and spreadsheet.

    Admins get a button under this quarter's summary to remind every member short of it.
    """
    current = Quarter.of(desk.today)
    quarter = quarter or current
    rules = rulebook.for_year(quarter.year)
    rows = await quarter_compliance(desk.session, quarter=quarter, rules=rules, tz=desk.turn.tz)
    locale = desk.turn.locale
    summary = quarter_summary(rows, quarter, locale, limit=SHORT_LISTED, rules=rules)
    short = short_of_minimum(rows)
    markup = None
    if short and quarter == current and desk.staff.role == StaffRole.ADMIN:
        remind = InlineKeyboardButton(
            text=_("🔔 Remind all {count} of them").format(count=len(short)),
            callback_data=RemindShortCB.of(quarter).pack(),
        )
        markup = InlineKeyboardMarkup(inline_keyboard=[[remind]])
    await desk.turn.say(summary_html(summary), reply_markup=markup)
    await send_files(
        bot,
        desk,
        name=f"minimums-{quarter.year}-Q{quarter.number}",
        draw=partial(quarter_chart, rows, quarter, locale),
        spreadsheet=quarter_workbook(rows, quarter, locale, rules=rules),
        caption=_("Every member's figures for {year} Q{number}.").format(
            year=quarter.year, number=quarter.number
        ),
    )


def members_refusal() -> str:
    """Why station staff do not read members' figures."""
    return _("Members' figures are for the committee office's administrators.")


async def report_command(message: Message, bot: Bot, desk: Desk, rulebook: RuleBook) -> None:
    """The menu button."""
    if not desk.scope.admin:
        log.info("chat %s: quarter report refused to station staff", message.chat.id)
        await message.answer(members_refusal())
        return
    await send_quarter_report(bot, desk, rulebook)


async def report_button(callback: CallbackQuery, bot: Bot, desk: Desk, rulebook: RuleBook) -> None:
    """The button on the quarter summary notice."""
    if not desk.scope.admin:
        log.warning("chat %s: quarter report button refused", callback.from_user.id)
        await callback.answer(members_refusal(), show_alert=True)
        return
    await callback.answer()
    await send_quarter_report(bot, desk, rulebook)


async def remind_pressed(
    callback: CallbackQuery,
    callback_data: RemindShortCB,
    desk: Desk,
    rulebook: RuleBook,
    notifier: ChatNotifier,
    wake_delivery: Callable[[], None],
) -> None:
    """Queue the minimum reminder for every member short this quarter; say how many."""
    quarter = Quarter.of(desk.today)
    if (callback_data.year, callback_data.quarter) != (quarter.year, quarter.number):
        log.warning("chat %s: reminder for %r refused", callback.from_user.id, callback.data)
        await callback.answer(_("This button is for a quarter that has ended."), show_alert=True)
        return
    if desk.staff.role != StaffRole.ADMIN:
        log.warning("chat %s: station staff pressed remind-all", callback.from_user.id)
        await callback.answer(_("Only the office's administrators can remind every member."))
        return
    result = await remind_short_members(
        desk.session,
        quarter=quarter,
        rules=rulebook.for_year(quarter.year),
        today=desk.today,
        now=desk.now,
        tz=desk.turn.tz,
        notifier=notifier,
        actor=desk.actor,
    )
    if result.reminded:
        wake_delivery()
    await callback.answer()
    if not result.short:
        lines = [_("Every active member has met this quarter's minimum.")]
    elif result.reminded:
        lines = [
            _(
                "Reminders queued for {reminded} of the {short} members short of the minimum."
            ).format(reminded=result.reminded, short=result.short)
        ]
    elif result.short > result.no_chat:
        lines = [_("Nothing new to queue: they were already reminded today.")]
    else:
        lines = []
    if result.no_chat:
        lines.append(
            _("{count} of them have no linked chat and cannot be reminded here.").format(
                count=result.no_chat
            )
        )
    await desk.turn.say("\n".join(lines))


def setup() -> Router:
    """The handlers of this module, on a fresh router."""
    router = Router(name="staff-reports")
    router.message.register(report_command, ButtonText(Buttons.QUARTER_REPORT))
    router.callback_query.register(report_button, StaffMenuCB.filter(F.action == "report"))
    router.callback_query.register(remind_pressed, RemindShortCB.filter())
    return router
