"""The duty rota desk: ``/rota`` shows a station's week, who came and who missed a turn.

Staff add a turn by typing ``M001 2026-11-25 9-12`` and remove a turn not yet started; the
buttons name a station or a turn, read again within the presser's scope.
"""

from __future__ import annotations

import datetime as dt
import io
import logging

import segno
from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)
from aiogram.utils.i18n import gettext as _

from handlers.channel import ChannelCapabilities
from handlers.member.duty_turns import DUTY_PAYLOAD
from handlers.staff.context import ActiveStaff
from handlers.staff.desk import Desk, DeskMiddleware
from handlers.staff.station_forms import FormError, parse_turn
from handlers.stations_work import DutyCB, hours, refusal, state_label
from handlers.texts import escape
from services.errors import DomainError
from services.reference.catalog import display_name, get_station, list_stations
from services.stations.duty_codes import duty_code
from services.stations.rota import TurnState, member_by_code, remove_turn, rota, set_turn
from storage.models import DutyTurn

log = logging.getLogger(__name__)
WEEK = 7


class RotaForm(StatesGroup):
    """The typed step: a turn."""

    turn = State()


def _row(text: str, data: DutyCB) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(text=text, callback_data=data.pack())]


async def rota_command(message: Message, desk: Desk) -> None:
    """``/rota``: a station's rota; with several stations in scope, choose one first."""
    stations = [s for s in await list_stations(desk.session) if s.id and desk.scope.covers(s.id)]
    if len(stations) == 1 and stations[0].id is not None:
        await show_rota(desk, stations[0].id)
        return
    keyboard = [
        _row(display_name(station, desk.turn.locale), DutyCB(action="st", id=station.id or 0))
        for station in stations
    ]
    await message.answer(
        _("Which station's rota?"), reply_markup=InlineKeyboardMarkup(inline_keyboard=keyboard)
    )


async def show_rota(desk: Desk, station_id: int) -> None:
    """The station's turns from yesterday for a week, with states; missed ones stand out."""
    station = await get_station(desk.session, station_id)
    lines = await rota(
        desk.session,
        scope=desk.scope,
        station_id=station_id,
        start=desk.today - dt.timedelta(days=1),
        days=WEEK + 1,
        now=desk.now,
    )
    name = display_name(station, desk.turn.locale) if station else "?"
    text = [_("<b>Duty rota · {station}</b>").format(station=escape(name))]
    keyboard: list[list[InlineKeyboardButton]] = []
    for line in lines:
        text.append(
            f"• {hours(line.turn.starts_at, line.turn.ends_at, desk.turn.tz)} "
            f"{escape(line.member_name)} · {state_label(line.state)}"
        )
        if line.state == TurnState.UPCOMING and line.turn.id is not None:
            keyboard.append(
                _row(
                    _("🗑 Remove {name} {when}").format(
                        name=line.member_name,
                        when=f"{line.turn.starts_at.astimezone(desk.turn.tz):%m-%d %H:%M}",
                    ),
                    DutyCB(action="rm", id=line.turn.id),
                )
            )
    if not lines:
        text.append(_("No turns this week."))
    missed = sum(1 for line in lines if line.state == TurnState.MISSED)
    if missed:
        text.append(_("❌ Missed turns: {count}").format(count=missed))
    keyboard.append(_row(_("➕ Add a turn"), DutyCB(action="add", id=station_id)))
    keyboard.append(_row(_("🖨 Duty check-in QR code"), DutyCB(action="qr", id=station_id)))
    await desk.turn.say(
        "\n".join(text), reply_markup=InlineKeyboardMarkup(inline_keyboard=keyboard)
    )


async def send_qr(desk: Desk, station_id: int, bot: Bot, capabilities: ChannelCapabilities) -> None:
    """The code to post at the station: members on duty scan it to check in."""
    station = await get_station(desk.session, station_id)
    name = display_name(station, desk.turn.locale) if station else ""
    me = await bot.me()
    token = await duty_code(desk.session, station_id=station_id, now=desk.now)
    link = capabilities.deep_link(f"{DUTY_PAYLOAD}{token}", me.username)
    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind="png", scale=10, border=4)
    await bot.send_photo(
        desk.turn.chat_id,
        BufferedInputFile(buffer.getvalue(), filename=f"duty-{station_id}.png"),
        caption=_("Duty check-in at {station}: members on duty scan this code.").format(
            station=escape(name)
        ),
    )


async def rota_pressed(
    callback: CallbackQuery,
    callback_data: DutyCB,
    desk: Desk,
    bot: Bot,
    capabilities: ChannelCapabilities,
) -> None:
    """Show a station's rota, start adding a turn, or remove one; ids are read again."""
    try:
        if callback_data.action == "rm":
            turn = await desk.session.get(DutyTurn, callback_data.id)
            station_id = turn.station_id if turn else 0
            await remove_turn(
                desk.session, scope=desk.scope, turn_id=callback_data.id, now=desk.now
            )
        else:
            station_id = callback_data.id
            if await get_station(desk.session, station_id) is None:
                raise DomainError("station_unknown")
            desk.scope.require(station_id)
    except DomainError as error:
        log.info("chat %s: rota press refused (%s)", desk.turn.chat_id, error.code)
        await callback.answer(refusal(error), show_alert=True)
        return
    await callback.answer()
    if callback_data.action == "add":
        await desk.state.set_state(RotaForm.turn)
        await desk.state.update_data(station=station_id)
        await desk.turn.say(
            _(
                "Type the turn in one line: the member's code, the day and the hours, "
                "like M001 2026-11-25 9-12."
            )
        )
        return
    if callback_data.action == "qr":
        await send_qr(desk, station_id, bot, capabilities)
        return
    await show_rota(desk, station_id)


async def turn_typed(message: Message, desk: Desk) -> None:
    """Add the turn typed; a mistake keeps the step for another try."""
    station_id = int((await desk.state.get_data()).get("station", 0))
    try:
        form = parse_turn(message.text or "")
    except FormError:
        await message.answer(
            _("Please type the member's code, the day and the hours, like M001 2026-11-25 9-12.")
        )
        return
    member = await member_by_code(desk.session, form.member_code)
    try:
        if member is None or member.id is None:
            raise DomainError("member_unknown")
        await set_turn(
            desk.session,
            scope=desk.scope,
            station_id=station_id,
            member_id=member.id,
            day=form.day,
            start_hour=form.start_hour,
            end_hour=form.end_hour,
            now=desk.now,
            tz=desk.turn.tz,
        )
    except DomainError as error:
        await message.answer(refusal(error))
        if error.code in {"out_of_scope", "station_unknown"}:
            await desk.state.clear()
        return
    await desk.state.clear()
    await show_rota(desk, station_id)


def setup() -> Router:
    """The rota desk, behind the staff filter."""
    router = Router(name="staff-station-rota")
    for observer in (router.message, router.callback_query):
        observer.filter(ActiveStaff())
        observer.middleware(DeskMiddleware())
    router.message.register(rota_command, Command("rota"))
    router.message.register(turn_typed, RotaForm.turn, F.text)
    router.callback_query.register(
        rota_pressed, DutyCB.filter(F.action.in_({"st", "add", "rm", "qr"}))
    )
    return router
