"""The staff entry form's steps: what each accepts, what it refuses, where it goes next."""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot
from aiogram.types import CallbackQuery, Message, ReplyKeyboardRemove
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager, ShowMode

from handlers import keyboards
from handlers.dialogs.context import reader_of
from handlers.dialogs.press import answer_press, mark_choice, refuse_input
from handlers.staff.assessment_entry import EntryForm
from handlers.staff.assessment_entry_views import items_of, section_of
from handlers.staff.desk import desk_of
from handlers.texts import escape
from services.assessment.entries import (
    EVIDENCE_MAX,
    TITLE_MAX,
    add_entry,
    item_total_c,
)
from services.assessment.entry_errors import refusal_text
from services.assessment.entry_import import parse_day, search_members
from services.assessment.ranking import points_text
from services.errors import DomainError
from services.meetings.materials import MAX_FILE_BYTES, keep_file
from services.members.rules import RuleBook
from services.reference.catalog import display_name
from storage.models import Member, Sector

log = logging.getLogger(__name__)


async def _forged(callback: CallbackQuery, manager: DialogManager) -> None:
    log.warning("chat %s: entry form button refused", callback.from_user.id)
    await answer_press(manager, _("This button is not valid."), show_alert=True)


# --- the steps -------------------------------------------------------------------------------


async def member_typed(message: Message, widget: Any, manager: DialogManager) -> None:
    """Step 1: a roster code or a part of a name."""
    found = await search_members(desk_of(manager).session, message.text or "")
    if not found:
        await refuse_input(message, manager, _("No member matches that. Try a roster code."))
        return
    if len(found) == 1:
        await _chosen_member(manager, found[0])
        return
    manager.dialog_data["matches"] = [(str(m.id), f"{m.code} {m.name}") for m in found]
    await manager.switch_to(EntryForm.pick)


async def _chosen_member(manager: DialogManager, member: Member) -> None:
    manager.dialog_data.update(
        kind="member", member_id=member.id, sector_id=None, who=f"{member.code} {member.name}"
    )
    await manager.switch_to(EntryForm.item)


async def member_picked(
    callback: CallbackQuery, widget: Any, manager: DialogManager, item_id: str
) -> None:
    """One of several matches."""
    allowed = {key for key, _label in manager.dialog_data.get("matches", [])}
    member = (
        await desk_of(manager).session.get(Member, int(item_id)) if item_id in allowed else None
    )
    if member is None:
        await _forged(callback, manager)
        return
    await _chosen_member(manager, member)


async def to_sectors(callback: CallbackQuery, button: Any, manager: DialogManager) -> None:
    """Step 1: a sector instead of a member."""
    await manager.switch_to(EntryForm.sector)


async def sector_picked(
    callback: CallbackQuery, widget: Any, manager: DialogManager, item_id: str
) -> None:
    """A sector chosen."""
    sector = await desk_of(manager).session.get(Sector, int(item_id)) if item_id.isdigit() else None
    if sector is None:
        await _forged(callback, manager)
        return
    who = display_name(sector, reader_of(manager).locale)
    manager.dialog_data.update(kind="sector", member_id=None, sector_id=sector.id, who=who)
    await manager.switch_to(EntryForm.item)


async def item_picked(
    callback: CallbackQuery, widget: Any, manager: DialogManager, item_id: str
) -> None:
    """Step 2: the item; its level next if it has levels."""
    item = next((i for i in items_of(manager) if i.code == item_id), None)
    if item is None:
        await _forged(callback, manager)
        return
    name = item.name(reader_of(manager).locale)
    manager.dialog_data.update(item=item.code, item_name=f"{item.code} {name}", level="")
    await manager.switch_to(EntryForm.level if item.levels else EntryForm.date)


async def level_picked(
    callback: CallbackQuery, widget: Any, manager: DialogManager, item_id: str
) -> None:
    """The level of an item that has levels."""
    item = section_of(manager).item(manager.dialog_data.get("item", ""))
    if item is None or item_id not in item.levels:
        await _forged(callback, manager)
        return
    manager.dialog_data["level"] = item_id
    await manager.switch_to(EntryForm.date)


async def date_typed(message: Message, widget: Any, manager: DialogManager) -> None:
    """Step 3: a date of this year, not in the future."""
    today = reader_of(manager).today
    try:
        day = parse_day(message.text or "")
    except DomainError as error:
        await refuse_input(message, manager, refusal_text(error))
        return
    if day.year != today.year or day > today:
        text = _("Please give a date of {year}, not after today.").format(year=today.year)
        await refuse_input(message, manager, text)
        return
    manager.dialog_data["date"] = day.isoformat()
    await manager.switch_to(EntryForm.title)


async def title_typed(message: Message, widget: Any, manager: DialogManager) -> None:
    """Step 4: the title."""
    text = (message.text or "").strip()
    if not text or len(text) > TITLE_MAX:
        await refuse_input(
            message, manager, refusal_text(DomainError("entry_title_length", maximum=TITLE_MAX))
        )
        return
    manager.dialog_data["title"] = text
    await manager.switch_to(EntryForm.evidence)


