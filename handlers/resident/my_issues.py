"""My issues: a resident's own cases, paged from the database, and each case's card.

A dialog: the list pages through the resident's cases (a stub scroll holds the page, the
getter reads that page alone), a case opens its card with its timeline, the rating and the
photos. Every press names a case id that is checked again against the resident's own cases.
A notice's "Open the case" starts the dialog on the card.
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager, Window
from aiogram_dialog.widgets.common import ManagedScroll
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import (
    Button,
    Select,
    StubScroll,
    SwitchTo,
)
from aiogram_dialog.widgets.text import Format, Multi
from markupsafe import Markup
from sqlalchemy.ext.asyncio import AsyncSession

from handlers import keyboards
from handlers.callbacks import IssueCB
from handlers.detours import continue_buttons, open_list, placement
from handlers.dialogs.context import reader_of
from handlers.dialogs.guard import Refused, guard
from handlers.dialogs.markup import Label
from handlers.dialogs.paging import choices, page_buttons
from handlers.dialogs.press import answer_press, pass_on
from handlers.dialogs.text import T
from handlers.resident import rating
from handlers.resident.flow import back_to_draft, open_report
from handlers.resident.issue_card import render_detail
from handlers.states import MyIssues
from handlers.texts import Buttons, shorten
from services.accounts.identities import find_resident
from services.cases.labels import status_label
from services.cases.residents import (
    IssueDetail,
    followed_case,
    get_followed_issue,
    get_resident_issue,
    list_resident_issues,
)
from services.reference.catalog import display_name
from services.translation import N_
from storage.enums import IssueStatus
from storage.models import ChatIdentity

log = logging.getLogger(__name__)
NOT_AVAILABLE = "This case is not available."


async def _resident_id(session: AsyncSession, identity: ChatIdentity | None) -> int | None:
    if identity is None or identity.id is None:
        return None
    resident = await find_resident(session, identity_id=identity.id)
    return resident.id if resident is not None else None


async def own_case(manager: DialogManager, issue_id: int) -> IssueDetail | None:
    """One of the reader's own cases, or one they follow; None for anyone else's or unknown."""
    session: AsyncSession = manager.middleware_data["session"]
    resident_id = await _resident_id(session, manager.middleware_data.get("identity"))
    if resident_id is None:
        return None
    found = await get_resident_issue(session, resident_id=resident_id, issue_id=issue_id)
    if found is None:
        found = await get_followed_issue(session, resident_id=resident_id, issue_id=issue_id)
    return found


# --- ways in ----------------------------------------------------------------------------------


async def show_my_issues(
    message: Message,
    *,
    session: AsyncSession,
    identity: ChatIdentity,
    dialog_manager: DialogManager,
) -> None:
    """The first page of the resident's cases; a way to start when there are none."""
    resident_id = await _resident_id(session, identity)
    page = None
    if resident_id is not None:
        page = await list_resident_issues(session, resident_id=resident_id)
    if page is None or page.total == 0:
        await message.answer(
            _("You have not reported anything yet."), reply_markup=keyboards.report_first()
        )
        await back_to_draft(dialog_manager)
        return
    await open_list(dialog_manager, MyIssues.list)


async def open_from_notice(
    callback: CallbackQuery,
    callback_data: IssueCB,
    session: AsyncSession,
    dialog_manager: DialogManager,
    identity: ChatIdentity | None = None,
) -> None:
    """A notice's "Open the case" (or a button of a card sent before): that case's card.

    Only the resident's own case, or one they follow, opens; anything else is refused.
    """
    resident_id = await _resident_id(session, identity)
    detail = None
    if resident_id is not None and callback_data.action in ("view", "photos"):
        detail = await get_resident_issue(
            session, resident_id=resident_id, issue_id=callback_data.id
        ) or await get_followed_issue(session, resident_id=resident_id, issue_id=callback_data.id)
    if detail is None:
        log.warning(
            "chat %s asked for case %s (%s): not theirs or unknown",
            callback.from_user.id,
            callback_data.id,
            callback_data.action,
        )
        await callback.answer(_(NOT_AVAILABLE), show_alert=True)
        return
    await callback.answer()
    await open_list(dialog_manager, MyIssues.case, case=callback_data.id)


# --- the list ---------------------------------------------------------------------------------


def _scroll(manager: DialogManager) -> ManagedScroll:
    scroll = manager.find("pages")
    assert isinstance(scroll, ManagedScroll)
    return scroll


async def page_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """A page of the resident's cases, newest first; a page out of range shows the nearest."""
    reader = reader_of(dialog_manager)
    resident_id = await _resident_id(reader.session, dialog_manager.middleware_data["identity"])
    scroll = _scroll(dialog_manager)
    wanted = await scroll.get_page()
    items: list[tuple[int, str]] = []
    total, page, pages = 0, 0, 1
    if resident_id is not None:
        found = await list_resident_issues(reader.session, resident_id=resident_id, page=wanted)
        total, page, pages = found.total, found.page, found.pages
        for item in found.items:
            label = f"{item.number} · {status_label(item.status)} · " + shorten(
                display_name(item.category, reader.locale), 16
            )
            if item.followed:
                label = "👥 " + label
            items.append((item.id, label))
    if page != wanted:
        await scroll.set_page(page)
    return {
        "items": items,
        "total": total,
        "empty": total == 0,
        "listed": total > 0,
        "page": page + 1,
        "pages": pages,
        "paged": pages > 1,
        **placement(dialog_manager),
    }


