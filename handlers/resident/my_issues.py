"""My issues: a resident's own cases, one page at a time, and each case's timeline."""

from __future__ import annotations

import datetime as dt
import logging

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from handlers import keyboards
from handlers.callbacks import IssueCB, IssuesPageCB
from handlers.messaging import replace_or_send
from handlers.texts import escape, local_date, local_time
from handlers.timeline import event_line, fit
from services.accounts.identities import find_resident
from services.cases.labels import status_label
from services.cases.residents import (
    IssueDetail,
    IssuePage,
    followed_case,
    get_resident_issue,
    list_resident_issues,
)
from services.reference.catalog import display_name
from storage.enums import IssueEventKind
from storage.models import ChatIdentity

log = logging.getLogger(__name__)
# A message holds 4,096 characters: the description (2,000 at most) and the lines must fit.
BODY_LIMIT = 500


async def _page(session: AsyncSession, identity: ChatIdentity, page: int) -> IssuePage | None:
    assert identity.id is not None
    resident = await find_resident(session, identity_id=identity.id)
    if resident is None or resident.id is None:
        return None
    return await list_resident_issues(session, resident_id=resident.id, page=page)


def _page_text(page: IssuePage) -> str:
    text = _("<b>My issues</b>: {total} in all.").format(total=page.total)
    if page.pages > 1:
        text += " " + _("Page {page} of {pages}.").format(page=page.page + 1, pages=page.pages)
    return text + "\n" + _("Tap a case to see where it stands.")


async def show_my_issues(
    message: Message, *, session: AsyncSession, identity: ChatIdentity, locale: str, page: int
) -> None:
    """Send the first page of the resident's cases."""
    result = await _page(session, identity, page)
    if result is None or result.total == 0:
        await message.answer(
            _("You have not reported anything yet."), reply_markup=keyboards.report_first()
        )
        return
    await message.answer(_page_text(result), reply_markup=keyboards.issues_page(result, locale))


async def page_chosen(
    callback: CallbackQuery,
    callback_data: IssuesPageCB,
    bot: Bot,
    session: AsyncSession,
    identity: ChatIdentity,
    locale: str,
) -> None:
    """Another page of the list (or back from a case)."""
    result = await _page(session, identity, callback_data.page)
    await callback.answer()
    if result is None or result.total == 0:
        text, markup = _("You have not reported anything yet."), keyboards.report_first()
    else:
        text, markup = _page_text(result), keyboards.issues_page(result, locale)
    await replace_or_send(callback, bot, text, markup)


def render_detail(
    detail: IssueDetail, locale: str, tz: dt.tzinfo, followed: IssueDetail | None = None
) -> str:
    """A case as its resident sees it; their own text is escaped."""
    issue = detail.issue
    lines = [
        _("<b>Case {number}</b>").format(number=issue.number),
        _("Status: {status}").format(status=status_label(issue.status)),
        _("Station: {name}").format(name=escape(display_name(detail.station, locale))),
        _("Category: {name}").format(name=escape(display_name(detail.category, locale))),
        _("Submitted: {when}").format(when=local_time(issue.created_at, tz)),
    ]
    if issue.due_at is not None:
        lines.append(_("Expected answer by: {date}").format(date=local_date(issue.due_at, tz)))
    if issue.latitude is not None and issue.longitude is not None:
        lines.append(
            _("Location: {value}").format(value=f"{issue.latitude:.5f}, {issue.longitude:.5f}")
        )
    if issue.contact_phone:
        lines.append(_("Contact: {value}").format(value=escape(issue.contact_phone)))
    else:
        lines.append(_("Contact: {value}").format(value=_("anonymous")))
    lines += ["", _("Description:"), f"<blockquote>{escape(issue.description)}</blockquote>"]
    lines += ["", _("<b>Timeline</b>")]
    timeline = [event_line(event, tz, body_limit=BODY_LIMIT) for event in detail.events]
    if followed is not None:
        timeline += ["", *followed_lines(followed, tz)]
    return fit(lines, timeline)


def followed_lines(followed: IssueDetail, tz: dt.tzinfo) -> list[str]:
    """The case a merged case follows: its status, due date and public timeline."""
    issue = followed.issue
    lines = [
        _("<b>Case {number}</b>, which your case follows").format(number=issue.number),
        _("Status: {status}").format(status=status_label(issue.status)),
    ]
    if issue.due_at is not None:
        lines.append(_("Expected answer by: {date}").format(date=local_date(issue.due_at, tz)))
    # Its own resident's report stays theirs: only the answers are shared.
    lines += [
        event_line(event, tz, body_limit=BODY_LIMIT)
        for event in followed.events
        if event.kind != IssueEventKind.SUBMITTED
    ]
    return lines


async def issue_chosen(
    callback: CallbackQuery,
    callback_data: IssueCB,
    bot: Bot,
    session: AsyncSession,
    identity: ChatIdentity,
    locale: str,
    tz: dt.tzinfo,
) -> None:
    """Open one of my cases, or send its photos; anything not mine is refused."""
    assert identity.id is not None
    resident = await find_resident(session, identity_id=identity.id)
    detail = None
    if resident is not None and resident.id is not None:
        detail = await get_resident_issue(
            session, resident_id=resident.id, issue_id=callback_data.id
        )
    if detail is None or callback_data.action not in ("view", "photos"):
        log.warning(
            "chat %s asked for case %s (%s): not theirs or unknown",
            callback.from_user.id,
            callback_data.id,
            callback_data.action,
        )
        await callback.answer(_("This case is not available."), show_alert=True)
        return
    await callback.answer()
    if callback_data.action == "photos":
        for photo in detail.photos:
            try:
                await bot.send_photo(callback.from_user.id, photo.file_id)
            except TelegramAPIError as error:
                log.warning("photo %s of case %s: %s", photo.id, detail.issue.id, error)
                await bot.send_message(callback.from_user.id, _("A photo could not be shown."))
        return
    followed = await followed_case(session, detail=detail)
    await replace_or_send(
        callback,
        bot,
        render_detail(detail, locale, tz, followed),
        keyboards.issue_detail(detail, callback_data.page),
    )


def setup() -> Router:
    """The handlers of this module, on a fresh router."""
    router = Router(name="my-issues")
    router.callback_query.register(page_chosen, IssuesPageCB.filter())
    router.callback_query.register(issue_chosen, IssueCB.filter())
    return router
