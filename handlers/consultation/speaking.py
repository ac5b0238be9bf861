"""Speaking at a consultation, for a member invited or a guest: book a speech, write remarks.

One dialog on the meeting's card: the speeches booked by the chat, "Book a speech" before the
meeting ends, "Write a remark" during the remote window. Every press and every text checks
again that the chat may take part (:func:`services.consultations.taking_part.may_take_part`).
A remark refused outside the window is kept on the card, to send once the window opens.
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram import F
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager, ShowMode, Window
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button, Cancel, SwitchTo
from aiogram_dialog.widgets.text import Format
from markupsafe import Markup

from handlers.consultation.texts import refusal, speech_line
from handlers.dialogs.guard import Refused, guard
from handlers.dialogs.markup import Label
from handlers.dialogs.paging import choices
from handlers.dialogs.press import answer, answer_press, refuse_input
from handlers.dialogs.text import T
from handlers.texts import escape, local_time, shorten
from services.clock import Clock
from services.consultations.remarks import add_remark, window_of
from services.consultations.speeches import ACTIVE, book_speech, own_bookings, withdraw_speech
from services.consultations.taking_part import Participant, may_take_part
from services.errors import DomainError
from storage.models import ChatIdentity

log = logging.getLogger(__name__)
DRAFT = "draft"


class Speaking(StatesGroup):
    """The meeting's speaking card, the speech's topic and a remark being typed."""

    card = State()
    title = State()
    remark = State()


def _meeting_id(manager: DialogManager) -> int:
    start = manager.start_data if isinstance(manager.start_data, dict) else {}
    return int(start.get("meeting") or 0)


async def participant_of(manager: DialogManager) -> Participant:
    """The chat pressing or typing, as a member or guest of the dialog's meeting; else refused."""
    data = manager.middleware_data
    identity: ChatIdentity | None = data.get("identity")
    profile = data.get("member")
    clock: Clock = data["clock"]
    member_id = profile.member.id if profile is not None and profile.active else None
    return await may_take_part(
        data["session"],
        meeting_id=_meeting_id(manager),
        identity_id=identity.id if identity is not None and identity.id is not None else 0,
        member_id=member_id,
        now=clock.now(),
    )


async def _checked(callback: CallbackQuery, manager: DialogManager) -> Participant:
    try:
        return await participant_of(manager)
    except DomainError as error:
        log.warning(
            "chat %s: proceedings of %s refused", callback.from_user.id, _meeting_id(manager)
        )
        raise Refused(refusal(error), alert=True) from error


def _now(manager: DialogManager) -> Any:
    clock: Clock = manager.middleware_data["clock"]
    return clock.now()


async def start_card(manager: DialogManager, meeting_id: int) -> None:
    """Open the speaking card of ``meeting_id`` on top of whatever is open."""
    await manager.start(Speaking.card, data={"meeting": meeting_id})


# --- getters ---------------------------------------------------------------------------------


async def card_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """The meeting, the chat's speeches, the remote window and any kept remark."""
    try:
        person = await participant_of(dialog_manager)
    except DomainError as error:
        nothing = {"may_book": False, "items": [], "may_remark": False, "kept": False}
        return {"card": refusal(error), "found": False, **nothing}
    meeting = person.meeting
    session = dialog_manager.middleware_data["session"]
    tz = dialog_manager.middleware_data["tz"]
    now = _now(dialog_manager)
    opens, closes = await window_of(session, meeting)
    bookings = await own_bookings(session, participant=person)
    lines = [
        f"<b>{escape(meeting.title)}</b>",
        _("When: {value}").format(
            value=f"{local_time(meeting.starts_at, tz)} – {local_time(meeting.ends_at, tz)}"
        ),
        _("Remarks are taken from {opens} to {closes}.").format(
            opens=local_time(opens, tz), closes=local_time(closes, tz)
        ),
    ]
    if bookings:
        lines.append(_("Your speeches:"))
        lines += [speech_line(booking) for booking in bookings]
    draft = dialog_manager.dialog_data.get(DRAFT)
    if draft:
        lines += [
            _("Your remark is kept, not sent yet:"),
            f"<blockquote>{escape(shorten(draft, 300))}</blockquote>",
        ]
    running = meeting.closed_at is None and now < meeting.ends_at
    in_window = meeting.closed_at is None and opens <= now < closes
    open_ones = [b for b in bookings if b.state in ACTIVE]
    return {
        # Built from our msgids and escaped values, so it is markup as it stands.
        "card": Markup("\n".join(lines)),  # noqa: S704
        "found": True,
        "may_book": running and not open_ones,
        "items": [
            (str(b.id), _("↩ Withdraw: {title}").format(title=shorten(b.title, 40)))
            for b in open_ones
        ]
        if running
        else [],
        "may_remark": in_window,
        "kept": in_window and bool(draft),
    }


