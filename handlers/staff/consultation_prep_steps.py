"""What the preparation desk's presses and messages do: materials, research tasks, the draft."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from aiogram import Bot
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager, ShowMode

from handlers.dialogs.press import answer_press, refuse_input
from handlers.parsing import parse_day
from handlers.staff.desk import desk_of
from services.consultations.drafts import DRAFT_MAX, save_draft, send_draft_round
from services.consultations.materials import MATERIALS_MAX, add_material, remove_material
from services.consultations.research import (
    ASSIGNEE_MAX,
    WHAT_MAX,
    add_research_task,
    mark_task_done,
)
from services.errors import DomainError
from services.meetings.materials import MAX_FILE_BYTES, keep_file

log = logging.getLogger(__name__)
# A draft's comments close at the end of the chosen day, committee time.
DAY_END = dt.time(23, 59)


class StaffPrep(StatesGroup):
    """A meeting's preparation: the overview, and the steps of each addition."""

    overview = State()
    material = State()
    assignee = State()
    what = State()
    due = State()
    draft = State()
    deadline = State()
    comments = State()


def meeting_of(manager: DialogManager) -> int:
    """The meeting the desk was opened for."""
    return int(manager.dialog_data.get("meeting", 0))


async def open_prep(callback: CallbackQuery, button: Any, manager: DialogManager) -> None:
    """The meeting card's "Preparation"."""
    await manager.start(StaffPrep.overview, data={"meeting": meeting_of(manager)})


async def on_start(start_data: Any, manager: DialogManager) -> None:
    """Remember the meeting the card opened."""
    if isinstance(start_data, dict):
        manager.dialog_data["meeting"] = int(start_data.get("meeting", 0))


async def material_received(message: Message, widget: Any, manager: DialogManager) -> None:
    """A document becomes the meeting's next material."""
    desk = desk_of(manager)
    document = message.document
    if document is None:
        await refuse_input(message, manager, _("Please send the material as a document."))
        return
    if document.file_size and document.file_size > MAX_FILE_BYTES:
        await refuse_input(
            message, manager, _("That file is larger than 20 MB. Please send a smaller one.")
        )
        return
    bot: Bot = manager.middleware_data["bot"]
    downloaded = await bot.download(document.file_id)
    assert downloaded is not None
    name = document.file_name or "materials"
    key = await keep_file(
        desk.session,
        root=desk.files_dir,
        data=downloaded.read(),
        name=name,
        mime_type=document.mime_type or "application/octet-stream",
        now=desk.now,
        telegram_file_id=document.file_id,
    )
    try:
        await add_material(
            desk.session,
            meeting_id=meeting_of(manager),
            file_key=key,
            name=name,
            staff_id=desk.staff.id,
            now=desk.now,
            actor=desk.actor,
        )
    except DomainError as error:
        text = (
            _("A meeting has at most {limit} materials.").format(limit=MATERIALS_MAX)
            if error.code == "too_many"
            else _("This meeting is not available.")
        )
        await refuse_input(message, manager, text)
        return
    await manager.switch_to(StaffPrep.overview)


async def material_removed(
    callback: CallbackQuery, widget: Any, manager: DialogManager, item_id: str
) -> None:
    """Take a material off this meeting; another meeting's is refused."""
    desk = desk_of(manager)
    try:
        await remove_material(
            desk.session,
            meeting_id=meeting_of(manager),
            material_id=int(item_id) if item_id.isdigit() else 0,
            now=desk.now,
            actor=desk.actor,
        )
    except DomainError:
        log.warning("staff %s: material %r refused", desk.staff.id, item_id)
        await answer_press(manager, _("This file is not available."), show_alert=True)
        return
    await answer_press(manager, _("Removed."))
    manager.show_mode = ShowMode.EDIT


async def assignee_typed(message: Message, widget: Any, manager: DialogManager) -> None:
    """Research step 1: a member's code, a guest's name, or any name."""
    typed = (message.text or "").strip()
    if not typed or len(typed) > ASSIGNEE_MAX:
        await refuse_input(
            message,
            manager,
            _("Send who researches as text, up to {limit} characters.").format(limit=ASSIGNEE_MAX),
        )
        return
    manager.dialog_data["assignee"] = typed
    await manager.switch_to(StaffPrep.what)


async def what_typed(message: Message, widget: Any, manager: DialogManager) -> None:
    """Research step 2: what to research."""
    what = (message.text or "").strip()
    if not what or len(what) > WHAT_MAX:
        await refuse_input(
            message,
            manager,
            _("Send what to research as text, up to {limit} characters.").format(limit=WHAT_MAX),
        )
        return
    manager.dialog_data["what"] = what
    await manager.switch_to(StaffPrep.due)


