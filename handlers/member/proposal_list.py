"""The member's proposals: the list, a card per proposal, and rating the handling.

A dialog: the list pages through the proposals the member leads, wrote or co-signs; a card
shows one with its items and, once answered, each department's answer. A draft goes back to
the form; a sent one can be taken back until the office registers it; an answered one is
rated. Every id is checked again against the reader; the Rate button names the state it was
drawn for, so a press on a card that moved on is refused and the current card shown.
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager, ShowMode, StartMode, Window
from aiogram_dialog.widgets.common import ManagedScroll
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button, Row, Select, StubScroll, SwitchTo
from aiogram_dialog.widgets.text import Format, Multi
from markupsafe import Markup

from handlers.dialogs.guard import Refused, guard
from handlers.dialogs.markup import Label
from handlers.dialogs.paging import choices, page_buttons
from handlers.dialogs.press import answer_press
from handlers.dialogs.text import T
from handlers.member import proposal_rating as rating
from handlers.member.log_steps import member_log
from handlers.member.proposal_rating import chosen_proposal
from handlers.member.proposal_states import MyProposals, ProposalForm
from handlers.member.proposal_texts import NOT_AVAILABLE, refusal_text, render_card, state_label
from handlers.texts import shorten
from services.errors import DomainError
from services.proposals.member_views import (
    ProposalView,
    drawn_version,
    get_member_proposal,
    list_member_proposals,
)
from services.proposals.submission import withdraw_proposal
from services.translation import N_
from storage.enums import ProposalState

log = logging.getLogger(__name__)


async def reader_view(manager: DialogManager, proposal_id: int) -> ProposalView | None:
    """The proposal as the pressing member may read it; None for anyone else's."""
    reader = await member_log(manager)
    return await get_member_proposal(
        reader.session, member_id=reader.member.id, proposal_id=proposal_id
    )


async def card_started(start_data: Any, manager: DialogManager) -> None:
    """Opened on a card (or its rating) from a notice: the proposal and the version pressed."""
    if isinstance(start_data, dict):
        manager.dialog_data.update(
            {key: start_data[key] for key in ("proposal", "drawn") if key in start_data}
        )


def _scroll(manager: DialogManager) -> ManagedScroll:
    scroll = manager.find("pages")
    assert isinstance(scroll, ManagedScroll)
    return scroll


async def page_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """A page of the member's proposals, the latest change first."""
    reader = await member_log(dialog_manager)
    scroll = _scroll(dialog_manager)
    wanted = await scroll.get_page()
    page = await list_member_proposals(reader.session, member_id=reader.member.id, page=wanted)
    if page.page != wanted:
        await scroll.set_page(page.page)
    items = [
        (p.id, f"{p.number or '—'} · {state_label(p.state)} · {shorten(p.title, 24)}")
        for p in page.items
    ]
    return {
        "items": items,
        "total": page.total,
        "page": page.page + 1,
        "pages": page.pages,
        "paged": page.pages > 1,
    }


async def proposal_chosen(
    callback: CallbackQuery, widget: Select[str], manager: DialogManager, item: str
) -> None:
    """Open a proposal of the list; anything not the reader's is refused."""
    proposal_id = int(item) if item.isdigit() else 0
    if await reader_view(manager, proposal_id) is None:
        log.warning("chat %s asked for proposal %r", callback.from_user.id, item)
        raise Refused(_(NOT_AVAILABLE), alert=True)
    manager.dialog_data["proposal"] = proposal_id
    await manager.switch_to(MyProposals.card)


