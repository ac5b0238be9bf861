"""A broadcast's progress card in the sender's chat: posting it, redrawing it, cancelling from it.

The card outlives the dialog that sent the broadcast (its ✖ button must work while the staff
member does anything else), and the broadcast monitor edits it between updates, so it is a
notice rebuilt from the database, not a dialog window. This module is its one owner: the
monitor and the cancel button both redraw it through :func:`redraw_progress`.
"""

from __future__ import annotations

import datetime as dt
import logging

from aiogram import Bot, Router
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramRetryAfter,
)
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiohttp import ClientError

from handlers.notices.broadcasts import BroadcastCancelCB
from handlers.notifications import ChatNotifier
from handlers.outgoing import markup_of
from handlers.staff.desk import Desk
from services.broadcasts.progress import (
    Progress,
    cancel_broadcast,
    progress,
    set_progress_message,
    set_progress_text,
)
from services.broadcasts.queue import get_broadcast
from services.errors import DomainError
from storage.enums import BroadcastState
from storage.models import Broadcast, ChatIdentity

log = logging.getLogger(__name__)


async def post_progress(
    desk: Desk, broadcast: Broadcast, identity: ChatIdentity, notifier: ChatNotifier
) -> None:
    """Send the progress card (with its cancel button) and remember it for the monitor."""
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


async def redraw_progress(
    bot: Bot,
    *,
    broadcast: Broadcast,
    identity: ChatIdentity,
    counts: Progress,
    notifier: ChatNotifier,
    now: dt.datetime,
    finished: bool = False,
) -> str | None:
    """Edit the card to show ``counts``; the text now shown, to remember, or None.

    None means there was nothing to do (no card, or it already says this) or the edit should
    be tried again later. A card that was deleted, or a chat that blocked the bot, fails the
    same way every time, so its text is remembered as shown.
    """
    if broadcast.progress_message_id is None:
        return None
    rendered = notifier.render(
        "broadcast-progress",
        identity,
        broadcast=broadcast,
        counts=counts,
        now=now,
        finished=finished,
    )
    if rendered.text == broadcast.progress_text:
        return None
    try:
        await bot.edit_message_text(
            rendered.text,
            chat_id=identity.chat_id,
            message_id=broadcast.progress_message_id,
            reply_markup=markup_of(rendered.buttons),
        )
    except TelegramRetryAfter as error:
        log.info("broadcast %s: progress edit held back %ss", broadcast.id, error.retry_after)
        return None
    except (TelegramBadRequest, TelegramForbiddenError) as error:
        log.info("broadcast %s: progress message not edited: %s", broadcast.id, error)
    except (TelegramAPIError, ClientError, TimeoutError) as error:
        log.warning("broadcast %s: progress edit failed, next tick: %s", broadcast.id, error)
        return None
    return rendered.text


async def cancel_pressed(
    callback: CallbackQuery,
    callback_data: BroadcastCancelCB,
    desk: Desk,
    identity: ChatIdentity,
    notifier: ChatNotifier,
) -> None:
    """Stop what is still pending: only the sender or an administrator may.

    A press on a card whose broadcast has finished or was cancelled since is refused, and
    the card is drawn again as the broadcast stands now.
    """
    current = await get_broadcast(desk.session, broadcast_id=callback_data.id, scope=desk.scope)
    if current is None:
        log.warning(
            "chat %s: staff %s refused cancelling broadcast %s",
            callback.from_user.id,
            desk.scope.staff_id,
            callback_data.id,
        )
        await callback.answer(_("This broadcast is not available."), show_alert=True)
        return
    if current.state == BroadcastState.CANCELLED or current.finished_at is not None:
        await callback.answer(_moved_on(current), show_alert=True)
        await _redraw_pressed(callback, desk, current, identity, notifier)
        return
    try:
        done = await cancel_broadcast(
            desk.session,
            broadcast_id=callback_data.id,
            staff=desk.staff,
            scope=desk.scope,
            now=desk.now,
        )
    except DomainError as error:
        # Finished or cancelled by someone else in the instant between the check and the write.
        log.info("broadcast %s: cancel refused (%s)", callback_data.id, error.code)
        await callback.answer(_("This broadcast has finished; there was nothing left to stop."))
        return
    await callback.answer(
        _(
            "Cancelled: {stopped} messages stopped. {sent} were already delivered and "
            "{in_flight} were on their way."
        ).format(stopped=done.stopped, sent=done.sent, in_flight=done.in_flight),
        show_alert=True,
    )
    await _redraw_pressed(callback, desk, done.broadcast, identity, notifier)


def _moved_on(broadcast: Broadcast) -> str:
    if broadcast.state == BroadcastState.CANCELLED:
        return _("This card is out of date: the broadcast was already cancelled.")
    return _(
        "This card is out of date: the broadcast has finished; there was nothing left to stop."
    )


async def _redraw_pressed(
    callback: CallbackQuery,
    desk: Desk,
    broadcast: Broadcast,
    identity: ChatIdentity,
    notifier: ChatNotifier,
) -> None:
    assert broadcast.id is not None
    # Only the card itself is redrawn, in its sender's chat, never whatever a forged press
    # came from (an administrator cancelling elsewhere leaves it to the monitor).
    message = callback.message
    pressed_on_card = (
        isinstance(message, Message)
        and message.message_id == broadcast.progress_message_id
        and broadcast.progress_identity_id == identity.id
    )
    if not pressed_on_card:
        return
    shown = await redraw_progress(
        desk.turn.bot,
        broadcast=broadcast,
        identity=identity,
        counts=await progress(desk.session, broadcast_id=broadcast.id),
        notifier=notifier,
        now=desk.now,
        finished=broadcast.finished_at is not None,
    )
    if shown is not None:
        await set_progress_text(desk.session, broadcast_id=broadcast.id, text=shown)


def setup() -> Router:
    """The handlers of this module, on a fresh router."""
    router = Router(name="staff-broadcast-progress")
    router.callback_query.register(cancel_pressed, BroadcastCancelCB.filter())
    return router
