"""Who a meeting invites: everyone, a sector, a group, a special committee, or named members."""

from __future__ import annotations

import logging
import re
from typing import Any

from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.dialogs.context import reader_of
from handlers.dialogs.press import answer_press, mark_choice, refuse_input
from handlers.staff.desk import desk_of
from handlers.staff.meeting_form import MeetingForm
from handlers.staff.meeting_steps import advance
from handlers.texts import escape
from services.meetings import invitations as meetings
from services.members.labels import group_label
from services.members.profiles import find_members
from services.reference.catalog import display_name, list_committees, list_sectors
from storage.enums import MemberGroup

log = logging.getLogger(__name__)
PICKED = ("sector", "group", "committee")  # audiences chosen from a list


async def audiences(**_data: Any) -> dict[str, Any]:
    """The kinds of audience beside "all members"."""
    return {
        "audiences": [
            ("sector", _("By sector")),
            ("group", _("By group")),
            ("committee", _("By special committee")),
            ("member", _("Named members")),
        ]
    }


async def options(dialog_manager: DialogManager, **_data: Any) -> dict[str, Any]:
    """The sectors, groups or committees to choose from."""
    kind = str(dialog_manager.dialog_data.get("audience_kind", ""))
    reader = reader_of(dialog_manager)
    found = await _options(reader.session, reader.locale, kind)
    return {"options": list(found.items())}


async def _options(session: AsyncSession, locale: str, kind: str) -> dict[str, str]:
    if kind == "sector":
        return {s.code: display_name(s, locale) for s in await list_sectors(session)}
    if kind == "group":
        return {group.value: group_label(group) for group in MemberGroup}
    if kind == "committee":
        return {c.code: display_name(c, locale) for c in await list_committees(session)}
    return {}


async def everyone(callback: CallbackQuery, button: Any, manager: DialogManager) -> None:
    """Step 6: all members."""
    await _set_audience(manager, ["all"], _("All members"))


async def audience_picked(
    callback: CallbackQuery, widget: Any, manager: DialogManager, item_id: str
) -> None:
    """Step 6: a kind of audience, then which one, or the names."""
    if item_id == "member":
        await manager.switch_to(MeetingForm.audience_names)
        return
    if item_id not in PICKED:
        log.warning("chat %s picked audience %r", callback.from_user.id, item_id)
        await answer_press(manager, _("This button is not valid."))
        return
    manager.dialog_data["audience_kind"] = item_id
    await manager.switch_to(MeetingForm.audience_pick)


async def option_picked(
    callback: CallbackQuery, widget: Any, manager: DialogManager, item_id: str
) -> None:
    """Step 6: the sector, group or committee."""
    kind = str(manager.dialog_data.get("audience_kind", ""))
    desk = desk_of(manager)
    found = await _options(desk.session, desk.turn.locale, kind)
    if item_id not in found:
        log.warning("chat %s picked audience %s:%r", callback.from_user.id, kind, item_id)
        await answer_press(manager, _("This button is not valid."))
        return
    await _set_audience(manager, [f"{kind}:{item_id}"], found[item_id])


async def _set_audience(manager: DialogManager, specs: list[str], label: str) -> None:
    count = len(await meetings.audience_members(desk_of(manager).session, specs))
    if count == 0:
        text = _("Nobody active matches; please choose another audience.")
        await answer_press(manager, text, show_alert=True)
        return
    manager.dialog_data.update(audience=specs, audience_label=label)
    text = _("Invited: {label} ({count} members)").format(label=escape(label), count=count)
    await mark_choice(manager, text)
    await advance(manager, MeetingForm.agenda)


async def members_typed(message: Message, widget: Any, manager: DialogManager) -> None:
    """Step 6, named members: every name must match exactly one member."""
    session = desk_of(manager).session
    wanted = [part.strip() for part in re.split(r"[,，、;；]", message.text or "") if part.strip()]
    found, unknown = [], []
    for query in wanted[:200]:
        matches = await find_members(session, query)
        if len(matches) == 1 and matches[0].id is not None:
            found.append(matches[0])
        else:
            unknown.append(query)
    if unknown or not found:
        text = _("Not found or not unique: {names}. Please type roster codes or full names.")
        await refuse_input(message, manager, text.format(names=escape("、".join(unknown) or "-")))
        return
    specs = [f"member:{member.id}" for member in found]
    manager.dialog_data.update(audience=specs, audience_label="、".join(m.name for m in found))
    await advance(manager, MeetingForm.agenda)
