"""A member's duty turns at the stations: ``/duty`` lists them; checking in at the station.

The station's posted QR code (``/start duty-<secret token>``) checks the member in for their
turn there that runs now, the same way.

"I'm on duty here" names the turn; the press is read again against the member who pressed,
so another member's turn (or a made-up id) is refused, and asks for the member's location:
shared within reach of the station, it checks them in. Checking in logs the turn's
``station-duty`` activity: nothing to type.
"""

from __future__ import annotations

import logging

from aiogram import F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from handlers.keyboards import main_menu, share_location
from handlers.member.context import MEMBER_MENU, ActiveMember, LogContext, LogContextMiddleware
from handlers.stations_work import DutyCB, hours, refusal, state_label
from handlers.texts import escape
from services.errors import DomainError
from services.members.rules import RuleBook
from services.reference.catalog import display_name, get_station
from services.stations.checkin import EARLY, check_in_at_station
from services.stations.checkin_place import DUTY_RADIUS_M, check_in_nearby, due_turns
from services.stations.duty_codes import station_of_code
from services.stations.rota import member_turns, turn_state
from storage.models import DutyTurn

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


async def check_in_pressed(callback: CallbackQuery, callback_data: DutyCB, log: LogContext) -> None:
    """The turn's button: if it is the member's own and due, ask for the location there."""
    turn = await log.session.get(DutyTurn, callback_data.id)
    due = await due_turns(log.session, member_id=log.member.id, now=log.now)
    if turn is None or turn.member_id != log.member.id:
        error = DomainError("turn_unknown")
    elif turn.checked_in_at is not None:
        error = DomainError("turn_checked_in")
    elif all(row.id != turn.id for row in due):
        error = DomainError("turn_not_now")
    else:
        await callback.answer()
        await log.turn.say(
            _(
                "📍 Share your location at the station to check in (within {metres} m), "
                "or scan the duty code posted there."
            ).format(metres=DUTY_RADIUS_M),
            reply_markup=share_location(skippable=False),
        )
        return
    log_.info("chat %s: duty check-in refused (%s)", log.turn.chat_id, error.code)
    await callback.answer(refusal(error), show_alert=True)


async def location_shared(message: Message, log: LogContext, rulebook: RuleBook) -> None:
    """A location from a member with a turn due: check in at the station it is at."""
    if message.location is None or not await due_turns(
        log.session, member_id=log.member.id, now=log.now
    ):
        # Not about a duty turn: the location is someone else's business.
        raise SkipHandler
    try:
        turn = await check_in_nearby(
            log.session,
            member_id=log.member.id,
            latitude=message.location.latitude,
            longitude=message.location.longitude,
            now=log.now,
            tz=log.turn.tz,
            rulebook=rulebook,
            summary=_("Duty shift at the liaison station: received residents"),
            locale=log.turn.locale,
        )
    except DomainError as error:
        log_.info("chat %s: duty location refused (%s)", message.chat.id, error.code)
        await message.answer(refusal(error), reply_markup=share_location(skippable=False))
        return
    await message.answer(
        _("✅ You are checked in for your turn ({when}). The duty shift is logged.").format(
            when=hours(turn.starts_at, turn.ends_at, log.turn.tz)
        ),
        reply_markup=main_menu(MEMBER_MENU),
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
    members.message.register(location_shared, F.location)
    others = Router(name="duty-others")
    others.callback_query.register(not_a_member, DutyCB.filter(F.action == "in"))
    router = Router(name="duty")
    router.include_routers(members, others)
    return router
