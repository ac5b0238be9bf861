"""Guests in the chat: the guest link, the guest's menu, and the refusal of everything else.

A resident's chat that redeems a link acts as a guest while a pass holds: its menu and
``/start`` show its consultation only, and every other message or button (reporting an issue,
stations, other meetings, any desk's callback) is answered with a clear refusal. A member,
staff or department chat keeps its role and desk; ``/guest`` opens its guest pass.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager, StartMode
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.consultation.callbacks import DraftCommentCB
from handlers.consultation.draft_comments import comment_pressed, comments_dialog
from handlers.consultation.guest_context import MY_CONSULTATION, GuestChat, guest_menu
from handlers.consultation.guest_meeting import GuestDesk, guest_dialog
from handlers.filters import ButtonText
from handlers.texts import Buttons, escape, local_time
from services.clock import Clock
from services.consultations.guest_invites import (
    GUEST_PAYLOAD,
    guest_meeting_ids,
    redeem_guest_token,
)
from services.errors import DomainError
from services.meetings.views import get_meeting
from storage.enums import Role
from storage.models import ChatIdentity

log = logging.getLogger(__name__)


def refusal(error: DomainError, tz: dt.tzinfo) -> str:
    """Why a guest link did not work."""
    if error.code == "locked":
        return _("Too many wrong codes from this chat. Please try again after {time}.").format(
            time=local_time(error.params["until"], tz)
        )
    messages = {
        "invalid": _("This guest link is not valid. Ask the committee office for a new one."),
        "expired": _("This guest link has expired. Ask the committee office for a new one."),
        "revoked": _("This guest link was withdrawn by the committee office."),
        "used": _("This guest link was already opened in another chat."),
    }
    return messages.get(error.code, _("This guest link could not be used."))


async def open_consultation(manager: DialogManager, meeting_ids: list[int]) -> None:
    """The guest's card when one pass holds; the list of their meetings otherwise."""
    if len(meeting_ids) == 1:
        await manager.start(
            GuestDesk.card, mode=StartMode.RESET_STACK, data={"meeting": meeting_ids[0]}
        )
    else:
        await manager.start(GuestDesk.list, mode=StartMode.RESET_STACK)


async def start_with_guest_link(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    identity: ChatIdentity,
    clock: Clock,
    tz: dt.tzinfo,
    dialog_manager: DialogManager,
) -> None:
    """The guest link: a pass for this chat, then the consultation it opens."""
    token = (command.args or "")[len(GUEST_PAYLOAD) :]
    try:
        guest = await redeem_guest_token(session, identity=identity, token=token, now=clock.now())
    except DomainError as error:
        log.info("chat %s: guest link refused (%s)", message.chat.id, error.code)
        await message.answer(refusal(error, tz))
        return
    meeting = await get_meeting(session, guest.meeting_id)
    title = escape(meeting.title if meeting is not None else "")
    log.info("chat %s is a guest of meeting %s", message.chat.id, guest.meeting_id)
    if identity.role == Role.GUEST:
        await message.answer(
            _(
                "Welcome, {name}. You are a guest of <b>{title}</b>: its agenda, its materials "
                "and speaking are in “My consultation” below."
            ).format(name=escape(guest.name), title=title),
            reply_markup=guest_menu(),
        )
    else:
        await message.answer(
            _(
                "You are a guest of <b>{title}</b>. This chat keeps its own menu; "
                "open the consultation with /guest."
            ).format(title=title)
        )
    await dialog_manager.start(
        GuestDesk.card, mode=StartMode.RESET_STACK, data={"meeting": guest.meeting_id}
    )


async def guest_start(
    message: Message, guest_meetings: list[int], dialog_manager: DialogManager
) -> None:
    """A guest's /start and menu button: their consultation, nothing else."""
    await message.answer(
        _("Your guest pass opens one consultation only. Here it is."), reply_markup=guest_menu()
    )
    await open_consultation(dialog_manager, guest_meetings)


async def guest_command(
    message: Message,
    identity: ChatIdentity,
    session: AsyncSession,
    clock: Clock,
    dialog_manager: DialogManager,
) -> None:
    """``/guest``: the consultations this chat is a guest of, whatever its role."""
    meetings = await guest_meeting_ids(session, identity_id=identity.id or 0, now=clock.now())
    if not meetings:
        await message.answer(_("This chat holds no guest pass."))
        return
    await open_consultation(dialog_manager, meetings)


async def guest_help(message: Message) -> None:
    """What a guest can do here."""
    await message.answer(
        _(
            "As a guest you can read the agenda of your consultation, download its materials "
            "and ask to speak: press “My consultation”. "
            "Other features of the bot are for members, staff and residents."
        ),
        reply_markup=guest_menu(),
    )


async def refuse_message(message: Message, **_data: Any) -> None:
    """Anything else a guest writes: what a guest can do, and their menu."""
    log.info("chat %s: guest message refused", message.chat.id)
    await message.answer(
        _("This is not available to a guest. Press “My consultation” for your meeting."),
        reply_markup=guest_menu(),
    )


async def refuse_callback(callback: CallbackQuery, **_data: Any) -> None:
    """Any other button a guest presses: refused, whatever it names."""
    log.warning("chat %s: guest press %r refused", callback.from_user.id, callback.data)
    await callback.answer(_("This is not available to a guest."), show_alert=True)


def setup() -> Router:
    """The guest link for every chat, then the guest's own handlers and the refusal."""
    router = Router(name="consultation-guests")
    router.message.register(
        start_with_guest_link,
        CommandStart(deep_link=True, magic=F.args.startswith(GUEST_PAYLOAD)),
    )
    router.message.register(guest_command, Command("guest"))
    router.callback_query.register(comment_pressed, DraftCommentCB.filter())
    guests = Router(name="consultation-guest-desk")
    for observer in (guests.message, guests.callback_query):
        observer.filter(GuestChat())
    guests.message.register(guest_start, CommandStart())
    guests.message.register(guest_start, ButtonText(MY_CONSULTATION))
    guests.message.register(guest_help, Command("help"))
    guests.message.register(guest_help, ButtonText(Buttons.HELP))
    refusals = Router(name="consultation-guest-refusals")
    for observer in (refusals.message, refusals.callback_query):
        observer.filter(GuestChat())
    refusals.message.register(refuse_message)
    refusals.callback_query.register(refuse_callback)
    # The guest's dialog sees every chat's presses (a member opens it with /guest); its
    # windows check the pass on each draw and press.
    router.include_routers(guests, guest_dialog(), comments_dialog(), refusals)
    return router
