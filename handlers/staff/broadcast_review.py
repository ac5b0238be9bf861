"""The review of a broadcast draft: send now, send later, edit a part, or discard."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Protocol

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from handlers import keyboards
from handlers.messaging import buttons_expected, show_choice
from handlers.notifications import ChatNotifier
from handlers.parsing import parse_moment
from handlers.staff.broadcast_audience import out_of_scope
from handlers.staff.broadcast_callbacks import BroadcastForm, BroadcastReviewCB
from handlers.staff.broadcast_progress import post_progress
from handlers.staff.broadcast_steps import EDITS, ask_audience, draft_of, show_review
from handlers.staff.desk import Desk
from handlers.texts import local_time
from services.broadcasts.queue import create_broadcast, quiet_until
from services.errors import DomainError
from storage.models import ChatIdentity

log = logging.getLogger(__name__)
REVIEW_STATES = (BroadcastForm.review.state, BroadcastForm.schedule.state)


class QuietHours(Protocol):
    """The part of the settings this dialog reads."""

    @property
    def quiet_range(self) -> tuple[dt.time, dt.time]:
        """Start and end of the quiet hours, local times."""
        ...


def _failure(error: DomainError) -> str:
    if error.code == "audience_nobody":
        return _("Nobody in this audience can be reached by the bot; please choose another.")
    if error.code == "audience_out_of_scope":
        return out_of_scope()
    if error.code == "send_at_past":
        return _("That time has passed. Please give a time in the future.")
    return _("The broadcast could not be sent ({reason}). Please check it.").format(
        reason=error.code
    )


async def _launch(
    desk: Desk,
    *,
    channel: str,
    identity: ChatIdentity,
    notifier: ChatNotifier,
    wake_delivery: Callable[[], None],
    settings: QuietHours,
    send_at: dt.datetime | None = None,
) -> None:
    """Queue the draft (now or at ``send_at``), then show its progress message."""
    data = await desk.state.get_data()
    try:
        broadcast = await create_broadcast(
            desk.session,
            staff=desk.staff,
            scope=desk.scope,
            draft=draft_of(data),
            now=desk.now,
            send_at=send_at,
            progress_identity_id=identity.id,
        )
    except DomainError as error:
        log.info("chat %s: broadcast refused (%s)", desk.turn.chat_id, error.code)
        await desk.turn.say(_failure(error))
        if error.code.startswith("audience"):
            await desk.state.update_data(editing=True)
            await ask_audience(desk)
        else:
            await show_review(desk, channel)
        return
    # The draft token goes with the state: a second press of "send" finds nothing to send.
    await desk.state.clear()
    wake_delivery()
    if send_at is None:
        text = _("✅ Broadcast #{number} is on its way to {count} recipients.")
    else:
        text = _("🕒 Broadcast #{number} is scheduled for {when}, to {count} recipients.")
    tz = desk.turn.tz
    when = local_time(broadcast.send_at, tz)
    await desk.turn.say(
        text.format(number=broadcast.id, count=broadcast.recipients, when=when),
        reply_markup=keyboards.main_menu(desk.turn.menu_role),
    )
    start, end = settings.quiet_range
    held_until = quiet_until(broadcast.send_at, tz=tz, start=start, end=end)
    if held_until is not None:
        await desk.turn.say(
            _(
                "This falls in the quiet hours ({start}–{end}), when only urgent messages go "
                "out: the broadcast waits until {when}."
            ).format(
                start=start.strftime("%H:%M"),
                end=end.strftime("%H:%M"),
                when=local_time(held_until, tz),
            )
        )
    await post_progress(desk, broadcast, identity, notifier)


async def review_action(
    callback: CallbackQuery,
    callback_data: BroadcastReviewCB,
    desk: Desk,
    channel: str,
    identity: ChatIdentity,
    notifier: ChatNotifier,
    wake_delivery: Callable[[], None],
    settings: QuietHours,
) -> None:
    """Act on the draft under review; a stale or foreign draft's buttons do nothing."""
    data = await desk.state.get_data()
    if (
        await desk.state.get_state() not in REVIEW_STATES
        or data.get("draft") != callback_data.draft
    ):
        await callback.answer(_("This broadcast was already sent or discarded."), show_alert=True)
        return
    action = callback_data.action
    if action == "discard":
        await desk.state.clear()
        await show_choice(callback, _("Broadcast discarded."))
        await desk.turn.say(
            _("Nothing was sent."), reply_markup=keyboards.main_menu(desk.turn.menu_role)
        )
    elif action in EDITS:
        await desk.state.update_data(editing=True)
        await show_choice(callback, _("Editing the broadcast…"))
        await EDITS[action](desk)
    elif action == "schedule":
        await show_choice(callback, _("Sending later…"))
        await desk.state.set_state(BroadcastForm.schedule)
        example = (desk.today + dt.timedelta(days=1)).isoformat() + " 09:00"
        await desk.turn.say(
            _("When should it go out? Type the date and time, like {example}.").format(
                example=example
            ),
            reply_markup=keyboards.cancel_only(),
        )
    elif action == "send":
        await show_choice(callback, _("Sending…"))
        await _launch(
            desk,
            channel=channel,
            identity=identity,
            notifier=notifier,
            wake_delivery=wake_delivery,
            settings=settings,
        )
    else:
        log.warning("chat %s sent broadcast review action %r", callback.from_user.id, action)
        await callback.answer(_("This button is not valid."))


async def schedule_typed(
    message: Message,
    desk: Desk,
    channel: str,
    identity: ChatIdentity,
    notifier: ChatNotifier,
    wake_delivery: Callable[[], None],
    settings: QuietHours,
) -> None:
    """A local date and time in the future."""
    moment = parse_moment(message.text or "", desk.today, desk.turn.tz)
    if moment is None:
        await message.answer(_("Please type the date and time like 2026-12-05 14:30."))
        return
    if moment <= desk.now:
        await message.answer(_("That time has passed. Please give a time in the future."))
        return
    await _launch(
        desk,
        channel=channel,
        identity=identity,
        notifier=notifier,
        wake_delivery=wake_delivery,
        settings=settings,
        send_at=moment,
    )


async def time_expected(message: Message) -> None:
    """A photo or sticker where the time is expected."""
    await message.answer(_("Please type the date and time like 2026-12-05 14:30."))


def setup() -> Router:
    """The handlers of this module, on a fresh router."""
    router = Router(name="staff-broadcast-review")
    router.callback_query.register(review_action, BroadcastReviewCB.filter())
    router.message.register(schedule_typed, BroadcastForm.schedule, F.text, ~F.text.startswith("/"))
    router.message.register(time_expected, BroadcastForm.schedule, ~F.text.startswith("/"))
    router.message.register(buttons_expected, BroadcastForm.audience)
    router.message.register(buttons_expected, BroadcastForm.review)
    return router
