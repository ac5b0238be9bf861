"""A broadcast's progress message in the sender's chat, and cancelling from it."""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from handlers.notifications import ChatNotifier
from handlers.outgoing import markup_of
from handlers.staff.broadcast_callbacks import BroadcastCancelCB
from handlers.staff.desk import Desk
from services.broadcasts.progress import (
    cancel_broadcast,
    progress,
    set_progress_message,
    set_progress_text,
)
from services.errors import DomainError, NotFoundError
from storage.models import Broadcast, ChatIdentity

log = logging.getLogger(__name__)


async def post_progress(
    desk: Desk, broadcast: Broadcast, identity: ChatIdentity, notifier: ChatNotifier
) -> None:
    """Send the progress message (with its cancel button) and remember it for the monitor."""
    assert broadcast.id is not None
    assert identity.id is not None
    counts = await progress(desk.session, broadcast_id=broadcast.id)
    rendered = notifier.render(
        "broadcast-progress", identity, broadcast=broadcast, counts=counts, now=desk.now
    )
    try:
        sent = await desk.turn.bot.send_message(
            desk.turn.chat_id, rendered.text, reply_markup=markup_of(rendered.buttons)
        )
    except TelegramAPIError as error:
        # The broadcast is queued whatever happens here; the final report still comes.
        log.warning("broadcast %s: no progress message: %s", broadcast.id, error)
        return
    await set_progress_message(
        desk.session,
        broadcast_id=broadcast.id,
        identity_id=identity.id,
        message_id=sent.message_id,
        text=rendered.text,
    )


async def cancel_pressed(
    callback: CallbackQuery,
    callback_data: BroadcastCancelCB,
    desk: Desk,
    identity: ChatIdentity,
    notifier: ChatNotifier,
) -> None:
    """Stop what is still pending: only the sender or an administrator may."""
    try:
        done = await cancel_broadcast(
            desk.session,
            broadcast_id=callback_data.id,
            staff=desk.staff,
            scope=desk.scope,
            now=desk.now,
        )
    except NotFoundError:
        log.warning(
            "chat %s: staff %s refused cancelling broadcast %s",
            callback.from_user.id,
            desk.scope.staff_id,
            callback_data.id,
        )
        await callback.answer(_("This broadcast is not available."), show_alert=True)
        return
    except DomainError as error:
        text = (
            _("This broadcast was already cancelled.")
            if error.code == "already_cancelled"
            else _("This broadcast has finished; there was nothing left to stop.")
        )
        await callback.answer(text, show_alert=True)
        return
    await callback.answer(
        _(
            "Cancelled: {stopped} messages stopped. {sent} were already delivered and "
            "{in_flight} were on their way."
        ).format(stopped=done.stopped, sent=done.sent, in_flight=done.in_flight),
        show_alert=True,
    )
    broadcast = done.broadcast
    assert broadcast.id is not None
    counts = await progress(desk.session, broadcast_id=broadcast.id)
    rendered = notifier.render(
        "broadcast-progress", identity, broadcast=broadcast, counts=counts, now=desk.now
    )
    # Only the progress message itself is rewritten, never whatever a forged press came from.
    message = callback.message
    if isinstance(message, Message) and message.message_id == broadcast.progress_message_id:
        try:
            await message.edit_text(rendered.text, reply_markup=None)
        except TelegramBadRequest as error:
            log.debug("could not update the progress message: %s", error)
            return
        await set_progress_text(desk.session, broadcast_id=broadcast.id, text=rendered.text)


def setup() -> Router:
    """The handlers of this module, on a fresh router."""
    router = Router(name="staff-broadcast-progress")
    router.callback_query.register(cancel_pressed, BroadcastCancelCB.filter())
    return router