# --- callbacks -------------------------------------------------------------------------------


async def book_chosen(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Ask what the speech is about (typed next)."""
    await _checked(callback, manager)
    await manager.switch_to(Speaking.title)


async def remark_chosen(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Ask for the remark (typed next)."""
    await _checked(callback, manager)
    await manager.switch_to(Speaking.remark)


async def withdraw_chosen(
    callback: CallbackQuery, widget: Any, manager: DialogManager, item: str
) -> None:
    """Withdraw one of the chat's own speeches; anybody else's is refused."""
    person = await _checked(callback, manager)
    try:
        await withdraw_speech(
            manager.middleware_data["session"],
            participant=person,
            booking_id=int(item) if item.isdigit() else 0,
            now=_now(manager),
        )
    except DomainError as error:
        log.warning("chat %s: speech %r refused", callback.from_user.id, item)
        raise Refused(refusal(error), alert=True) from error
    await answer(manager, _("Your speech is withdrawn."))


async def send_kept(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Send the remark kept from outside the window."""
    person = await _checked(callback, manager)
    draft = str(manager.dialog_data.get(DRAFT) or "")
    try:
        await add_remark(
            manager.middleware_data["session"], participant=person, text=draft, now=_now(manager)
        )
    except DomainError as error:
        tz = manager.middleware_data["tz"]
        await answer_press(manager, refusal(error, tz), show_alert=True)
        return
    manager.dialog_data.pop(DRAFT, None)
    await answer(manager, _("Your remark is sent to the meeting."))


async def title_typed(message: Message, widget: Any, manager: DialogManager) -> None:
    """The speech's topic: the speech is booked at the end of the order."""
    try:
        person = await participant_of(manager)
        booking = await book_speech(
            manager.middleware_data["session"],
            participant=person,
            title=message.text or "",
            now=_now(manager),
        )
    except DomainError as error:
        await refuse_input(message, manager, refusal(error))
        return
    await message.answer(
        _("Your speech is booked: number {position}, {minutes} minutes.").format(
            position=booking.position, minutes=booking.minutes
        )
    )
    await manager.switch_to(Speaking.card)


async def remark_typed(message: Message, widget: Any, manager: DialogManager) -> None:
    """A remark: sent to the meeting within the window, kept on the card outside it."""
    text = message.text or ""
    try:
        person = await participant_of(manager)
        await add_remark(
            manager.middleware_data["session"], participant=person, text=text, now=_now(manager)
        )
    except DomainError as error:
        await message.answer(refusal(error, manager.middleware_data["tz"]))
        if error.code in ("remark_outside_window", "remark_too_fast"):
            manager.dialog_data[DRAFT] = text
            await manager.switch_to(Speaking.card)
        else:
            manager.show_mode = ShowMode.NO_UPDATE
        return
    manager.dialog_data.pop(DRAFT, None)
    await message.answer(_("Your remark is sent to the meeting."))
    await manager.switch_to(Speaking.card)


async def not_text(message: Message, widget: Any, manager: DialogManager) -> None:
    """A photo, a sticker or a command where text is expected."""
    await refuse_input(message, manager, _("Please answer with text, or press “◀ Back”."))


def speaking_dialog() -> Dialog:
    """A fresh speaking dialog (one per Dispatcher)."""
    typed = F.text & ~F.text.startswith("/")
    return guard(
        Dialog(
            Window(
                Format("{card}"),
                Button(Label("🎤 Book a speech"), id="book", on_click=book_chosen, when="may_book"),
                choices("withdraw", withdraw_chosen),
                Button(
                    Label("✍ Write a remark"),
                    id="remark",
                    on_click=remark_chosen,
                    when="may_remark",
                ),
                Button(
                    Label("📨 Send the kept remark"), id="kept", on_click=send_kept, when="kept"
                ),
                Cancel(Label("✖ Close")),
                getter=card_getter,
                state=Speaking.card,
            ),
            Window(
                T("What will you speak about? Send the topic in a line (at most 200 characters)."),
                MessageInput(title_typed, filter=typed),
                MessageInput(not_text),
                SwitchTo(Label("◀ Back"), id="title_back", state=Speaking.card),
                state=Speaking.title,
            ),
            Window(
                T("Write your remark for the meeting (at most 1000 characters)."),
                MessageInput(remark_typed, filter=typed),
                MessageInput(not_text),
                SwitchTo(Label("◀ Back"), id="remark_back", state=Speaking.card),
                state=Speaking.remark,
            ),
        )
    )
