"""The review of the proposal form: what it shows, and saving, sending or leaving it."""

from __future__ import annotations

import logging
from typing import Any

from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager
from aiogram_dialog.widgets.kbd import Button

from handlers.dialogs.guard import Refused
from handlers.member.log_steps import member_log
from handlers.member.proposal_steps import draft_of
from handlers.member.proposal_texts import NOT_AVAILABLE, refusal_text
from handlers.texts import escape
from services.errors import DomainError
from services.proposals.drafting import SUGGESTIONS_MAX, convenor_sectors, save_draft
from services.proposals.submission import submit_proposal
from storage.models import Member

log = logging.getLogger(__name__)


async def sector_toggled(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Write in the name of the sector the member convenes, or in their own again."""
    writer = await member_log(manager)
    sectors = await convenor_sectors(writer.session, member_id=writer.member.id)
    if not sectors:
        raise Refused(_("Only the sector's convenor may write in its name."))
    current = manager.dialog_data.get("sector_id")
    manager.dialog_data["sector_id"] = None if current else sectors[0].id


async def _save(callback: CallbackQuery, manager: DialogManager) -> int | None:
    writer = await member_log(manager)
    try:
        proposal = await save_draft(
            writer.session,
            member_id=writer.member.id,
            draft=draft_of(manager),
            now=writer.now,
            tz=writer.turn.tz,
            proposal_id=manager.dialog_data.get("proposal_id"),
        )
    except DomainError as error:
        log.info("chat %s: proposal not saved: %s", callback.from_user.id, error.code)
        raise Refused(refusal_text(error), alert=True) from error
    manager.dialog_data["proposal_id"] = proposal.id
    return proposal.id


async def save_chosen(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Keep the draft to finish later."""
    await _save(callback, manager)
    writer = await member_log(manager)
    await manager.done()
    await writer.turn.say(_("💾 Draft saved. Open “📜 Proposals” to finish and send it later."))


async def submit_chosen(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Save, then send the proposal to the office; co-signers are invited."""
    proposal_id = await _save(callback, manager)
    writer = await member_log(manager)
    try:
        await submit_proposal(
            writer.session,
            member_id=writer.member.id,
            proposal_id=proposal_id or 0,
            notifier=manager.middleware_data["notifier"],
            now=writer.now,
            tz=writer.turn.tz,
        )
    except DomainError as error:
        raise Refused(refusal_text(error), alert=True) from error
    await manager.done()
    await writer.turn.say(
        _("📨 Your proposal was sent to the office. Co-signers are asked to confirm.")
    )


async def cancel_chosen(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Leave without saving what changed since the last save."""
    writer = await member_log(manager)
    await manager.done()
    await writer.turn.say(_("Closed without saving the changes."))


async def review_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """The form as it stands, for the review and the steps that list what was added."""
    writer = await member_log(dialog_manager)
    data = dialog_manager.dialog_data
    names: dict[str, str] = data.get("names", {})
    missing = [str(i) for i in data.get("cosigners", []) if str(i) not in names]
    if missing:
        for member_id in missing:
            member = await writer.session.get(Member, int(member_id))
            names[member_id] = member.name if member is not None else "?"
        data["names"] = names
    sectors = await convenor_sectors(writer.session, member_id=writer.member.id)
    sector = next((s for s in sectors if s.id == data.get("sector_id")), None)
    items = data.get("suggestions", [])
    return {
        "title": data.get("title", ""),
        "situation": data.get("situation", "") or "—",
        # Format draws it as it is: the member's items are escaped here.
        "items_html": "\n".join(f"{n}. {escape(text)}" for n, text in enumerate(items, start=1))
        or "—",
        "count": len(items),
        "has_items": bool(items),
        "maximum": SUGGESTIONS_MAX,
        "chosen": [[i, names.get(str(i), "?")] for i in data.get("cosigners", [])],
        "cosigner_names": "、".join(names.get(str(i), "?") for i in data.get("cosigners", []))
        or "—",
        "found": data.get("found", []),
        "files_count": len(data.get("files", [])),
        "convenor": bool(sectors),
        "in_sector": sector is not None,
        "sector_name": (sector.name_en if writer.turn.locale == "en" else sector.name_zh)
        if sector
        else "",
    }


def available_text() -> str:
    """The refusal for a draft that is not the member's (or gone)."""
    return _(NOT_AVAILABLE)
