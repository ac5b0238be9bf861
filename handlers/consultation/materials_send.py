"""Sending a meeting's materials to a chat that may read them: an invited member or a guest."""

from __future__ import annotations

import logging
from typing import Any

from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager

from handlers.dialogs.context import reader_of
from handlers.dialogs.press import answer_press
from handlers.outgoing import AttachmentGoneError, attachment_of
from handlers.texts import escape
from services.consultations.materials import material_for, materials_of
from services.errors import DomainError
from services.members.profiles import MemberProfile
from storage.models import ChatIdentity

log = logging.getLogger(__name__)


async def member_materials_chosen(
    callback: CallbackQuery, button: Any, manager: DialogManager
) -> None:
    """The member meeting card's "Materials": every file of the meeting, each checked again."""
    start = manager.start_data if isinstance(manager.start_data, dict) else {}
    meeting_id = int(manager.dialog_data.get("meeting") or start.get("meeting") or 0)
    reader = reader_of(manager)
    data = manager.middleware_data
    identity: ChatIdentity | None = data.get("identity")
    member: MemberProfile | None = data.get("member")
    materials = await materials_of(reader.session, meeting_id=meeting_id)
    if not materials:
        await answer_press(manager, _("This meeting has no materials."), show_alert=True)
        return
    sent = 0
    for material in materials:
        try:
            _material, stored = await material_for(
                reader.session,
                material_id=material.id or 0,
                identity_id=identity.id or 0 if identity is not None else 0,
                member_id=member.member.id if member is not None else None,
                now=reader.now,
            )
            attachment = await attachment_of(
                stored,
                key=stored.key,
                reuses_file_ids=data["capabilities"].reuses_file_ids,
                files_dir=data["files_dir"],
            )
        except (DomainError, AttachmentGoneError, OSError):
            log.warning("chat %s: material %s refused", callback.from_user.id, material.id)
            continue
        if not sent:
            await answer_press(manager)
        await data["bot"].send_document(
            callback.from_user.id, attachment, caption=escape(material.name)
        )
        sent += 1
    if not sent:
        await answer_press(manager, _("This file is not available."), show_alert=True)
