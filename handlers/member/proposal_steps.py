"""The callbacks of the proposal form: what each step takes, and saving or sending it.

The form's content lives in the dialog's data until it is saved, so a refusal (a title too
long, a file too large) loses nothing typed before; saving writes the whole draft at once.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Any

from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Data, DialogManager, ShowMode
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button, Select

from handlers.dialogs.guard import Refused
from handlers.dialogs.press import refuse_input
from handlers.member.log_steps import member_log
from handlers.member.proposal_states import ProposalForm
from handlers.member.proposal_texts import refusal_text
from services.errors import DomainError
from services.pipeline.items import split_numbered
from services.proposals.drafting import (
    COSIGNERS_MAX,
    SITUATION_MAX,
    TITLE_MAX,
    AttachedFile,
    DraftInput,
    check_draft,
    check_files,
    find_members,
    own_draft,
    stored_draft,
)

log = logging.getLogger(__name__)
ORDER = (
    ProposalForm.title,
    ProposalForm.situation,
    ProposalForm.suggestions,
    ProposalForm.cosigners,
    ProposalForm.files,
    ProposalForm.review,
)


async def form_started(start_data: Data, manager: DialogManager) -> None:
    """A new proposal, or the member's draft ``proposal_id`` to go on writing."""
    data: dict[str, Any] = {"suggestions": [], "cosigners": [], "files": [], "sector_id": None}
    start = start_data if isinstance(start_data, dict) else {}
    proposal_id = start.get("proposal_id")
    if proposal_id:
        writer = await member_log(manager)
        draft = await own_draft(writer.session, member_id=writer.member.id, proposal_id=proposal_id)
        stored = await stored_draft(writer.session, draft)
        data.update(
            proposal_id=proposal_id,
            title=stored.title,
            situation=stored.situation,
            suggestions=list(stored.suggestions),
            cosigners=list(stored.cosigner_ids),
            files=[asdict(attached) for attached in stored.files],
            sector_id=stored.sector_id,
        )
    manager.dialog_data.update(data)
    if proposal_id:
        await manager.switch_to(ProposalForm.review)


def draft_of(manager: DialogManager) -> DraftInput:
    """The form's content as the services take it."""
    data = manager.dialog_data
    return DraftInput(
        title=data.get("title", ""),
        situation=data.get("situation", ""),
        suggestions=tuple(data.get("suggestions", [])),
        cosigner_ids=tuple(data.get("cosigners", [])),
        files=tuple(AttachedFile(**item) for item in data.get("files", [])),
        sector_id=data.get("sector_id"),
    )


async def advance(manager: DialogManager) -> None:
    """The next step, or back to the review when the member was changing one part."""
    state = manager.current_context().state
    if manager.dialog_data.pop("editing", False) or state == ProposalForm.files:
        await manager.switch_to(ProposalForm.review, show_mode=ShowMode.SEND)
        return
    await manager.switch_to(ORDER[ORDER.index(state) + 1], show_mode=ShowMode.SEND)


async def text_expected(message: Message, widget: MessageInput, manager: DialogManager) -> None:
    """Anything but text on a step that wants text."""
    await refuse_input(message, manager, _("Please type the text as a message."))


async def title_typed(message: Message, widget: MessageInput, manager: DialogManager) -> None:
    """Keep the title; too long or empty is refused with the limit."""
    text = (message.text or "").strip()
    if not text or len(text) > TITLE_MAX:
        await refuse_input(
            message, manager, _("The title is too long: at most {maximum} characters.").format(
                maximum=TITLE_MAX
            ) if text else _("Please give the proposal a title."),
        )  # fmt: skip
        return
    manager.dialog_data["title"] = text
    await advance(manager)


async def situation_typed(message: Message, widget: MessageInput, manager: DialogManager) -> None:
    """Keep the description of the situation."""
    text = (message.text or "").strip()
    if len(text) > SITUATION_MAX:
        await refuse_input(
            message,
            manager,
            _("The situation is too long: at most {maximum} characters.").format(
                maximum=SITUATION_MAX
            ),
        )
        return
    manager.dialog_data["situation"] = text
    await advance(manager)