async def evidence_typed(message: Message, widget: Any, manager: DialogManager) -> None:
    """Step 5: the evidence as text."""
    text = (message.text or "").strip()
    if len(text) > EVIDENCE_MAX:
        error = DomainError("entry_evidence_length", maximum=EVIDENCE_MAX)
        await refuse_input(message, manager, refusal_text(error))
        return
    manager.dialog_data["evidence"] = text
    await _review(manager)


async def evidence_file(message: Message, widget: Any, manager: DialogManager) -> None:
    """Step 5: a photo or a document, kept like the meeting materials."""
    desk = desk_of(manager)
    if message.photo:
        file_id, size = message.photo[-1].file_id, message.photo[-1].file_size
        name, mime = "evidence.jpg", "image/jpeg"
    else:
        assert message.document is not None
        document = message.document
        file_id, size = document.file_id, document.file_size
        name = document.file_name or "evidence"
        mime = document.mime_type or "application/octet-stream"
    if size and size > MAX_FILE_BYTES:
        await refuse_input(
            message, manager, _("That file is larger than 20 MB. Please send a smaller one.")
        )
        return
    bot: Bot = manager.middleware_data["bot"]
    downloaded = await bot.download(file_id)
    assert downloaded is not None
    key = await keep_file(
        desk.session, root=desk.files_dir, data=downloaded.read(), name=name, mime_type=mime,
        now=desk.now,
    )  # fmt: skip
    manager.dialog_data.update(
        file_key=key, evidence=(message.caption or "").strip()[:EVIDENCE_MAX]
    )
    await _review(manager)


async def evidence_skipped(callback: CallbackQuery, button: Any, manager: DialogManager) -> None:
    """No evidence beyond the title."""
    manager.show_mode = ShowMode.SEND
    await _review(manager)


async def evidence_skip_typed(message: Message, widget: Any, manager: DialogManager) -> None:
    """The keyboard's "⏭ Skip"."""
    await _review(manager)


async def _review(manager: DialogManager) -> None:
    await desk_of(manager).turn.say(_("Almost done."), reply_markup=ReplyKeyboardRemove())
    await manager.switch_to(EntryForm.review, show_mode=ShowMode.SEND)


async def save(callback: CallbackQuery, button: Any, manager: DialogManager) -> None:
    """Save the entry; the answer gives the subject's new total on the item."""
    desk = desk_of(manager)
    data = manager.dialog_data
    rulebook: RuleBook = manager.middleware_data["rulebook"]
    try:
        entry = await add_entry(
            desk.session,
            year=int(data["date"][:4]),
            item_code=data["item"],
            level=data.get("level", ""),
            member_id=data.get("member_id"),
            sector_id=data.get("sector_id"),
            occurred_on=parse_day(data["date"]),
            title=data["title"],
            evidence=data.get("evidence", ""),
            evidence_file_key=data.get("file_key"),
            actor=desk.actor,
            scope=desk.scope,
            channel="chat",
            now=desk.now,
            rulebook=rulebook,
            tz=desk.turn.tz,
        )
    except DomainError as error:
        # The draft stays: the review is still there to save again or discard.
        await answer_press(manager, refusal_text(error), show_alert=True)
        return
    item = section_of(manager).item(entry.item_code)
    assert item is not None
    total = await item_total_c(
        desk.session,
        year=entry.year,
        subject_kind=data["kind"],
        subject_id=entry.member_id or entry.sector_id or 0,
        item=item,
    )
    await manager.done()
    await mark_choice(manager, _("Entry saved."))
    text = _("{who} now has {points} points on {item} this year.").format(
        who=escape(data["who"]), points=points_text(total), item=escape(data["item_name"])
    )
    await desk.turn.say(text, reply_markup=keyboards.main_menu(desk.turn.menu_role))


async def discard(callback: CallbackQuery, button: Any, manager: DialogManager) -> None:
    """Drop the draft."""
    turn = desk_of(manager).turn
    await manager.done()
    await mark_choice(manager, _("Entry discarded."))
    await turn.say(_("Nothing was saved."), reply_markup=keyboards.main_menu(turn.menu_role))


# --- input of the wrong kind -----------------------------------------------------------------


async def text_expected(message: Message, widget: Any, manager: DialogManager) -> None:
    """A sticker or a photo where text is expected."""
    await refuse_input(message, manager, _("Please answer with text, or “✖ Cancel”."))


async def evidence_expected(message: Message, widget: Any, manager: DialogManager) -> None:
    """A sticker, a voice note… where the evidence is asked."""
    text = _("Please type the evidence, send a photo or a document, or skip.")
    await refuse_input(message, manager, text)


async def buttons_expected(message: Message, widget: Any, manager: DialogManager) -> None:
    """Typing where a button is expected."""
    await refuse_input(message, manager, _("Please choose with the buttons above."))
