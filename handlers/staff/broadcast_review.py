"""A broadcast draft under review, and the moves every step of the broadcast dialog shares.

The draft lives in the dialog's data (plain strings, so it survives a restart). Reaching the
review sends the preview first, through the one renderer the delivery loop uses, so the author
sees exactly what recipients get. A step opened from the review's ✏️ buttons returns here.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, cast

from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, Message, ReplyKeyboardRemove
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager, ShowMode

from handlers.dialogs.press import refuse_input
from handlers.outgoing import AttachmentGoneError, attachment_of, send_outgoing
from handlers.staff.desk import Desk
from handlers.states import BroadcastForm
from services.broadcasts import audiences
from services.broadcasts.audiences import Audience, AudienceSize
from services.broadcasts.queue import BroadcastDraft, message_of
from services.meetings.materials import stored_file

log = logging.getLogger(__name__)


def desk_of(manager: DialogManager) -> Desk:
    """The staff desk the staff router's middleware built for this update."""
    return cast(Desk, manager.middleware_data["desk"])


def forward(manager: DialogManager) -> ShowMode:
    """How the next window is shown.

    After a press the card keeps the answer it was given and the next window is sent below
    it; after typing, the engine's default replaces a prompt that carried a reply keyboard.
    """
    return ShowMode.SEND if isinstance(manager.event, CallbackQuery) else ShowMode.AUTO


async def mark(callback: CallbackQuery, text: str) -> None:
    """Replace the pressed card with the answer given, so its buttons cannot be pressed again."""
    if isinstance(callback.message, Message):
        try:
            await callback.message.edit_text(text)
        except TelegramBadRequest as error:
            log.debug("could not mark the choice: %s", error)


async def buttons_expected(message: Message, _widget: Any, manager: DialogManager) -> None:
    """Typing where a button is expected."""
    await refuse_input(message, manager, _("Please choose with the buttons above."))


def size_line(size: AudienceSize) -> str:
    """How many an audience reaches, the blocked ones counted apart."""
    return _("{total} ({blocked} have blocked the bot)").format(
        total=size.total, blocked=size.blocked
    )


def draft_of(data: Mapping[str, Any]) -> BroadcastDraft:
    """The draft kept in the dialog's data."""
    return BroadcastDraft(
        audience=Audience.parse(str(data["audience_kind"]), str(data.get("audience_value", ""))),
        text=str(data["text"]),
        photo=str(data["photo"]) if data.get("photo") else None,
        document=str(data["document"]) if data.get("document") else None,
    )


async def send_preview(desk: Desk, draft: BroadcastDraft, *, reuses_file_ids: bool) -> None:
    """The message exactly as recipients get it; ``AttachmentGoneError`` if its file is gone."""
    message = message_of(draft)
    key = message.photo or message.document
    attachment = None
    if key is not None:
        attachment = await attachment_of(
            await stored_file(desk.session, key),
            key=key,
            reuses_file_ids=reuses_file_ids,
            files_dir=desk.files_dir,
        )
    await send_outgoing(desk.turn.bot, desk.turn.chat_id, message, attachment=attachment)


async def to_review(manager: DialogManager) -> None:
    """The preview exactly as recipients get it, then the review card."""
    desk, data = desk_of(manager), manager.dialog_data
    data["editing"] = False
    await desk.turn.say(
        _("Here is the preview, exactly as recipients will see it:"),
        reply_markup=ReplyKeyboardRemove(),
    )
    try:
        capabilities = manager.middleware_data["capabilities"]
        await send_preview(desk, draft_of(data), reuses_file_ids=capabilities.reuses_file_ids)
    except AttachmentGoneError:
        log.error("chat %s: a broadcast draft's file is gone", desk.turn.chat_id)
        data.update(photo=None, document=None, attachment_name=None)
        await desk.turn.say(_("The attachment could not be found; please send it again."))
        await manager.switch_to(BroadcastForm.attachment, show_mode=forward(manager))
        return
    # Counted now and kept, so the card can be drawn again from the dialog's data alone.
    size = await audiences.count(desk.session, audience=draft_of(data).audience, scope=desk.scope)
    data["size"] = [size.total, size.blocked]
    await manager.switch_to(BroadcastForm.review, show_mode=forward(manager))


async def proceed(manager: DialogManager, step: State) -> None:
    """The next step, or back to the review when a part was being edited."""
    if manager.dialog_data.get("editing"):
        await to_review(manager)
    else:
        await manager.switch_to(step, show_mode=forward(manager))


async def review_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, str]:
    """What the review card names: the audience, its size when the review was reached."""
    data = dialog_manager.dialog_data
    total, blocked = data.get("size", [0, 0])
    return {
        "label": str(data.get("audience_label", "")),
        "size": size_line(AudienceSize(total=int(total), blocked=int(blocked))),
        "name": str(data.get("attachment_name") or _("none")),
    }


async def edit_part(callback: CallbackQuery, _button: Any, manager: DialogManager) -> None:
    """✏️ on the review: the step it opens comes back to the review."""
    manager.dialog_data["editing"] = True
    await mark(callback, _("Editing the broadcast…"))