async def new_chosen(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Write a new proposal."""
    await manager.start(ProposalForm.title, show_mode=ShowMode.SEND)


async def card_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """The chosen proposal's card, read afresh; the version its buttons are drawn for."""
    reader = await member_log(dialog_manager)
    view = await reader_view(dialog_manager, chosen_proposal(dialog_manager))
    if view is None:
        return {
            "card": _(NOT_AVAILABLE),
            "rateable": False,
            "draft": False,
            "sent": False,
            "files": 0,
        }
    dialog_manager.dialog_data["drawn"] = drawn_version(view.proposal)
    state = view.proposal.state
    return {
        # Our msgids around escaped values: markup as it stands.
        "card": Markup(render_card(view, reader.turn.locale)),  # noqa: S704
        "rateable": view.rateable,
        "draft": view.own and state == ProposalState.DRAFT,
        "sent": view.own and state == ProposalState.SUBMITTED,
        "files": len(view.files),
    }


async def _as_drawn(callback: CallbackQuery, manager: DialogManager) -> ProposalView | None:
    """The proposal, if it still stands as its card showed it; else None, the card drawn again."""
    view = await reader_view(manager, chosen_proposal(manager))
    if view is None:
        raise Refused(_(NOT_AVAILABLE), alert=True)
    if drawn_version(view.proposal) == manager.dialog_data.get("drawn"):
        return view
    log.info("chat %s: stale card of proposal %s", callback.from_user.id, view.proposal.id)
    await answer_press(manager, refusal_text(DomainError("proposal_stale")), show_alert=True)
    manager.show_mode = ShowMode.EDIT
    await manager.switch_to(MyProposals.card)
    return None


def _offered(allowed: bool) -> None:
    """Refuse a button the card would not draw for this proposal (a forged press)."""
    if not allowed:
        raise Refused(_("This button is not valid."))


async def rate_chosen(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Ask for the rating of the answered proposal."""
    view = await _as_drawn(callback, manager)
    if view is not None:
        _offered(view.rateable)
        await manager.switch_to(MyProposals.rate)


async def edit_chosen(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Go on writing the draft."""
    view = await _as_drawn(callback, manager)
    if view is not None:
        _offered(view.own and view.proposal.state == ProposalState.DRAFT)
        await manager.start(
            ProposalForm.review, data={"proposal_id": view.proposal.id}, show_mode=ShowMode.SEND
        )


async def withdraw_chosen(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Take the sent proposal back; it is a draft again."""
    view = await _as_drawn(callback, manager)
    if view is None:
        return
    _offered(view.own and view.proposal.state == ProposalState.SUBMITTED)
    reader = await member_log(manager)
    try:
        await withdraw_proposal(
            reader.session,
            member_id=reader.member.id,
            proposal_id=chosen_proposal(manager),
            now=reader.now,
        )
    except DomainError as error:
        raise Refused(refusal_text(error), alert=True) from error
    await answer_press(manager, _("Taken back: it is a draft again."))
    manager.show_mode = ShowMode.EDIT


async def files_chosen(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Send the proposal's attachments below the card."""
    view = await reader_view(manager, chosen_proposal(manager))
    if view is None:
        raise Refused(_(NOT_AVAILABLE), alert=True)
    await answer_press(manager)
    bot: Bot = manager.middleware_data["bot"]
    for attached in view.files:
        try:
            if attached.kind == "photo":
                await bot.send_photo(callback.from_user.id, attached.file_id)
            else:
                await bot.send_document(callback.from_user.id, attached.file_id)
        except TelegramAPIError as error:
            log.warning("file %s of proposal %s: %s", attached.id, view.proposal.id, error)
            await bot.send_message(callback.from_user.id, _("An attachment could not be shown."))


def proposals_dialog() -> Dialog:
    """A fresh My proposals dialog (one per Dispatcher)."""
    return guard(
        Dialog(
            Window(
                Multi(
                    T("<b>My proposals</b>: {total} in all."),
                    T("Page {page} of {pages}.", when="paged"),
                    sep=" ",
                ),
                choices("proposal", proposal_chosen),
                StubScroll(id="pages", pages="pages"),
                page_buttons(
                    "pages", back=("newer", N_("◀ Newer")), forward=("older", N_("Older ▶"))
                ),
                Button(Label("➕ New proposal"), id="new", on_click=new_chosen),
                getter=page_getter,
                state=MyProposals.list,
            ),
            Window(
                Format("{card}"),
                Button(
                    Label("⭐ Rate the handling"), id="rate", on_click=rate_chosen, when="rateable"
                ),
                Button(Label("✏️ Go on writing"), id="edit", on_click=edit_chosen, when="draft"),
                Button(
                    Label("↩ Take it back"), id="withdraw", on_click=withdraw_chosen, when="sent"
                ),
                Button(
                    T("📎 Attachments ({files})"), id="files", on_click=files_chosen, when="files"
                ),
                SwitchTo(Label("◀ Back to my proposals"), id="back", state=MyProposals.list),
                getter=card_getter,
                state=MyProposals.card,
            ),
            Window(
                T("How satisfied are you with the handling of this proposal?"),
                rating.choices_of_values(),
                SwitchTo(Label("◀ Back"), id="rate_back", state=MyProposals.card),
                getter=rating.rating_getter,
                state=MyProposals.rate,
            ),
            Window(
                T("Please say in writing why you are not satisfied. It goes to the departments."),
                MessageInput(rating.reason_typed),
                SwitchTo(Label("◀ Back"), id="reason_back", state=MyProposals.rate),
                getter=rating.rating_getter,
                state=MyProposals.reason,
            ),
            Window(
                T("Your rating: <b>{value_label}</b>"),
                T("<blockquote>{reason}</blockquote>", when="has_reason"),
                Row(
                    Button(Label("✅ Confirm"), id="confirm", on_click=rating.confirm_chosen),
                    SwitchTo(Label("◀ Back"), id="confirm_back", state=MyProposals.rate),
                ),
                getter=rating.rating_getter,
                state=MyProposals.confirm,
            ),
            on_start=card_started,
        )
    )


async def start_card(manager: DialogManager, proposal_id: int, *, drawn: str | None = None) -> None:
    """Open the proposal's card, or its rating when the press named the version it rates."""
    data: dict[str, Any] = {"proposal": proposal_id}
    if drawn is not None:
        data["drawn"] = drawn
    await manager.start(
        MyProposals.rate if drawn is not None else MyProposals.card,
        data=data,
        mode=StartMode.NORMAL,
        show_mode=ShowMode.SEND,
    )