async def suggestions_typed(message: Message, widget: MessageInput, manager: DialogManager) -> None:
    """Add the items of one message: numbered lines are separate items."""
    items = list(manager.dialog_data.get("suggestions", [])) + split_numbered(message.text or "")
    try:
        check_draft(DraftInput(title="-", suggestions=tuple(items)), submitting=False)
    except DomainError as error:
        await refuse_input(message, manager, refusal_text(error))
        return
    manager.dialog_data["suggestions"] = items


async def suggestions_cleared(
    callback: CallbackQuery, button: Button, manager: DialogManager
) -> None:
    """Start the items afresh."""
    manager.dialog_data["suggestions"] = []


async def step_done(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """The member is done with this step."""
    if manager.current_context().state == ProposalForm.suggestions and not manager.dialog_data.get(
        "suggestions"
    ):
        raise Refused(_("Please add at least one suggestion."), alert=True)
    await advance(manager)


async def name_typed(message: Message, widget: MessageInput, manager: DialogManager) -> None:
    """Look co-signers up by name; the matches are offered as buttons."""
    writer = await member_log(manager)
    exclude = (writer.member.id, *manager.dialog_data.get("cosigners", []))
    found = await find_members(writer.session, text=message.text or "", exclude=exclude)
    manager.dialog_data["found"] = [[m.id, m.name] for m in found]
    if not found:
        await refuse_input(message, manager, _("No serving member has that name. Try again."))


async def cosigner_picked(
    callback: CallbackQuery, widget: Select[str], manager: DialogManager, item: str
) -> None:
    """Add a member found by the search; a member the search did not offer is refused."""
    offered = {str(member_id): name for member_id, name in manager.dialog_data.get("found", [])}
    if item not in offered:
        raise Refused(_("This button is not valid."))
    chosen = manager.dialog_data.setdefault("cosigners", [])
    names = manager.dialog_data.setdefault("names", {})
    if len(chosen) >= COSIGNERS_MAX:
        raise Refused(_("At most {maximum} co-signers, please.").format(maximum=COSIGNERS_MAX))
    chosen.append(int(item))
    names[item] = offered[item]
    manager.dialog_data["found"] = []


async def cosigner_dropped(
    callback: CallbackQuery, widget: Select[str], manager: DialogManager, item: str
) -> None:
    """Take a chosen co-signer off the list."""
    chosen = manager.dialog_data.get("cosigners", [])
    if not item.isdigit() or int(item) not in chosen:
        raise Refused(_("This button is not valid."))
    chosen.remove(int(item))


async def file_sent(message: Message, widget: MessageInput, manager: DialogManager) -> None:
    """Attach a photo or a document; anything else, too many or too large is refused."""
    channel = manager.middleware_data["channel"]
    if message.photo:
        largest = message.photo[-1]
        attached = AttachedFile(
            "photo", channel, largest.file_id, largest.file_unique_id, file_size=largest.file_size
        )
    elif message.document:
        doc = message.document
        attached = AttachedFile(
            "document", channel, doc.file_id, doc.file_unique_id,
            file_name=(doc.file_name or "")[:200] or None, mime_type=doc.mime_type,
            file_size=doc.file_size,
        )  # fmt: skip
    else:
        await refuse_input(message, manager, _("Please send a photo or a document."))
        return
    files = [*manager.dialog_data.get("files", []), asdict(attached)]
    try:
        check_files(tuple(AttachedFile(**item) for item in files))
    except DomainError as error:
        await refuse_input(message, manager, refusal_text(error))
        return
    manager.dialog_data["files"] = files


async def files_cleared(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Remove every attachment."""
    manager.dialog_data["files"] = []


async def edit_part(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """A review button opens one step, which comes back to the review."""
    manager.dialog_data["editing"] = True
