"""Member features reached by anyone else: a clear refusal, logged, and nothing changes."""

from __future__ import annotations

import logging
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog.api.entities import Context
from aiogram_dialog.api.internal import CONTEXT_KEY

from handlers.callbacks import MEMBER_CALLBACK_PREFIXES
from handlers.filters import ButtonText
from handlers.member.context import ActiveMember
from handlers.staff.context import ActiveStaff
from handlers.states import ActivityForm, EntryOpen, MemberMeetings, MyActivities, MyRecord
from handlers.texts import Buttons
from services.members.profiles import MemberProfile

log = logging.getLogger(__name__)
MEMBER_COMMANDS = ("log", "progress", "activities", "meetings", "checkin", "cases")


def refusal(member: MemberProfile | None) -> str:
    """Why the member features are not open to this chat."""
    if member is not None:
        return _(
            "Your membership is not active at the moment, so member features are unavailable. "
            "Please contact the committee office."
        )
    return _(
        "This is for committee members. If you are a member, open the invitation link "
        "the committee office gave you."
    )


async def refuse_message(message: Message, member: MemberProfile | None = None) -> None:
    """A member command or button from a chat that is not an active member's."""
    log.info("chat %s: member feature refused", message.chat.id)
    await message.answer(refusal(member))


async def refuse_callback(callback: CallbackQuery, member: MemberProfile | None = None) -> None:
    """A member button pressed (or forged) in a chat that is not an active member's."""
    log.warning("chat %s: member button %r refused", callback.from_user.id, callback.data)
    await callback.answer(refusal(member), show_alert=True)


def is_member_callback(data: str | None) -> bool:
    """Whether callback data belongs to a member button."""
    return bool(data) and str(data).split(":", 1)[0] in MEMBER_CALLBACK_PREFIXES


MEMBER_DIALOGS = (ActivityForm, EntryOpen, MyActivities, MemberMeetings, MyRecord)


def on_member_dialog(callback: CallbackQuery, **data: Any) -> bool:
    """Whether a button belongs to one of the member dialogs (by the dialog it was drawn for)."""
    context: Context | None = data.get(CONTEXT_KEY)
    return context is not None and context.state.group in MEMBER_DIALOGS


def setup() -> Router:
    """The handlers of this module, on a fresh router."""
    router = Router(name="member-gate")
    # An active member's stale button falls through to the generic "no longer active".
    router.message.filter(~ActiveMember())
    router.callback_query.filter(~ActiveMember())
    router.message.register(refuse_message, Command(*(set(MEMBER_COMMANDS) - {"meetings"})))
    # Staff have a /meetings of their own, further on.
    router.message.register(refuse_message, Command("meetings"), ~ActiveStaff())
    router.message.register(refuse_message, Command("record"), ~ActiveStaff())
    for label in (
        Buttons.LOG,
        Buttons.PROGRESS,
        Buttons.ACTIVITIES,
        Buttons.ASSIGNED_CASES,
        Buttons.MY_RECORD,
    ):
        router.message.register(refuse_message, ButtonText(label))
    router.callback_query.register(refuse_callback, F.data.func(is_member_callback))
    router.callback_query.register(refuse_callback, on_member_dialog)
    return router


def deep_links() -> Router:
    """A meeting's check-in QR code opened by someone who is not an active member."""
    from handlers.member.checkin import CHECKIN_LINK

    router = Router(name="member-gate-links")
    router.message.filter(~ActiveMember())
    router.message.register(refuse_message, CHECKIN_LINK)
    return router
