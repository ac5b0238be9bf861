"""A resident's question before an open session: from the announcement or the station card.

"Ask a question beforehand" names the session; it is read again when pressed and when the
question arrives (a cancelled, started or unknown session is refused). A question that is
too short or too long is refused with the reason, and the step stays open for another try.
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram import F, Router
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager, ShowMode, StartMode, Window
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button, Cancel, Url
from aiogram_dialog.widgets.text import Format

from handlers.dialogs.context import reader_of
from handlers.dialogs.guard import Refused, guard
from handlers.dialogs.markup import Label
from handlers.dialogs.press import refuse_input
from handlers.dialogs.text import T
from handlers.stations_work import SessionCB, board_lines, hours, refusal
from services.clock import Clock
from services.errors import DomainError
from services.reports.station_page import station_link
from services.stations.board import station_board
from services.stations.questions import QUESTION_MAX, ask_question, open_session
from storage.models import ChatIdentity

log = logging.getLogger(__name__)


class SessionQuestionForm(StatesGroup):
    """The one step: the question typed."""

    text = State()


async def begin_question(manager: DialogManager, session_id: int) -> None:
    """Open the question step for a session; the caller checked it takes questions."""
    await manager.start(
        SessionQuestionForm.text,
        data={"session": session_id},
        mode=StartMode.RESET_STACK,
        show_mode=ShowMode.SEND,
    )


async def ask_pressed(
    callback: CallbackQuery, callback_data: SessionCB, dialog_manager: DialogManager, **data: Any
) -> None:
    """The announcement's button: the session is checked again before the step opens."""
    clock: Clock = data["clock"]
    try:
        await open_session(data["session"], callback_data.id, clock.now())
    except DomainError as error:
        log.info("chat %s: question to session %s refused", callback.from_user.id, callback_data.id)
        await callback.answer(refusal(error), show_alert=True)
        return
    await callback.answer()
    await begin_question(dialog_manager, callback_data.id)


async def question_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """The session asked about, as the step's heading."""
    reader = reader_of(dialog_manager)
    session_id = int((dialog_manager.start_data or {}).get("session", 0))  # type: ignore[union-attr]
    try:
        row = await open_session(reader.session, session_id, reader.now)
    except DomainError as error:
        closed = "\n" + refusal(error)
        return {"title": "", "when": "", "closed": closed, "maximum": QUESTION_MAX}
    return {
        "title": row.title,
        "when": hours(row.starts_at, row.ends_at, reader.tz),
        "closed": "",
        "maximum": QUESTION_MAX,
    }


async def question_typed(message: Message, widget: Any, manager: DialogManager) -> None:
    """Store the question; a refusal keeps the step open."""
    identity: ChatIdentity | None = manager.middleware_data.get("identity")
    reader = reader_of(manager)
    session_id = int((manager.start_data or {}).get("session", 0))  # type: ignore[union-attr]
    if identity is None or identity.id is None:
        await refuse_input(message, manager, _("This open session is not available."))
        return
    if not message.text:
        await refuse_input(message, manager, _("Please type your question as text."))
        return
    try:
        await ask_question(
            reader.session,
            identity_id=identity.id,
            session_id=session_id,
            text=message.text,
            now=reader.now,
        )
    except DomainError as error:
        await refuse_input(message, manager, refusal(error))
        if error.code in {"session_unknown", "session_questions_closed", "questions_too_many"}:
            await manager.done(show_mode=ShowMode.NO_UPDATE)
        return
    await message.answer(
        _("✅ Thank you. Your question is with the station's staff; bring it along too.")
    )
    await manager.done(show_mode=ShowMode.NO_UPDATE)


async def card_additions(manager: DialogManager, station_id: int) -> dict[str, Any]:
    """A station card's lines on duty and sessions, and whether a question can be asked."""
    reader = reader_of(manager)
    board = await station_board(reader.session, station_id=station_id, now=reader.now, tz=reader.tz)
    lines = board_lines(board, reader.tz)
    public_url = manager.middleware_data["settings"].public_url
    return {
        "board": "\n" + "\n".join(lines) if lines else "",
        "ask_session": any(row.starts_at > reader.now for row in board.sessions),
        "station_page": station_link(public_url, station_id, reader.locale) if public_url else "",
    }


async def ask_at_station(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """The card's button: a question for the station's next session not yet started."""
    reader = reader_of(manager)
    station_id = int(manager.dialog_data.get("station", 0))
    board = await station_board(reader.session, station_id=station_id, now=reader.now, tz=reader.tz)
    coming = [row for row in board.sessions if row.starts_at > reader.now and row.id]
    if not coming:
        raise Refused(_("This open session is not available."), alert=True)
    assert coming[0].id is not None
    await begin_question(manager, coming[0].id)


def ask_button() -> Button:
    """The station card's "Ask a question" button, shown while a session takes questions."""
    return Button(
        Label("❓ Ask a question before the open session"),
        id="ask_session",
        on_click=ask_at_station,
        when="ask_session",
    )


def station_page_button() -> Url:
    """A link to the station's public page (sessions, who is on duty), with a public address."""
    return Url(
        Label("🌐 The station's page"), Format("{station_page}"), id="page", when="station_page"
    )


def question_dialog() -> Dialog:
    """A fresh question dialog (one per Dispatcher)."""
    return guard(
        Dialog(
            Window(
                T(
                    "❓ <b>Your question for the open session</b>\n{title} · {when}\n"
                    "Type it in one message (at most {maximum} characters). Staff will read it "
                    "before the session.{closed}"
                ),
                Cancel(Label("✖ Cancel")),
                MessageInput(question_typed),
                getter=question_getter,
                state=SessionQuestionForm.text,
            )
        )
    )


def setup() -> Router:
    """The announcement's button, answered outside the dialog."""
    router = Router(name="session-questions")
    router.callback_query.register(ask_pressed, SessionCB.filter(F.action == "ask"))
    return router
