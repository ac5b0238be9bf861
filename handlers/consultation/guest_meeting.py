"""A guest's consultation: the meetings their passes open, with agenda, materials, "Speak".

Every draw and every press checks the pass again (:func:`guest_of`): a pass revoked or
expired while the card is open opens nothing more.
"""

from __future__ import annotations

import logging
from operator import itemgetter
from typing import Any

from aiogram import F
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager, Window
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button, Column, Select, SwitchTo
from aiogram_dialog.widgets.text import Format
from markupsafe import Markup

from handlers.consultation.draft_comments import open_comments
from handlers.consultation.entry import start_speaking
from handlers.dialogs.context import reader_of
from handlers.dialogs.press import answer_press, pass_on
from handlers.dialogs.text import T
from handlers.outgoing import AttachmentGoneError, attachment_of
from handlers.texts import escape, local_time
from services.consultations.drafts import draft_of
from services.consultations.guest_invites import guest_meeting_ids
from services.consultations.guests import guest_of
from services.consultations.materials import material_for, materials_of
from services.errors import DomainError
from services.meetings.views import get_meeting
from storage.models import ChatIdentity

log = logging.getLogger(__name__)


class GuestDesk(StatesGroup):
    """The guest's meetings, and one meeting's card."""

    list = State()
    card = State()


def _identity_id(manager: DialogManager) -> int:
    identity: ChatIdentity | None = manager.middleware_data.get("identity")
    return identity.id or 0 if identity is not None else 0


async def listed(dialog_manager: DialogManager, **_data: Any) -> dict[str, Any]:
    """The meetings the chat's valid passes open."""
    reader = reader_of(dialog_manager)
    items = []
    for meeting_id in await guest_meeting_ids(
        reader.session, identity_id=_identity_id(dialog_manager), now=reader.now
    ):
        meeting = await get_meeting(reader.session, meeting_id)
        if meeting is not None:
            label = f"{local_time(meeting.starts_at, reader.tz)} · {meeting.title}"
            items.append((str(meeting_id), label[:60]))
    return {"meetings": items, "any": bool(items)}


async def card(dialog_manager: DialogManager, **_data: Any) -> dict[str, Any]:
    """The chosen meeting as its guest sees it, read afresh each time."""
    reader = reader_of(dialog_manager)
    meeting_id = int(dialog_manager.dialog_data.get("meeting", 0))
    guest = await guest_of(
        reader.session,
        identity_id=_identity_id(dialog_manager),
        meeting_id=meeting_id,
        now=reader.now,
    )
    meeting = await get_meeting(reader.session, meeting_id) if guest is not None else None
    if meeting is None:
        return {"card": "", "found": False, "materials": [], "live": False, "draft": False}
    tz = reader.tz
    lines = [
        f"<b>{escape(meeting.title)}</b>",
        _("When: {value}").format(
            value=f"{local_time(meeting.starts_at, tz)} – {local_time(meeting.ends_at, tz)}"
        ),
        _("Venue: {value}").format(value=escape(meeting.venue)),
    ]
    if meeting.cancelled_at is not None:
        lines.append(
            _("✖ Cancelled at {when}.").format(when=local_time(meeting.cancelled_at, reader.tz))
        )
    if meeting.agenda:
        lines += ["", _("<b>Agenda</b>"), escape(meeting.agenda)]
    materials = await materials_of(reader.session, meeting_id=meeting_id)
    draft = await draft_of(reader.session, meeting_id=meeting_id)
    return {
        "draft": draft is not None and draft.sent_at is not None,
        # Built from our msgids and escaped values, so it is markup as it stands.
        "card": Markup("\n".join(lines)),  # noqa: S704
        "found": True,
        "materials": [(str(m.id), f"📎 {m.name}"[:60]) for m in materials],
        "live": meeting.cancelled_at is None,
    }


async def on_start(start_data: Any, manager: DialogManager) -> None:
    """Open the only meeting's card straight away; several passes start on the list."""
    if isinstance(start_data, dict) and start_data.get("meeting"):
        manager.dialog_data["meeting"] = int(start_data["meeting"])


