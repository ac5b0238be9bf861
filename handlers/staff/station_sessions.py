"""The staff desk for open sessions: ``/sessions`` lists them, a card records what was raised.

Admins reach every station, station staff their own; every button names a session or a point
that is read again within the presser's scope, so another station's id reads as unknown.
Scheduling is one typed message (see :mod:`handlers.staff.station_forms`); a point is one
message too; a point becomes a case in one tap, in the session's category or a chosen one.
"""

from __future__ import annotations

import logging

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from handlers.notifications import ChatNotifier
from handlers.staff.context import ActiveStaff
from handlers.staff.desk import Desk, DeskMiddleware
from handlers.staff.station_forms import FormError, parse_session
from handlers.stations_work import PointCB, SessionCB, hours, refusal
from handlers.texts import escape
from services.errors import DomainError
from services.reference.catalog import display_name, get_station, list_categories, list_stations
from services.stations.points import point_to_case, record_point, session_points
from services.stations.questions import session_questions
from services.stations.sessions import (
    SessionDraft,
    cancel_session,
    schedule_session,
    staff_session,
    staff_sessions,
)

log = logging.getLogger(__name__)


class SessionDeskForm(StatesGroup):
    """The typed steps: a new session, a point raised."""

    session = State()
    point = State()


def _button(text: str, data: SessionCB | PointCB) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(text=text, callback_data=data.pack())]


async def sessions_command(message: Message, desk: Desk) -> None:
    """``/sessions``: the sessions in scope, and a way to schedule one at each station."""
    rows = await staff_sessions(desk.session, scope=desk.scope, now=desk.now)
    lines = [_("<b>Open sessions at the stations</b>")]
    keyboard: list[list[InlineKeyboardButton]] = []
    for row in rows:
        assert row.id is not None
        mark = _(" (cancelled)") if row.cancelled_at else ""
        lines.append(
            f"• {hours(row.starts_at, row.ends_at, desk.turn.tz)} {escape(row.title)}{mark}"
        )
        keyboard.append(_button(f"🗣 {row.title[:40]}", SessionCB(action="open", id=row.id)))
    if not rows:
        lines.append(_("No sessions yet."))
    for station in await list_stations(desk.session):
        if station.id is not None and desk.scope.covers(station.id):
            label = _("➕ Schedule at {station}").format(
                station=display_name(station, desk.turn.locale)
            )
            keyboard.append(_button(label, SessionCB(action="new", id=station.id)))
    await message.answer(
        "\n".join(lines), reply_markup=InlineKeyboardMarkup(inline_keyboard=keyboard)
    )


async def new_pressed(callback: CallbackQuery, callback_data: SessionCB, desk: Desk) -> None:
    """Ask for the session's lines; a station out of scope is refused."""
    station = await get_station(desk.session, callback_data.id)
    if station is None or not desk.scope.covers(callback_data.id):
        await callback.answer(refusal(DomainError("station_unknown")), show_alert=True)
        return
    await desk.state.set_state(SessionDeskForm.session)
    await desk.state.update_data(station=callback_data.id)
    await callback.answer()
    await desk.turn.say(
        _(
            "Type the session in one message, one item a line:\n"
            "title\n"
            "date and hours, like 2026-11-25 14:00-16:00\n"
            "venue (optional)\n"
            "what it is about (optional)"
        )
    )


async def session_typed(message: Message, desk: Desk, notifier: ChatNotifier) -> None:
    """Schedule and announce the session typed; a mistake keeps the step for another try."""
    station_id = int((await desk.state.get_data()).get("station", 0))
    try:
        form = parse_session(message.text or "", desk.turn.tz)
    except FormError:
        await message.answer(
            _(
                "Please follow the form: the title, then the date and hours "
                "like 2026-11-25 14:00-16:00."
            )
        )
        return
    try:
        row = await schedule_session(
            desk.session,
            scope=desk.scope,
            draft=SessionDraft(
                station_id=station_id,
                title=form.title,
                starts_at=form.starts_at,
                ends_at=form.ends_at,
                venue=form.venue,
                description=form.description,
            ),
            notifier=notifier,
            now=desk.now,
        )
    except DomainError as error:
        await message.answer(refusal(error))
        if error.code in {"out_of_scope", "station_unknown"}:
            await desk.state.clear()
        return
    await desk.state.clear()
    assert row.id is not None
    await message.answer(
        _("✅ Scheduled and announced to the station's subscribers: {title}, {when}.").format(
            title=escape(row.title), when=hours(row.starts_at, row.ends_at, desk.turn.tz)
        ),
        reply_markup=InlineKeyboardMarkup(
            inline_keyboard=[_button(_("Open the session"), SessionCB(action="open", id=row.id))]
        ),
    )


