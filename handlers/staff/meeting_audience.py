"""Who a meeting invites: everyone, a sector, a group, a special committee, or named members."""

from __future__ import annotations

import logging
import re

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from handlers import keyboards
from handlers.callbacks import AudienceCB
from handlers.grid import Grid
from handlers.messaging import show_choice
from handlers.staff.desk import Desk
from handlers.staff.meeting_steps import advance
from handlers.states import MeetingForm
from handlers.texts import escape
from services.meetings import invitations as meetings
from services.members.labels import group_label
from services.members.profiles import find_members
from services.reference.catalog import display_name, list_committees, list_sectors
from storage.enums import MemberGroup

log = logging.getLogger(__name__)


async def audience_picked(callback: CallbackQuery, callback_data: AudienceCB, desk: Desk) -> None:
    """Step 6: a kind of audience, then (for most) which one."""
    kind, value = callback_data.kind, callback_data.value
    if kind == "all":
        await _set_audience(callback, desk, ["all"], _("All members"))
        return
    if kind == "member":
        await callback.answer()
        await desk.state.set_state(MeetingForm.audience_value)
        await desk.turn.say(
            _("Type the members' roster codes or names, separated by commas (e.g. M001, 李文静)."),
            reply_markup=keyboards.cancel_only(),
        )
        return
    if kind not in ("sector", "group", "committee"):
        log.warning("chat %s picked audience %r", callback.from_user.id, kind)
        await callback.answer(_("This button is not valid."))
        return
    options = await _options(desk, kind)
    if not value:
        await callback.answer()
        grid = Grid()
        for code, label in options.items():
            grid.button(text=label, callback_data=AudienceCB(kind=kind, value=code))
        grid.adjust(2)
        await desk.turn.say(_("Which one?"), reply_markup=grid.as_markup())
        return
    if value not in options:
        log.warning("chat %s picked audience %s:%r", callback.from_user.id, kind, value)
        await callback.answer(_("This button is not valid."))
        return
    await _set_audience(callback, desk, [f"{kind}:{value}"], options[value])


async def _options(desk: Desk, kind: str) -> dict[str, str]:
    locale = desk.turn.locale
    if kind == "sector":
        return {s.code: display_name(s, locale) for s in await list_sectors(desk.session)}
    if kind == "group":
        return {group.value: group_label(group) for group in MemberGroup}
    if kind == "committee":
        return {c.code: display_name(c, locale) for c in await list_committees(desk.session)}
    return {}


async def _set_audience(callback: CallbackQuery, desk: Desk, specs: list[str], label: str) -> None:
    count = len(await meetings.audience_members(desk.session, specs))
    if count == 0:
        await callback.answer(
            _("Nobody active matches; please choose another audience."), show_alert=True
        )
        return
    await desk.state.update_data(audience=specs, audience_label=label)
    await show_choice(
        callback, _("Invited: {label} ({count} members)").format(label=escape(label), count=count)
    )
    await advance(desk)


async def members_typed(message: Message, desk: Desk) -> None:
    """Step 6, named members: every name must match exactly one member."""
    wanted = [part.strip() for part in re.split(r"[,，、;；]", message.text or "") if part.strip()]
    found, unknown = [], []
    for query in wanted[:200]:
        matches = await find_members(desk.session, query)
        if len(matches) == 1 and matches[0].id is not None:
            found.append(matches[0])
        else:
            unknown.append(query)
    if unknown or not found:
        await message.answer(
            _("Not found or not unique: {names}. Please type roster codes or full names.").format(
                names=escape("、".join(unknown) or "-")
            )
        )
        return
    specs = [f"member:{member.id}" for member in found]
    await desk.state.update_data(audience=specs, audience_label="、".join(m.name for m in found))
    await advance(desk)


def setup() -> Router:
    """The handlers of this module, on a fresh router."""
    router = Router(name="staff-meeting-audience")
    router.callback_query.register(audience_picked, MeetingForm.audience, AudienceCB.filter())
    router.message.register(members_typed, MeetingForm.audience_value, F.text)
    return router
