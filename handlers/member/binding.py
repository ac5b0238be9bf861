"""Linking a chat to a member with an invitation: ``/start inv-<code>`` or ``/bind <code>``."""

from __future__ import annotations

import datetime as dt
import logging

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from handlers import keyboards
from handlers.staff.context import STAFF_MENU, staff_menu
from handlers.texts import escape, local_time
from services.accounts.invite_sources import InviteSource
from services.accounts.invites import INVITE_PAYLOAD, redeem_invite
from services.clock import Clock
from services.errors import DomainError
from services.members.profiles import load_profile
from services.reference.catalog import display_name
from storage.models import ChatIdentity, Department, Staff

log = logging.getLogger(__name__)


def refusal(error: DomainError, tz: dt.tzinfo) -> str:
    """Why an invitation did not work."""
    if error.code == "locked":
        until = local_time(error.params["until"], tz)
        if error.params.get("by") == "source":
            return _(
                "Too many wrong codes from this connection. Please try again after {time}."
            ).format(time=until)
        return _("Too many wrong codes from this chat. Please try again after {time}.").format(
            time=until
        )
    messages = {
        "invalid": _(
            "This invitation code is not valid. "
            "Check it, or ask the committee office for a new one."
        ),
        "expired": _("This invitation has expired. Ask the committee office for a new one."),
        "used": _("This invitation was already used. Ask the committee office for a new one."),
        "inactive": _("This membership is not active, so the chat cannot be linked."),
        "chat_taken": _("This chat is already linked to another member, staff or department."),
    }
    return messages.get(error.code, _("This invitation could not be used."))


async def redeem(
    message: Message,
    code: str,
    session: AsyncSession,
    identity: ChatIdentity,
    clock: Clock,
    locale: str,
    tz: dt.tzinfo,
    invite_source: InviteSource | None = None,
) -> None:
    """Try a code and say what happened; ``invite_source`` is where it came from, if known."""
    try:
        member = await redeem_invite(
            session, identity=identity, code=code, now=clock.now(), source=invite_source
        )
    except DomainError as error:
        log.info("chat %s: invitation refused (%s)", message.chat.id, error.code)
        await message.answer(refusal(error, tz))
        return
    if isinstance(member, Department):
        log.info("chat %s linked to department %s", message.chat.id, member.id)
        await message.answer(
            _(
                "✅ This chat is now linked to <b>{name}</b>.\n"
                "Cases the committee office assigns to your department appear under "
                "“Assigned cases”; answer the residents from there."
            ).format(name=escape(display_name(member, locale))),
            reply_markup=keyboards.main_menu("department"),
        )
        return
    if isinstance(member, Staff):
        log.info("chat %s linked to staff %s", message.chat.id, member.id)
        menu = staff_menu(member)
        if menu == STAFF_MENU:
            what = _("Set up meetings, decide leave requests and read reports from the menu below.")
        else:
            what = _(
                "Handle your stations' cases, send notices to their residents and read reports "
                "from the menu below."
            )
        await message.answer(
            _("✅ This chat is now linked to the staff account of <b>{name}</b>.").format(
                name=escape(member.name)
            )
            + "\n"
            + what,
            reply_markup=keyboards.main_menu(menu),
        )
        return
    assert member.id is not None
    profile = await load_profile(session, member_id=member.id)
    assert profile is not None
    log.info("chat %s linked to member %s", message.chat.id, member.id)
    await message.answer(
        _(
            "✅ This chat is now linked to your member record: <b>{name}</b>, {sector}.\n"
            "Log your liaison activities and follow your progress from the menu below."
        ).format(name=escape(member.name), sector=escape(display_name(profile.sector, locale))),
        reply_markup=keyboards.main_menu("member"),
    )


async def start_with_invite(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    identity: ChatIdentity,
    clock: Clock,
    locale: str,
    tz: dt.tzinfo,
    invite_source: InviteSource | None = None,
) -> None:
    """The invitation's deep link."""
    code = (command.args or "")[len(INVITE_PAYLOAD) :]
    await redeem(message, code, session, identity, clock, locale, tz, invite_source)


async def bind_command(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    identity: ChatIdentity,
    clock: Clock,
    locale: str,
    tz: dt.tzinfo,
    invite_source: InviteSource | None = None,
) -> None:
    """A code typed by hand."""
    if not command.args:
        await message.answer(_("Send the code from your invitation like this: /bind K7Q2MX9PT3HW"))
        return
    await redeem(message, command.args.strip(), session, identity, clock, locale, tz, invite_source)


def setup() -> Router:
    """The handlers of this module, on a fresh router."""
    router = Router(name="member-binding")
    router.message.register(
        start_with_invite, CommandStart(deep_link=True, magic=F.args.startswith(INVITE_PAYLOAD))
    )
    router.message.register(bind_command, Command("bind"))
    return router
