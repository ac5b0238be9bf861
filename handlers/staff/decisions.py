"""Staff decide what assignees and members ask of them: more time, social-conditions reports."""

from __future__ import annotations

import logging
from collections.abc import Callable

from aiogram import Bot, F, Router
from aiogram.types import CallbackQuery, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager

from handlers.callbacks import StaffMenuCB
from handlers.case_callbacks import ConditionsReportCB, ExtensionCB
from handlers.grid import Grid
from handlers.messaging import replace_or_send
from handlers.notifications import ChatNotifier
from handlers.staff.case_desk_entry import open_case
from handlers.staff.case_errors import case_error
from handlers.staff.desk import Desk
from handlers.texts import escape, local_time, shorten
from services.cases.decisions import decide_extension
from services.errors import DomainError
from services.members.conditions_reports import ReportView, decide_report, get_report, list_reports
from services.members.rules import RuleBook
from storage.enums import ReportState

log = logging.getLogger(__name__)


async def extension_decided(
    callback: CallbackQuery,
    callback_data: ExtensionCB,
    desk: Desk,
    notifier: ChatNotifier,
    wake_delivery: Callable[[], None],
    dialog_manager: DialogManager,
) -> None:
    """A notice's grant or refuse: decided, the assignee told, then the case's card shown."""
    if callback_data.action not in ("grant", "refuse"):
        await callback.answer(_("This button is not valid."), show_alert=True)
        return
    try:
        extension = await decide_extension(
            desk.session,
            extension_id=callback_data.id,
            grant=callback_data.action == "grant",
            scope=desk.scope,
            actor=desk.actor,
            now=desk.now,
            notifier=notifier,
        )
    except DomainError as error:
        if error.code == "extension_unknown":
            log.warning("chat %s: extension %s refused", callback.from_user.id, callback_data.id)
        await callback.answer(case_error(error), show_alert=True)
        moved_on = error.params.get("issue_id")
        if isinstance(moved_on, int):
            # The notice is out of date: the case as it stands now replaces it.
            await open_case(desk, dialog_manager, moved_on)
        return
    wake_delivery()
    granted = callback_data.action == "grant"
    await callback.answer(_("More time granted.") if granted else _("More time refused."))
    await open_case(desk, dialog_manager, extension.issue_id)


def render_report(view: ReportView, desk: Desk) -> str:
    """A report in full, with its cases."""
    report = view.report
    lines = [
        _("<b>Social-conditions report</b> by {name}").format(name=escape(view.member.name)),
        _("Submitted: {when}").format(when=local_time(report.submitted_at, desk.turn.tz)),
        _("From cases: {numbers}").format(numbers=", ".join(view.case_numbers)),
        "",
        f"<b>{escape(report.title)}</b>",
        f"<blockquote>{escape(report.body)}</blockquote>",
    ]
    if report.state != ReportState.SUBMITTED:
        state = _("accepted") if report.state == ReportState.ACCEPTED else _("returned")
        lines.append(_("Decision: {state}").format(state=state))
    return "\n".join(lines)


def report_keyboard(view: ReportView) -> InlineKeyboardMarkup:
    """Accept or return a waiting report; back to the list."""
    assert view.report.id is not None
    grid = Grid()
    if view.report.state == ReportState.SUBMITTED:
        grid.button(
            text=_("✔ Accept"), callback_data=ConditionsReportCB(action="accept", id=view.report.id)
        )
        grid.button(
            text=_("↩ Return"), callback_data=ConditionsReportCB(action="return", id=view.report.id)
        )
    grid.button(text=_("◀ Reports"), callback_data=ConditionsReportCB(action="list"))
    grid.adjust(2, 1)
    return grid.as_markup()


async def report_button(
    callback: CallbackQuery,
    callback_data: ConditionsReportCB,
    bot: Bot,
    desk: Desk,
    notifier: ChatNotifier,
    rulebook: RuleBook,
    wake_delivery: Callable[[], None],
) -> None:
    """The list of waiting reports, one report, or a decision on it."""
    action = callback_data.action
    if action == "list":
        await callback.answer()
        views = await list_reports(desk.session, scope=desk.scope)
        grid = Grid()
        for waiting in views:
            assert waiting.report.id is not None
            label = f"{waiting.member.name} · {shorten(waiting.report.title, 30)}"
            grid.button(
                text=label, callback_data=ConditionsReportCB(action="view", id=waiting.report.id)
            )
        grid.button(text=_("◀ Case queue"), callback_data=StaffMenuCB(action="queue"))
        grid.adjust(1)
        text = (
            _("Reports waiting for a decision: {count}.").format(count=len(views))
            if views
            else _("No report waits for a decision.")
        )
        await replace_or_send(callback, bot, text, grid.as_markup())
        return
    if action in ("accept", "return"):
        drawn = await get_report(desk.session, report_id=callback_data.id, scope=desk.scope)
        if drawn is not None and drawn.report.state != ReportState.SUBMITTED:
            await callback.answer(
                _("This card is out of date: the report was decided already. Here it is now."),
                show_alert=True,
            )
            await replace_or_send(callback, bot, render_report(drawn, desk), report_keyboard(drawn))
            return
        try:
            await decide_report(
                desk.session,
                report_id=callback_data.id,
                accept=action == "accept",
                note=None,
                scope=desk.scope,
                actor=desk.actor,
                rulebook=rulebook,
                now=desk.now,
                tz=desk.turn.tz,
                notifier=notifier,
            )
        except DomainError as error:
            if error.code == "report_unknown":
                log.warning("chat %s: report %s refused", callback.from_user.id, callback_data.id)
            await callback.answer(case_error(error), show_alert=True)
            return
        wake_delivery()
        await callback.answer(
            _("Accepted; it counts in the member's record.")
            if action == "accept"
            else _("Returned to the member.")
        )
    elif action != "view":
        await callback.answer(_("This button is not valid."), show_alert=True)
        return
    view = await get_report(desk.session, report_id=callback_data.id, scope=desk.scope)
    if view is None:
        log.warning("chat %s: report %s refused", callback.from_user.id, callback_data.id)
        await callback.answer(_("This report is not available."), show_alert=True)
        return
    if action == "view":
        await callback.answer()
    await replace_or_send(callback, bot, render_report(view, desk), report_keyboard(view))


def setup() -> Router:
    """The handlers of this module, on a fresh router."""
    router = Router(name="staff-decisions")
    router.callback_query.register(extension_decided, ExtensionCB.filter())
    router.callback_query.register(
        report_button, ConditionsReportCB.filter(F.action.in_({"list", "view", "accept", "return"}))
    )
    return router
