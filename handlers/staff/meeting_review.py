"""The meeting form's review: the whole draft, edit a part, create and invite, or discard."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager
from markupsafe import Markup

from handlers import keyboards
from handlers.dialogs.context import reader_of
from handlers.dialogs.press import answer, answer_press, mark_choice
from handlers.notifications import ChatNotifier
from handlers.staff.desk import desk_of
from handlers.staff.meeting_changes import out_of_date
from handlers.staff.meeting_steps import show_review
from handlers.texts import escape, local_time
from services.errors import DomainError
from services.meetings import invitations as meetings
from services.meetings.changes import MeetingChange, change_meeting
from services.reference.catalog import display_name

log = logging.getLogger(__name__)


async def summary(dialog_manager: DialogManager, **_data: Any) -> dict[str, Any]:
    """The draft as the review shows it, every typed part escaped."""
    reader = reader_of(dialog_manager)
    data = dialog_manager.dialog_data
    count = len(await meetings.audience_members(reader.session, data.get("audience", [])))
    kind = meetings.meeting_kind(str(data.get("kind")))
    tz = reader.tz
    starts = dt.datetime.fromisoformat(data["starts"])
    ends = dt.datetime.fromisoformat(data["ends"])
    editing = bool(data.get("edit"))
    lines = [
        _("<b>Please check the changes</b>") if editing else _("<b>Please check the meeting</b>"),
        "",
        _("Kind: {value}").format(value=escape(display_name(kind, reader.locale)) if kind else "-"),
        _("Title: {value}").format(value=escape(str(data.get("title", "")))),
        _("When: {value}").format(value=f"{local_time(starts, tz)} – {local_time(ends, tz)}"),
        _("Venue: {value}").format(value=escape(str(data.get("venue", "")))),
        _("Invited: {label} ({count} members)").format(
            label=escape(str(data.get("audience_label", ""))), count=count
        ),
        _("Materials: {value}").format(value=escape(data.get("materials_name") or _("none"))),
    ]
    if data.get("agenda"):
        lines += [_("Agenda:"), f"<blockquote>{escape(str(data['agenda']))}</blockquote>"]
    # Built from our msgids and escaped values, so it is markup as it stands.
    return {"summary": Markup("\n".join(lines)), "new": not editing, "edit": editing}  # noqa: S704


async def edit(callback: CallbackQuery, button: Any, manager: DialogManager) -> None:
    """An edit button: the step comes below, and its answer leads back to the review."""
    manager.dialog_data["editing"] = True
    await mark_choice(manager, _("Editing the meeting…"))


async def discard(callback: CallbackQuery, button: Any, manager: DialogManager) -> None:
    """Drop the draft (or the change of a meeting); nothing is sent."""
    turn = desk_of(manager).turn
    editing = bool(manager.dialog_data.get("edit"))
    await manager.done()
    await mark_choice(
        manager, _("The meeting stays as it was.") if editing else _("Meeting discarded.")
    )
    await turn.say(_("Nothing was sent."), reply_markup=keyboards.main_menu(turn.menu_role))


async def create(callback: CallbackQuery, button: Any, manager: DialogManager) -> None:
    """Create the meeting and queue its invitations; the form ends."""
    desk = desk_of(manager)
    data = manager.dialog_data
    notifier: ChatNotifier = manager.middleware_data["notifier"]
    wake_delivery: Callable[[], None] = manager.middleware_data["wake_delivery"]
    draft = meetings.MeetingInput(
        kind=str(data["kind"]),
        title=str(data["title"]),
        starts_at=dt.datetime.fromisoformat(data["starts"]),
        ends_at=dt.datetime.fromisoformat(data["ends"]),
        venue=str(data["venue"]),
        audience=list(data["audience"]),
        agenda=str(data.get("agenda") or ""),
        materials_file=data.get("materials"),
        materials_name=data.get("materials_name"),
    )
    try:
        meeting = await meetings.create_meeting(
            desk.session,
            data=draft,
            staff_id=desk.staff.id,
            now=desk.now,
            notifier=notifier,
            actor=desk.actor,
            reminders=manager.middleware_data["settings"].reminders,
        )
    except DomainError as error:
        # The start may have passed while the review waited: say why, and review again.
        log.info("chat %s: meeting refused (%s)", callback.from_user.id, error.code)
        await desk.turn.say(
            _("The meeting could not be created ({reason}). Please check it.").format(
                reason=error.code
            )
        )
        await show_review(manager)
        await answer_press(manager)
        return
    wake_delivery()
    await manager.done()
    await mark_choice(manager, _("Meeting created."))
    await desk.turn.say(
        _(
            "✅ <b>{title}</b> is set up and the invitations are on their way.\n"
            "Check-in code: <code>{code}</code>"
        ).format(title=escape(meeting.title), code=meeting.checkin_code),
        reply_markup=keyboards.main_menu(desk.turn.menu_role),
    )


async def save(callback: CallbackQuery, button: Any, manager: DialogManager) -> None:
    """Save the change of a meeting set up before; the invited are told what changed.

    A meeting changed or cancelled since the form opened is not changed again: the form ends
    and the meeting's card is drawn as it stands.
    """
    desk = desk_of(manager)
    data = manager.dialog_data
    change = MeetingChange(
        starts_at=dt.datetime.fromisoformat(data["starts"]),
        ends_at=dt.datetime.fromisoformat(data["ends"]),
        venue=str(data["venue"]),
        agenda=str(data.get("agenda") or ""),
    )
    try:
        meeting = await change_meeting(
            desk.session,
            meeting_id=int(data["edit"]),
            sequence=int(data["sequence"]),
            change=change,
            now=desk.now,
            notifier=manager.middleware_data["notifier"],
            actor=desk.actor,
        )
    except DomainError as error:
        log.info("chat %s: meeting change refused (%s)", callback.from_user.id, error.code)
        if error.code in ("stale", "cancelled", "started", "not_found"):
            await answer(manager, out_of_date(), alert=True)
            await manager.done()
            await mark_choice(manager, _("The meeting stays as it was."))
            return
        if error.code == "unchanged":
            await answer_press(manager, _("Nothing was changed."), show_alert=True)
            return
        await desk.turn.say(
            _("The meeting could not be changed ({reason}). Please check it.").format(
                reason=error.code
            )
        )
        await show_review(manager)
        await answer_press(manager)
        return
    manager.middleware_data["wake_delivery"]()
    await manager.done()
    await mark_choice(manager, _("Changes saved."))
    await desk.turn.say(
        _("✅ <b>{title}</b> is changed; everyone invited is told what changed.").format(
            title=escape(meeting.title)
        ),
        reply_markup=keyboards.main_menu(desk.turn.menu_role),
    )
