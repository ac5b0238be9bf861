"""A member's duty turns at the stations: ``/duty`` lists them, one tap checks in.

The station's posted QR code (``/start duty-<secret token>``) checks the member in for their
turn there that runs now, the same way.

"I'm on duty here" names the turn; the press is read again against the member who pressed,
so another member's turn (or a made-up id) is refused. Checking in logs the turn's
``station-duty`` activity: nothing to type.
"""

from __future__ import annotations

import logging

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from handlers.member.context import ActiveMember, LogContext, LogContextMiddleware
from handlers.stations_work import DutyCB, hours, refusal, state_label
from handlers.texts import escape
from services.errors import DomainError
from services.members.rules import RuleBook
from services.reference.catalog import display_name, get_station
from services.stations.checkin import EARLY, check_in_at_station, check_in_turn
from services.stations.duty_codes import station_of_code
from services.stations.rota import member_turns, turn_state

log_ = logging.getLogger(__name__)
DUTY_PAYLOAD = "duty-"
DUTY_LINK = CommandStart(deep_link=True, magic=F.args.startswith(DUTY_PAYLOAD))


async def duty_command(message: Message, log: LogContext) -> None:
    """``/duty``: my turns of the last week and to come, with a check-in button when due."""
    turns = await member_turns(log.session, member_id=log.member.id, now=log.now)
    if not turns:
        await message.answer(_("You have no duty turns at the stations in the coming days."))
        return
    lines = [_("<b>My duty turns</b>")]
    buttons: list[list[InlineKeyboardButton]] = []
    for turn in turns:
        station = await get_station(log.session, turn.station_id)
        name = display_name(station, log.turn.locale) if station else "?"
        state = turn_state(turn, log.now)
        lines.append(
            f"• {hours(turn.starts_at, turn.ends_at, log.turn.tz)} · {escape(name)} · "
            f"{state_label(state)}"
        )
        due = turn.starts_at - EARLY <= log.now < turn.ends_at
        if due and turn.checked_in_at is None and turn.id is not None:
            buttons.append(
                [
                    InlineKeyboardButton(
                        text=_("🪪 I'm on duty here: {station}").format(station=name),
                        callback_data=DutyCB(action="in", id=turn.id).pack(),
                    )
                ]
            )
    await message.answer(
        "\n".join(lines),
        reply_markup=InlineKeyboardMarkup(inline_keyboard=buttons) if buttons else None,
    )


async def check_in_pressed(
    callback: CallbackQuery, callback_data: DutyCB, log: LogContext, rulebook: RuleBook
) -> None:
    """Check in for the turn the button names, if it is the member's own and under way."""
    try:
        turn = await check_in_turn(
            log.session,
            member_id=log.member.id,
            turn_id=callback_data.id,
            now=log.now,
            tz=log.turn.tz,
            rulebook=rulebook,
            summary=_("Duty shift at the liaison station: received residents"),
            locale=log.turn.locale,
        )
    except DomainError as error:
        log_.info("chat %s: duty check-in refused (%s)", log.turn.chat_id, error.code)
        await callback.answer(refusal(error), show_alert=True)
        return
    await callback.answer()
    await log.turn.say(
        _("✅ You are checked in for your turn ({when}). The duty shift is logged.").format(
            when=hours(turn.starts_at, turn.ends_at, log.turn.tz)
        )
    )


async def duty_link(
    message: Message, command: CommandObject, log: LogContext, rulebook: RuleBook
) -> None:
    """The station's QR code: check in for the turn there that runs now."""
    token = (command.args or "")[len(DUTY_PAYLOAD) :]
    try:
        station_id = await station_of_code(log.session, token=token)
        if station_id is None:
            raise DomainError("duty_code_unknown")
        turn = await check_in_at_station(
            log.session,
            member_id=log.member.id,
            station_id=station_id,
            now=log.now,
            tz=log.turn.tz,
            rulebook=rulebook,
            summary=_("Duty shift at the liaison station: received residents"),
            locale=log.turn.locale,
        )
    except DomainError as error:
        log_.info("chat %s: duty code refused (%s)", message.chat.id, error.code)
        await message.answer(refusal(error))
        return
    await message.answer(
        _("✅ You are checked in for your turn ({when}). The duty shift is logged.").format(
            when=hours(turn.starts_at, turn.ends_at, log.turn.tz)
        )
    )


async def link_not_for_you(message: Message) -> None:
    """The station's duty code scanned by someone who is no serving member."""
    await message.answer(_("This code is for the members on duty at the station."))


def deep_links() -> Router:
    """The station's duty QR code; it must come before the generic ``/start``."""
    members = Router(name="duty-link-members")
    members.message.filter(ActiveMember())
    members.message.middleware(LogContextMiddleware())
    members.message.register(duty_link, DUTY_LINK)
    # A router tries its own handlers before its children's: the others' answer is a child too.
    others = Router(name="duty-link-others")
    others.message.register(link_not_for_you, DUTY_LINK)
    router = Router(name="duty-links")
    router.include_routers(members, others)
    return router


async def not_a_member(callback: CallbackQuery) -> None:
    """A duty button pressed from a chat that is no serving member's."""
    await callback.answer(_("This duty turn is not available."), show_alert=True)


def setup() -> Router:
    """The members' duty handlers, behind the member filter; others' presses are refused."""
    members = Router(name="member-duty")
    for observer in (members.message, members.callback_query):
        observer.filter(ActiveMember())
        observer.middleware(LogContextMiddleware())
    members.message.register(duty_command, Command("duty"))
    members.callback_query.register(check_in_pressed, DutyCB.filter(F.action == "in"))
    others = Router(name="duty-others")
    others.callback_query.register(not_a_member, DutyCB.filter(F.action == "in"))
    router = Router(name="duty")
    router.include_routers(members, others)
    return router
