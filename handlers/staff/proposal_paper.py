"""Entering a proposal received on paper: who, title, situation, items, co-signers, confirm.

Every answer is kept in the dialog's data, so a refused answer (an unknown code, an over-long
text) loses nothing typed before; the service checks everything again when it registers.
"""

from __future__ import annotations

from typing import Any

from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager, ShowMode, Window
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button, SwitchTo

from handlers.dialogs.text import T
from handlers.staff.desk import desk_of
from handlers.staff.proposal_states import StaffProposals
from handlers.staff.proposal_texts import refusal
from handlers.texts import escape
from services.assessment.entry_errors import refusal_text
from services.assessment.entry_import import subject_codes
from services.errors import DomainError
from services.proposals.imports import SEPARATORS as SEPARATORS_OF_CODES
from services.proposals.paper import SITUATION_MAX, check_suggestions, enter_paper_proposal
from services.proposals.paper import split_suggestions as split_items
from services.proposals.records import TITLE_MAX

PAPER_ERRORS = frozenset(
    {
        "proposal_suggestions_missing",
        "proposal_suggestions_many",
        "proposal_suggestion_length",
        "entry_title_missing",
        "entry_title_length",
        "entry_subject",
        "proposal_cosigner_lead",
        "year_closed",
    }
)


async def _refuse_typing(message: Message, manager: DialogManager, text: str) -> None:
    manager.show_mode = ShowMode.NO_UPDATE
    await message.answer(text)


async def who_typed(message: Message, widget: MessageInput, manager: DialogManager) -> None:
    """A member's or a sector's code."""
    code = (message.text or "").strip()
    members, sectors = await subject_codes(desk_of(manager).session)
    if code in members:
        manager.dialog_data.update(member=members[code], sector=None, who=code)
    elif code in sectors:
        manager.dialog_data.update(member=None, sector=sectors[code], who=code)
    else:
        await _refuse_typing(
            message,
            manager,
            _("No member or sector has the code {code}.").format(code=escape(code[:40])),
        )
        return
    await manager.switch_to(StaffProposals.paper_title)


async def title_typed(message: Message, widget: MessageInput, manager: DialogManager) -> None:
    """The title."""
    title = (message.text or "").strip()
    if not title or len(title) > TITLE_MAX:
        await _refuse_typing(
            message,
            manager,
            _("Please write a title of 1 to {maximum} characters.").format(maximum=TITLE_MAX),
        )
        return
    manager.dialog_data["title"] = title
    await manager.switch_to(StaffProposals.paper_situation)


async def situation_typed(message: Message, widget: MessageInput, manager: DialogManager) -> None:
    """The situation, as long as the paper has it (within the limit)."""
    situation = (message.text or "").strip()
    if len(situation) > SITUATION_MAX:
        await _refuse_typing(
            message,
            manager,
            _("Please keep the situation within {maximum} characters.").format(
                maximum=SITUATION_MAX
            ),
        )
        return
    manager.dialog_data["situation"] = situation
    await manager.switch_to(StaffProposals.paper_items)


async def items_typed(message: Message, widget: MessageInput, manager: DialogManager) -> None:
    """The suggestions: one a line, or separated by "；"."""
    try:
        items = check_suggestions(split_items(message.text or ""))
    except DomainError as error:
        await _refuse_typing(message, manager, refusal_text(error))
        return
    manager.dialog_data["items"] = items
    await manager.switch_to(StaffProposals.paper_cosigners)


async def cosigners_typed(message: Message, widget: MessageInput, manager: DialogManager) -> None:
    """Co-signers' member codes, separated by commas or spaces."""
    members, _sectors = await subject_codes(desk_of(manager).session)
    codes = [code for code in SEPARATORS_OF_CODES.split(message.text or "") if code]
    unknown = [code for code in codes if code not in members]
    if unknown:
        await _refuse_typing(
            message,
            manager,
            _("No member has the code {code}.").format(code=escape(unknown[0][:40])),
        )
        return
    manager.dialog_data["cosigners"] = [members[code] for code in codes]
    manager.dialog_data["cosigner_codes"] = codes
    await manager.switch_to(StaffProposals.paper_confirm)


async def confirm_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """What will be registered."""
    data = dialog_manager.dialog_data
    return {
        "who": data.get("who", ""),
        "title": data.get("title", ""),
        "count": len(data.get("items", [])),
        "cosigners": "、".join(data.get("cosigner_codes", [])) or "—",
    }


async def paper_confirmed(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Register it under the next number."""
    desk = desk_of(manager)
    data = manager.dialog_data
    try:
        proposal = await enter_paper_proposal(
            desk.session,
            year=desk.today.year,
            title=str(data.get("title") or ""),
            situation=str(data.get("situation") or ""),
            suggestions=list(data.get("items", [])),
            submitted_on=desk.today,
            member_id=data.get("member"),
            sector_id=data.get("sector"),
            cosigner_ids=list(data.get("cosigners", [])),
            actor=desk.actor,
            scope=desk.scope,
            now=desk.now,
            rulebook=manager.middleware_data["rulebook"],
            tz=desk.turn.tz,
        )
    except DomainError as error:
        text = refusal_text(error) if error.code in PAPER_ERRORS else refusal(error)
        await callback.answer(text, show_alert=True)
        return
    await callback.answer()
    await desk.turn.say(_("Registered as {number}.").format(number=proposal.number))
    manager.dialog_data.clear()
    manager.dialog_data["id"] = proposal.id
    await manager.switch_to(StaffProposals.card, show_mode=ShowMode.SEND)


def paper_windows() -> list[Window]:
    """The steps of a paper proposal, for the desk's dialog."""
    back = SwitchTo(T("◀ Proposals"), id="paper_back", state=StaffProposals.shelves)
    return [
        Window(
            T("Paper proposal · whose is it? Type the member's code (like M001) or the sector's."),
            MessageInput(who_typed, content_types=["text"]),
            back,
            state=StaffProposals.paper_who,
        ),
        Window(
            T("The title, as on the paper."),
            MessageInput(title_typed, content_types=["text"]),
            back,
            state=StaffProposals.paper_title,
        ),
        Window(
            T("The situation (the reasons and the facts)."),
            MessageInput(situation_typed, content_types=["text"]),
            back,
            state=StaffProposals.paper_situation,
        ),
        Window(
            T("The suggestions: one a line, or separated by “；”."),
            MessageInput(items_typed, content_types=["text"]),
            back,
            state=StaffProposals.paper_items,
        ),
        Window(
            T("Co-signers' member codes, separated by commas; or none."),
            MessageInput(cosigners_typed, content_types=["text"]),
            SwitchTo(T("⏭ No co-signers"), id="no_cosigners", state=StaffProposals.paper_confirm),
            back,
            state=StaffProposals.paper_cosigners,
        ),
        Window(
            T("Register “{title}” by {who}, with {count} suggestions; co-signed by {cosigners}?"),
            Button(T("✔ Register"), id="paper_ok", on_click=paper_confirmed),
            back,
            getter=confirm_getter,
            state=StaffProposals.paper_confirm,
        ),
    ]
