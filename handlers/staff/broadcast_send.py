"""The end of the broadcast dialog: send now, send at a local time, or discard.

Queueing writes the broadcast, its outbox rows and its audit entry in one transaction; the
dialog then ends, and the progress card (owned by ``broadcast_progress``) follows it.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any, Protocol

from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager, ShowMode

from handlers import keyboards
from handlers.dialogs.press import refuse_input
from handlers.notifications import ChatNotifier
from handlers.parsing import parse_moment
from handlers.staff.broadcast_audience import out_of_scope
from handlers.staff.broadcast_progress import post_progress
from handlers.staff.broadcast_review import desk_of, draft_of, forward, mark, to_review
from handlers.staff.desk import Desk
from handlers.states import BroadcastForm
from handlers.texts import local_time
from services.broadcasts.queue import create_broadcast, quiet_until
from services.errors import DomainError
from storage.models import Broadcast, ChatIdentity

log = logging.getLogger(__name__)


class QuietHours(Protocol):
    """The part of the settings this dialog reads."""

    @property
    def quiet_range(self) -> tuple[dt.time, dt.time]:
        """Start and end of the quiet hours, local times."""
        ...


def failure(error: DomainError) -> str:
    """Why the broadcast could not be queued."""
    if error.code == "audience_nobody":
        return _("Nobody in this audience can be reached by the bot; please choose another.")
    if error.code == "audience_out_of_scope":
        return out_of_scope()
    if error.code == "send_at_past":
        return _("That time has passed. Please give a time in the future.")
    return _("The broadcast could not be sent ({reason}). Please check it.").format(
        reason=error.code
    )


async def announce(
    desk: Desk,
    broadcast: Broadcast,
    *,
    identity: ChatIdentity,
    notifier: ChatNotifier,
    settings: QuietHours,
    scheduled: bool,
) -> None:
    """Say it is on its way (or when it goes, and whether quiet hours hold it), then its card."""
    if scheduled:
        text = _("🕒 Broadcast #{number} is scheduled for {when}, to {count} recipients.")
    else:
        text = _("✅ Broadcast #{number} is on its way to {count} recipients.")
    tz = desk.turn.tz
    await desk.turn.say(
        text.format(
            number=broadcast.id, count=broadcast.recipients, when=local_time(broadcast.send_at, tz)
        ),
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


async def _launch(manager: DialogManager, *, send_at: dt.datetime | None = None) -> None:
    """Queue the draft and end the dialog, or say why not and go where it can be fixed."""
    desk, data = desk_of(manager), manager.middleware_data
    identity: ChatIdentity = data["identity"]
    try:
        broadcast = await create_broadcast(
            desk.session,
            staff=desk.staff,
            scope=desk.scope,
            draft=draft_of(manager.dialog_data),
            now=desk.now,
            send_at=send_at,
            progress_identity_id=identity.id,
        )
    except DomainError as error:
        log.info("chat %s: broadcast refused (%s)", desk.turn.chat_id, error.code)
        await desk.turn.say(failure(error))
        if error.code.startswith("audience"):
            manager.dialog_data["editing"] = True
            await manager.switch_to(BroadcastForm.audience, show_mode=forward(manager))
        else:
            await to_review(manager)
        return
    # The card was answered already: the dialog ends without drawing anything, and a second
    # press on it finds no dialog (the engine refuses it).
    await manager.done(show_mode=ShowMode.NO_UPDATE)
    wake_delivery: Callable[[], None] = data["wake_delivery"]
    wake_delivery()
    await announce(
        desk,
        broadcast,
        identity=identity,
        notifier=data["notifier"],
        settings=data["settings"],
        scheduled=send_at is not None,
    )


async def send_now(callback: CallbackQuery, _button: Any, manager: DialogManager) -> None:
    """✅ Send now."""
    await mark(callback, _("Sending…"))
    await _launch(manager)


async def send_later(callback: CallbackQuery, _button: Any, manager: DialogManager) -> None:
    """🕒 Send later: ask when."""
    await mark(callback, _("Sending later…"))
    tomorrow = desk_of(manager).today + dt.timedelta(days=1)
    manager.dialog_data["example"] = f"{tomorrow.isoformat()} 09:00"
    await manager.switch_to(BroadcastForm.schedule, show_mode=ShowMode.SEND)


async def schedule_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """An example moment: tomorrow morning, noted when 🕒 was pressed."""
    return {"example": str(dialog_manager.dialog_data.get("example", ""))}


def _time_format() -> str:
    return _("Please type the date and time like 2026-12-05 14:30.")


async def schedule_typed(message: Message, _widget: Any, manager: DialogManager) -> None:
    """A local date and time in the future."""
    desk = desk_of(manager)
    moment = parse_moment(message.text or "", desk.today, desk.turn.tz)
    if moment is None:
        await refuse_input(message, manager, _time_format())
        return
    if moment <= desk.now:
        await refuse_input(
            message, manager, _("That time has passed. Please give a time in the future.")
        )
        return
    await _launch(manager, send_at=moment)


async def time_expected(message: Message, _widget: Any, manager: DialogManager) -> None:
    """A photo or sticker where the time is expected."""
    await refuse_input(message, manager, _time_format())


async def discard(callback: CallbackQuery, _button: Any, manager: DialogManager) -> None:
    """🗑 Discard: nothing is written."""
    desk = desk_of(manager)
    await mark(callback, _("Broadcast discarded."))
    await manager.done(show_mode=ShowMode.NO_UPDATE)
    await desk.turn.say(
        _("Nothing was sent."), reply_markup=keyboards.main_menu(desk.turn.menu_role)
    )