async def show_card(desk: Desk, session_id: int) -> None:
    """The session's card: questions sent, points raised, and what can be done."""
    row = await staff_session(desk.session, session_id, desk.scope)
    station = await get_station(desk.session, row.station_id)
    lines = [
        f"<b>{escape(row.title)}</b>",
        escape(display_name(station, desk.turn.locale)) if station else "",
        hours(row.starts_at, row.ends_at, desk.turn.tz),
    ]
    if row.cancelled_at:
        lines.append(_("✖ Cancelled"))
    questions = await session_questions(desk.session, session_id=session_id)
    lines.append(_("<b>Questions sent beforehand: {count}</b>").format(count=len(questions)))
    lines += [f"– {escape(question.text)}" for question in questions]
    points = await session_points(desk.session, session_id=session_id)
    lines.append(_("<b>Points raised: {count}</b>").format(count=len(points)))
    keyboard: list[list[InlineKeyboardButton]] = []
    for number, point in enumerate(points, start=1):
        done = _(" → case") if point.issue_id else ""
        lines.append(f"{number}. {escape(point.text)}{done}")
        if point.issue_id is None and point.id is not None:
            keyboard.append(
                _button(
                    _("📂 Point {number} → case").format(number=number),
                    PointCB(action="case", id=point.id),
                )
            )
    if row.cancelled_at is None and row.starts_at <= desk.now:
        keyboard.append(_button(_("➕ Record a point"), SessionCB(action="point", id=session_id)))
    if row.cancelled_at is None and row.starts_at > desk.now:
        keyboard.append(
            _button(_("✖ Cancel the session"), SessionCB(action="cancel", id=session_id))
        )
    await desk.turn.say(
        "\n".join(line for line in lines if line),
        reply_markup=InlineKeyboardMarkup(inline_keyboard=keyboard) if keyboard else None,
    )


async def session_pressed(
    callback: CallbackQuery, callback_data: SessionCB, desk: Desk, notifier: ChatNotifier
) -> None:
    """Open, cancel, or start recording a point; every id is read again within the scope."""
    try:
        await staff_session(desk.session, callback_data.id, desk.scope)
        if callback_data.action == "cancel":
            await cancel_session(
                desk.session,
                scope=desk.scope,
                session_id=callback_data.id,
                notifier=notifier,
                now=desk.now,
            )
    except DomainError as error:
        log.info("chat %s: session press refused (%s)", desk.turn.chat_id, error.code)
        await callback.answer(refusal(error), show_alert=True)
        return
    await callback.answer()
    if callback_data.action == "point":
        await desk.state.set_state(SessionDeskForm.point)
        await desk.state.update_data(session=callback_data.id)
        await desk.turn.say(_("Type the problem raised, in one message."))
        return
    await show_card(desk, callback_data.id)


async def point_typed(message: Message, desk: Desk) -> None:
    """Record the point typed; a refusal keeps the step for another try."""
    session_id = int((await desk.state.get_data()).get("session", 0))
    try:
        await record_point(
            desk.session,
            scope=desk.scope,
            session_id=session_id,
            text=message.text or "",
            now=desk.now,
        )
    except DomainError as error:
        await message.answer(refusal(error))
        if error.code not in {"description_too_short", "description_too_long"}:
            await desk.state.clear()
        return
    await desk.state.clear()
    await show_card(desk, session_id)


async def point_pressed(callback: CallbackQuery, callback_data: PointCB, desk: Desk) -> None:
    """Make the point a case: ``case`` in the session's category, ``c<id>`` in a chosen one."""
    category_id = None
    if callback_data.action.startswith("c") and callback_data.action[1:].isdigit():
        category_id = int(callback_data.action[1:])
    try:
        issue = await point_to_case(
            desk.session,
            scope=desk.scope,
            point_id=callback_data.id,
            now=desk.now,
            tz=desk.turn.tz,
            category_id=category_id,
        )
    except DomainError as error:
        if error.code == "category_needed":
            await callback.answer()
            categories = await list_categories(desk.session)
            keyboard = [
                _button(
                    display_name(category, desk.turn.locale),
                    PointCB(action=f"c{category.id}", id=callback_data.id),
                )
                for category in categories
            ]
            await desk.turn.say(
                refusal(error), reply_markup=InlineKeyboardMarkup(inline_keyboard=keyboard)
            )
            return
        log.info("chat %s: point press refused (%s)", desk.turn.chat_id, error.code)
        await callback.answer(refusal(error), show_alert=True)
        return
    await callback.answer()
    await desk.turn.say(_("📂 Case {number} is open at the station.").format(number=issue.number))


def setup() -> Router:
    """The session desk, behind the staff filter."""
    router = Router(name="staff-station-sessions")
    for observer in (router.message, router.callback_query):
        observer.filter(ActiveStaff())
        observer.middleware(DeskMiddleware())
    router.message.register(sessions_command, Command("sessions"))
    router.message.register(session_typed, SessionDeskForm.session, F.text)
    router.message.register(point_typed, SessionDeskForm.point, F.text)
    router.callback_query.register(new_pressed, SessionCB.filter(F.action == "new"))
    router.callback_query.register(
        session_pressed, SessionCB.filter(F.action.in_({"open", "cancel", "point"}))
    )
    router.callback_query.register(point_pressed, PointCB.filter())
    return router
