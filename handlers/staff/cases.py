"""A case as staff see it, with the actions its status allows: the card and its buttons."""

from __future__ import annotations

import logging
from collections.abc import Callable

from aiogram import Bot, F, Router
from aiogram.types import CallbackQuery, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from handlers.callbacks import StaffIssueCB
from handlers.case_callbacks import CaseActionCB, ExtensionCB, QueueCB
from handlers.case_views import send_case_media
from handlers.cases import render_case
from handlers.grid import Grid
from handlers.messaging import replace_or_send
from handlers.notifications import ChatNotifier
from handlers.staff.case_errors import case_error
from handlers.staff.desk import Desk
from services.cases import answers as case_answers
from services.cases import casework
from services.cases.assignee import pending_extension
from services.cases.residents import IssueDetail, get_issue
from services.errors import DomainError
from storage.enums import IssueStatus
from storage.models import ChatIdentity, IssueExtension

log = logging.getLogger(__name__)
OPEN = (IssueStatus.NEW, IssueStatus.ACCEPTED, IssueStatus.ASSIGNED, IssueStatus.REOPENED)


def case_keyboard(detail: IssueDetail, extension: IssueExtension | None) -> InlineKeyboardMarkup:
    """The actions the case's status allows."""
    issue = detail.issue
    assert issue.id is not None
    grid = Grid()

    def act(text: str, action: str) -> None:
        grid.button(text=text, callback_data=CaseActionCB(action=action, id=issue.id or 0))

    if issue.status in (IssueStatus.NEW, IssueStatus.REOPENED):
        act(_("✔ Accept"), "accept")
    if issue.status in OPEN:
        act(_("👤 Reassign") if issue.status == IssueStatus.ASSIGNED else _("👤 Assign"), "assign")
    if issue.status in (*OPEN, IssueStatus.ANSWERED):
        act(_("💬 Reply"), "reply")
    if issue.status in OPEN:
        act(_("✖ Reject"), "reject")
        act(_("🔗 Duplicate"), "duplicate")
    if issue.answered_at is not None and issue.status in (*OPEN, IssueStatus.ANSWERED):
        act(_("✅ Resolve"), "resolve")
    act(_("📝 Note"), "note")
    if detail.photos:
        act(_("📷 Photos"), "photos")
    if issue.latitude is not None and issue.longitude is not None:
        act(_("🗺 Map"), "map")
    if extension is not None and extension.id is not None:
        grid.button(
            text=_("⏳ Grant {days} days").format(days=extension.days),
            callback_data=ExtensionCB(action="grant", id=extension.id),
        )
        grid.button(
            text=_("Refuse more time"), callback_data=ExtensionCB(action="refuse", id=extension.id)
        )
    grid.button(text=_("◀ Case queue"), callback_data=QueueCB(station=-1))
    grid.adjust(2)
    return grid.as_markup()


async def load_case(desk: Desk, issue_id: int) -> IssueDetail | None:
    """A case within the staff member's scope, or None."""
    return await get_issue(desk.session, issue_id=issue_id, condition=desk.scope.issues_clause())


async def show_case(callback: CallbackQuery, bot: Bot, desk: Desk, issue_id: int) -> None:
    """Put the case card where the button was (or in a new message)."""
    detail = await load_case(desk, issue_id)
    if detail is None:
        await refuse(callback, issue_id)
        return
    extension = await pending_extension(desk.session, issue_id=issue_id)
    text = render_case(detail, desk.turn.locale, desk.turn.tz, extension=extension)
    await replace_or_send(callback, bot, text, case_keyboard(detail, extension))


async def send_case(desk: Desk, issue_id: int) -> None:
    """Send the case card as a new message (after a typed step)."""
    detail = await load_case(desk, issue_id)
    if detail is None:
        return
    extension = await pending_extension(desk.session, issue_id=issue_id)
    text = render_case(detail, desk.turn.locale, desk.turn.tz, extension=extension)
    await desk.turn.say(text, reply_markup=case_keyboard(detail, extension))


async def refuse(callback: CallbackQuery, issue_id: int) -> None:
    """An unknown or out-of-scope case: refused, logged."""
    log.warning("chat %s: staff case %s refused", callback.from_user.id, issue_id)
    await callback.answer(_("This case is not available."), show_alert=True)


async def case_chosen(
    callback: CallbackQuery, callback_data: StaffIssueCB, bot: Bot, desk: Desk
) -> None:
    """Open a case from a notice or the queue."""
    if callback_data.action != "view":
        await refuse(callback, callback_data.id)
        return
    await callback.answer()
    await show_case(callback, bot, desk, callback_data.id)


async def quick_action(
    callback: CallbackQuery,
    callback_data: CaseActionCB,
    bot: Bot,
    desk: Desk,
    notifier: ChatNotifier,
    wake_delivery: Callable[[], None],
) -> None:
    """Accept or resolve: no more input needed."""
    action = casework.accept if callback_data.action == "accept" else case_answers.resolve
    try:
        await action(
            desk.session,
            issue_id=callback_data.id,
            scope=desk.scope,
            actor=desk.actor,
            now=desk.now,
            notifier=notifier,
        )
    except DomainError as error:
        if error.code == "issue_unknown":
            await refuse(callback, callback_data.id)
            return
        await callback.answer(case_error(error), show_alert=True)
        return
    wake_delivery()
    done = _("Accepted.") if callback_data.action == "accept" else _("Resolved.")
    await callback.answer(done)
    await show_case(callback, bot, desk, callback_data.id)


async def media_action(
    callback: CallbackQuery,
    callback_data: CaseActionCB,
    bot: Bot,
    desk: Desk,
    identity: ChatIdentity,
) -> None:
    """The case's photos or its place on a map."""
    detail = await load_case(desk, callback_data.id)
    if detail is None:
        await refuse(callback, callback_data.id)
        return
    await callback.answer()
    await send_case_media(
        bot, desk.turn, detail, what=callback_data.action, channel=identity.channel
    )


def setup() -> Router:
    """The handlers of this module, on a fresh router."""
    router = Router(name="staff-cases")
    router.callback_query.register(case_chosen, StaffIssueCB.filter())
    router.callback_query.register(
        quick_action, CaseActionCB.filter(F.action.in_({"accept", "resolve"}))
    )
    router.callback_query.register(
        media_action, CaseActionCB.filter(F.action.in_({"photos", "map"}))
    )
    return router