async def case_chosen(
    callback: CallbackQuery, widget: Select[str], manager: DialogManager, item: str
) -> None:
    """Open one of my cases; anything not mine (or not an id at all) is refused."""
    issue_id = int(item) if item.isdigit() else 0
    if await own_case(manager, issue_id) is None:
        log.warning("chat %s asked for case %r: not theirs or unknown", callback.from_user.id, item)
        raise Refused(_(NOT_AVAILABLE), alert=True)
    manager.dialog_data["case"] = issue_id
    await manager.switch_to(MyIssues.case)


async def report_chosen(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """The list emptied (after /forget): start a report instead."""
    await open_report(manager, manager.middleware_data["state"])


# --- one case ---------------------------------------------------------------------------------


async def case_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """The chosen case's card, read afresh each time it is drawn."""
    reader = reader_of(dialog_manager)
    detail = await own_case(dialog_manager, _chosen(dialog_manager))
    if detail is None:
        return {"card": _(NOT_AVAILABLE), "ratable": False, "count": 0}
    issue = detail.issue
    followed = await followed_case(reader.session, detail=detail)
    answered = issue.status in (IssueStatus.ANSWERED, IssueStatus.RESOLVED)
    own = issue.resident_id == await _resident_id(
        reader.session, dialog_manager.middleware_data.get("identity")
    )
    card = render_detail(detail, reader.locale, reader.tz, followed)
    if not own:
        card = _("👥 You follow this case; another resident reported it.") + "\n\n" + card
    return {
        # Built from our msgids and escaped values, so it is markup as it stands.
        "card": Markup(card),  # noqa: S704
        "ratable": own and answered and issue.last_reply_at is not None and issue.rated_at is None,
        "count": len(detail.photos),
    }


def _chosen(manager: DialogManager) -> int:
    start_data = manager.start_data if isinstance(manager.start_data, dict) else {}
    return int(manager.dialog_data.get("case") or start_data.get("case") or 0)


async def _checked(callback: CallbackQuery, manager: DialogManager) -> IssueDetail:
    detail = await own_case(manager, _chosen(manager))
    if detail is None:
        log.warning("chat %s: case %s is gone", callback.from_user.id, _chosen(manager))
        raise Refused(_(NOT_AVAILABLE), alert=True)
    return detail


async def rate_chosen(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Ask for the stars in place of the card; the rating goes on from there.

    A case the reader only follows is not theirs to rate.
    """
    detail = await _checked(callback, manager)
    reader = await _resident_id(
        manager.middleware_data["session"], manager.middleware_data.get("identity")
    )
    if detail.issue.resident_id != reader:
        raise Refused(_(NOT_AVAILABLE), alert=True)
    await answer_press(manager)
    await rating.ask_stars(callback, manager.middleware_data["bot"], detail.issue)


async def photos_chosen(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Send the case's photos below the card."""
    detail = await _checked(callback, manager)
    await answer_press(manager)
    bot: Bot = manager.middleware_data["bot"]
    for photo in detail.photos:
        try:
            await bot.send_photo(callback.from_user.id, photo.file_id)
        except TelegramAPIError as error:
            log.warning("photo %s of case %s: %s", photo.id, detail.issue.id, error)
            await bot.send_message(callback.from_user.id, _("A photo could not be shown."))


def issues_dialog() -> Dialog:
    """A fresh My issues dialog (one per Dispatcher)."""
    return guard(
        Dialog(
            Window(
                Multi(
                    Multi(
                        T("<b>My issues</b>: {total} in all."),
                        T("Page {page} of {pages}.", when="paged"),
                        sep=" ",
                    ),
                    T("Tap a case to see where it stands."),
                    sep="\n",
                    when="listed",
                ),
                T("You have not reported anything yet.", when="empty"),
                choices("case", case_chosen),
                StubScroll(id="pages", pages="pages"),
                page_buttons(
                    "pages", back=("newer", N_("◀ Newer")), forward=("older", N_("Older ▶"))
                ),
                Button(Label(Buttons.REPORT), id="report", on_click=report_chosen, when="empty"),
                *continue_buttons(),
                MessageInput(pass_on),
                getter=page_getter,
                state=MyIssues.list,
            ),
            Window(
                Format("{card}"),
                Button(
                    Label("⭐ Rate the answer"), id="rate", on_click=rate_chosen, when="ratable"
                ),
                Button(T("📷 Photos ({count})"), id="photos", on_click=photos_chosen, when="count"),
                SwitchTo(Label("◀ Back to my issues"), id="back", state=MyIssues.list),
                MessageInput(pass_on),
                getter=case_getter,
                state=MyIssues.case,
            ),
        )
    )


def setup() -> Router:
    """The way in from notices, on a fresh router."""
    router = Router(name="my-issues")
    router.callback_query.register(open_from_notice, IssueCB.filter())
    return router
