"""Checking in at a meeting: the 6-digit code shown at the venue, or the meeting's QR code."""

from __future__ import annotations

import logging

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from handlers import keyboards
from handlers.member.context import LogContext
from handlers.member.meetings import refusal, text_expected
from handlers.states import MeetingAnswer
from handlers.texts import escape
from services.errors import DomainError
from services.meetings.attendance import check_in

log_ = logging.getLogger(__name__)
CHECKIN_PAYLOAD = "mt-"


async def checkin_code_typed(message: Message, log: LogContext) -> None:
    """The check-in code typed after the button."""
    assert message.text is not None
    await _check_in(message, log, code=message.text.strip())


async def checkin_command(message: Message, command: CommandObject, log: LogContext) -> None:
    """``/checkin 123456``."""
    if not command.args:
        await log.state.set_state(MeetingAnswer.checkin_code)
        await message.answer(
            _("Please type the 6-digit code shown at the venue."),
            reply_markup=keyboards.cancel_only(),
        )
        return
    await _check_in(message, log, code=command.args.strip())


async def checkin_link(message: Message, command: CommandObject, log: LogContext) -> None:
    """The meeting's QR code at the venue."""
    token = (command.args or "")[len(CHECKIN_PAYLOAD) :]
    await _check_in(message, log, token=token)


async def _check_in(
    message: Message, log: LogContext, *, code: str | None = None, token: str | None = None
) -> None:
    try:
        meeting = await check_in(
            log.session, member_id=log.member.id, now=log.now, code=code, token=token
        )
    except DomainError as error:
        log_.info("chat %s: check-in refused (%s)", message.chat.id, error.code)
        await message.answer(refusal(error))
        if error.code != "checkin_wrong":
            await log.state.clear()
        return
    await log.state.clear()
    await message.answer(
        _("✅ You are checked in at {title}. Welcome!").format(title=escape(meeting.title)),
        reply_markup=keyboards.main_menu("member"),
    )


def setup() -> Router:
    """The handlers of this module, on a fresh router."""
    router = Router(name="member-checkin")
    router.message.register(checkin_command, Command("checkin"))
    router.message.register(checkin_code_typed, MeetingAnswer.checkin_code, F.text)
    router.message.register(text_expected, MeetingAnswer.checkin_code)
    return router


CHECKIN_LINK = CommandStart(deep_link=True, magic=F.args.startswith(CHECKIN_PAYLOAD))


def deep_links() -> Router:
    """The meeting QR code, for members (the gate answers anyone else)."""
    router = Router(name="member-meeting-links")
    router.message.register(checkin_link, CHECKIN_LINK)
    return router
