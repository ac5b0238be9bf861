"""Commenting on a meeting's draft report: an invited member or a guest, their own comments.

The notice's "Comment" (and the guest card's "Draft report") opens one window: the draft, the
commenter's own comments so far, and a prompt; each text sent is one more comment until the
deadline. Every draw and every message checks again who is writing.
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram import F
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.enums import ContentType
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager, StartMode, Window
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Cancel
from aiogram_dialog.widgets.text import Format
from markupsafe import Markup

from handlers.consultation.callbacks import DraftCommentCB
from handlers.dialogs.context import reader_of
from handlers.dialogs.press import refuse_input
from handlers.dialogs.text import T
from handlers.texts import escape, local_time
from services.consultations.drafts import (
    COMMENT_MAX,
    Commenter,
    add_comment,
    commenter_of,
    draft_of,
    own_comments,
)
from services.errors import DomainError
from services.meetings.views import get_meeting
from services.members.profiles import MemberProfile
from storage.models import ChatIdentity

log = logging.getLogger(__name__)


class DraftComments(StatesGroup):
    """The draft and the commenter's own comments."""

    comment = State()


def _meeting_of(manager: DialogManager) -> int:
    """The meeting the window was opened for."""
    start = manager.start_data
    return int(start.get("meeting", 0)) if isinstance(start, dict) else 0


async def _commenter(manager: DialogManager, meeting_id: int) -> Commenter | None:
    data = manager.middleware_data
    identity: ChatIdentity | None = data.get("identity")
    member: MemberProfile | None = data.get("member")
    reader = reader_of(manager)
    return await commenter_of(
        reader.session,
        meeting_id=meeting_id,
        identity_id=identity.id or 0 if identity is not None else 0,
        member_id=member.member.id if member is not None else None,
        now=reader.now,
    )


async def open_comments(manager: DialogManager, meeting_id: int) -> bool:
    """Open the comment window of a meeting's draft, if the chat may comment on it."""
    reader = reader_of(manager)
    draft = await draft_of(reader.session, meeting_id=meeting_id)
    if draft is None or draft.sent_at is None or await _commenter(manager, meeting_id) is None:
        return False
    await manager.start(
        DraftComments.comment, mode=StartMode.RESET_STACK, data={"meeting": meeting_id}
    )
    return True


async def comment_pressed(
    callback: CallbackQuery, callback_data: DraftCommentCB, dialog_manager: DialogManager
) -> None:
    """The notice's "Comment": checked again against who presses."""
    if not await open_comments(dialog_manager, callback_data.meeting):
        log.warning(
            "chat %s: draft comment %s refused", callback.from_user.id, callback_data.meeting
        )
        await callback.answer(_("This draft report is not available."), show_alert=True)
        return
    await callback.answer()


async def window(dialog_manager: DialogManager, **_data: Any) -> dict[str, Any]:
    """The draft, the commenter's own comments, and whether comments are still open."""
    reader = reader_of(dialog_manager)
    meeting_id = _meeting_of(dialog_manager)
    commenter = await _commenter(dialog_manager, meeting_id)
    draft = await draft_of(reader.session, meeting_id=meeting_id)
    meeting = await get_meeting(reader.session, meeting_id)
    if commenter is None or draft is None or meeting is None:
        return {"card": "", "found": False, "open": False}
    lines = [_("<b>Draft report: {title}</b>").format(title=escape(meeting.title))]
    if draft.text:
        lines.append(escape(draft.text))
    if draft.file_name:
        lines.append(_("Attached: {name}").format(name=escape(draft.file_name)))
    mine = await own_comments(reader.session, meeting_id=meeting_id, commenter=commenter)
    if mine:
        lines += ["", _("<b>Your comments</b>")]
        lines += [f"{n}. {escape(c.text)}" for n, c in enumerate(mine, start=1)]
    is_open = draft.comments_until > reader.now
    when = local_time(draft.comments_until, reader.tz)
    lines += [
        "",
        _("Send a comment as text; you may send several, until {when}.").format(when=when)
        if is_open
        else _("Comments closed at {when}.").format(when=when),
    ]
    # Built from our msgids and escaped values, so it is markup as it stands.
    return {"card": Markup("\n".join(lines)), "found": True, "open": is_open}  # noqa: S704


async def comment_typed(message: Message, widget: Any, manager: DialogManager) -> None:
    """One more comment, if the chat may still comment; a command goes on to its handler."""
    if (message.text or "").startswith("/"):
        raise SkipHandler
    reader = reader_of(manager)
    meeting_id = _meeting_of(manager)
    commenter = await _commenter(manager, meeting_id)
    if commenter is None:
        await refuse_input(message, manager, _("This draft report is not available."))
        return
    try:
        await add_comment(
            reader.session,
            meeting_id=meeting_id,
            commenter=commenter,
            text=message.text or "",
            now=reader.now,
        )
    except DomainError as error:
        texts = {
            "comment_too_long": _(
                "A comment can be up to {limit} characters. Please shorten it and send it again."
            ).format(limit=COMMENT_MAX),
            "closed": _("Comments on this draft are closed."),
        }
        await refuse_input(
            message, manager, texts.get(error.code, _("This draft report is not available."))
        )
        return
    await message.answer(_("Thank you, your comment is saved."))


async def not_text(message: Message, widget: Any, manager: DialogManager) -> None:
    """A photo, a sticker...: only text is a comment."""
    if (message.text or "").startswith("/"):
        raise SkipHandler
    await refuse_input(message, manager, _("Please send your comment as text."))


def comments_dialog() -> Dialog:
    """The comment window, built fresh for each Dispatcher."""
    return Dialog(
        Window(
            Format("{card}", when="found"),
            T("This draft report is not available.", when=~F["found"]),
            MessageInput(comment_typed, content_types=ContentType.TEXT),
            MessageInput(not_text),
            Cancel(T("✔ Done"), id="done"),
            getter=window,
            state=DraftComments.comment,
        )
    )