async def due_typed(message: Message, widget: Any, manager: DialogManager) -> None:
    """Research step 3: the due date; the task is added and a member assignee told."""
    desk = desk_of(manager)
    day = parse_day(message.text or "", desk.today)
    if day is None or day < desk.today:
        await refuse_input(message, manager, _("Send a date from today on, like 2026-12-31."))
        return
    try:
        await add_research_task(
            desk.session,
            meeting_id=meeting_of(manager),
            assignee=str(manager.dialog_data.get("assignee", "")),
            what=str(manager.dialog_data.get("what", "")),
            due_on=day,
            staff_id=desk.staff.id,
            now=desk.now,
            tz=desk.turn.tz,
            actor=desk.actor,
            notifier=manager.middleware_data["notifier"],
        )
    except DomainError as error:
        log.info("staff %s: research task refused (%s)", desk.staff.id, error.code)
        await refuse_input(message, manager, _("This meeting is not available."))
        return
    wake: Callable[[], None] = manager.middleware_data["wake_delivery"]
    wake()
    await manager.switch_to(StaffPrep.overview)


async def task_done(
    callback: CallbackQuery, widget: Any, manager: DialogManager, item_id: str
) -> None:
    """Mark a research task of this meeting done."""
    desk = desk_of(manager)
    try:
        await mark_task_done(
            desk.session,
            meeting_id=meeting_of(manager),
            task_id=int(item_id) if item_id.isdigit() else 0,
            now=desk.now,
            actor=desk.actor,
        )
    except DomainError:
        log.warning("staff %s: research task %r refused", desk.staff.id, item_id)
        await answer_press(manager, _("This task is not available."), show_alert=True)
        return
    await answer_press(manager, _("Marked done."))
    manager.show_mode = ShowMode.EDIT


async def draft_received(message: Message, widget: Any, manager: DialogManager) -> None:
    """Draft step 1: the draft as text, or as a document (its caption is the text)."""
    desk = desk_of(manager)
    text = message.text or message.caption or ""
    if len(text) > DRAFT_MAX:
        await refuse_input(
            message,
            manager,
            _("The draft can be up to {limit} characters; send it as a document instead.").format(
                limit=DRAFT_MAX
            ),
        )
        return
    key = name = None
    if message.document is not None:
        bot: Bot = manager.middleware_data["bot"]
        downloaded = await bot.download(message.document.file_id)
        assert downloaded is not None
        name = message.document.file_name or "draft"
        key = await keep_file(
            desk.session,
            root=desk.files_dir,
            data=downloaded.read(),
            name=name,
            mime_type=message.document.mime_type or "application/octet-stream",
            now=desk.now,
            telegram_file_id=message.document.file_id,
        )
    elif not text.strip():
        await refuse_input(message, manager, _("Send the draft as text or as a document."))
        return
    manager.dialog_data.update(draft_text=text, draft_file=key, draft_name=name)
    await manager.switch_to(StaffPrep.deadline)


async def deadline_typed(message: Message, widget: Any, manager: DialogManager) -> None:
    """Draft step 2: the last day for comments; the draft is saved."""
    desk = desk_of(manager)
    day = parse_day(message.text or "", desk.today)
    if day is None or day < desk.today:
        await refuse_input(message, manager, _("Send a date from today on, like 2026-12-31."))
        return
    until = dt.datetime.combine(day, DAY_END, tzinfo=desk.turn.tz).astimezone(dt.UTC)
    data = manager.dialog_data
    try:
        await save_draft(
            desk.session,
            meeting_id=meeting_of(manager),
            text=str(data.get("draft_text") or ""),
            file_key=data.get("draft_file"),
            file_name=data.get("draft_name"),
            comments_until=until,
            staff_id=desk.staff.id,
            now=desk.now,
            actor=desk.actor,
        )
    except DomainError as error:
        log.info("staff %s: draft refused (%s)", desk.staff.id, error.code)
        await refuse_input(message, manager, _("This meeting is not available."))
        return
    await manager.switch_to(StaffPrep.overview)


async def send_round(callback: CallbackQuery, button: Any, manager: DialogManager) -> None:
    """Send the draft to the invited members and the guests."""
    desk = desk_of(manager)
    try:
        queued = await send_draft_round(
            desk.session,
            meeting_id=meeting_of(manager),
            now=desk.now,
            actor=desk.actor,
            notifier=manager.middleware_data["notifier"],
        )
    except DomainError as error:
        text = (
            _("The deadline for comments has passed; write the draft again with a new one.")
            if error.code == "deadline_past"
            else _("Write the draft first.")
        )
        await answer_press(manager, text, show_alert=True)
        return
    wake: Callable[[], None] = manager.middleware_data["wake_delivery"]
    wake()
    await answer_press(manager, _("Sent to {count} chats.").format(count=queued))
    manager.show_mode = ShowMode.EDIT