async def meeting_chosen(
    callback: CallbackQuery, widget: Any, manager: DialogManager, item_id: str
) -> None:
    """Open a meeting of the list, if the chat's pass still opens it."""
    reader = reader_of(manager)
    meeting_id = int(item_id) if item_id.isdigit() else 0
    guest = await guest_of(
        reader.session, identity_id=_identity_id(manager), meeting_id=meeting_id, now=reader.now
    )
    if guest is None:
        log.warning("chat %s: guest meeting %r refused", callback.from_user.id, item_id)
        await answer_press(manager, _("This meeting is not available."), show_alert=True)
        return
    manager.dialog_data["meeting"] = meeting_id
    await manager.switch_to(GuestDesk.card)


async def material_chosen(
    callback: CallbackQuery, widget: Any, manager: DialogManager, item_id: str
) -> None:
    """Send one material as a document, if the chat may still read it."""
    reader = reader_of(manager)
    try:
        material, stored = await material_for(
            reader.session,
            material_id=int(item_id) if item_id.isdigit() else 0,
            identity_id=_identity_id(manager),
            member_id=None,
            now=reader.now,
        )
        if material.meeting_id != int(manager.dialog_data.get("meeting", 0)):
            raise DomainError("not_found", what="material")
        capabilities = manager.middleware_data["capabilities"]
        attachment = await attachment_of(
            stored,
            key=stored.key,
            reuses_file_ids=capabilities.reuses_file_ids,
            files_dir=manager.middleware_data["files_dir"],
        )
    except (DomainError, AttachmentGoneError, OSError):
        log.warning("chat %s: guest material %r refused", callback.from_user.id, item_id)
        await answer_press(manager, _("This file is not available."), show_alert=True)
        return
    await answer_press(manager)
    await manager.middleware_data["bot"].send_document(
        callback.from_user.id, attachment, caption=escape(material.name)
    )


async def speak(callback: CallbackQuery, button: Any, manager: DialogManager) -> None:
    """Open the speaking screen of the meeting, while the pass holds."""
    reader = reader_of(manager)
    meeting_id = int(manager.dialog_data.get("meeting", 0))
    guest = await guest_of(
        reader.session, identity_id=_identity_id(manager), meeting_id=meeting_id, now=reader.now
    )
    if guest is None:
        await answer_press(manager, _("This meeting is not available."), show_alert=True)
        return
    await start_speaking(manager, meeting_id)


async def draft_chosen(callback: CallbackQuery, button: Any, manager: DialogManager) -> None:
    """The draft report and the guest's own comments on it."""
    meeting_id = int(manager.dialog_data.get("meeting", 0))
    if not await open_comments(manager, meeting_id):
        await answer_press(manager, _("This draft report is not available."), show_alert=True)


def guest_dialog() -> Dialog:
    """The guest's list and card, built fresh for each Dispatcher."""
    return Dialog(
        Window(
            T("<b>Your consultations</b>", when="any"),
            T("Your guest pass has expired or was withdrawn.", when=~F["any"]),
            Column(
                Select(
                    Format("{item[1]}"),
                    id="meeting",
                    item_id_getter=itemgetter(0),
                    items="meetings",
                    on_click=meeting_chosen,
                )
            ),
            MessageInput(pass_on),
            getter=listed,
            state=GuestDesk.list,
        ),
        Window(
            Format("{card}", when="found"),
            T("This meeting is not available.", when=~F["found"]),
            Column(
                Select(
                    Format("{item[1]}"),
                    id="material",
                    item_id_getter=itemgetter(0),
                    items="materials",
                    on_click=material_chosen,
                )
            ),
            Button(T("🎤 Speak"), id="speak", on_click=speak, when="live"),
            Button(T("💬 Draft report"), id="draft", on_click=draft_chosen, when="draft"),
            SwitchTo(T("◀ Back"), id="back", state=GuestDesk.list),
            MessageInput(pass_on),
            getter=card,
            state=GuestDesk.card,
        ),
        on_start=on_start,
    )
