"""What the guests' desk shows: the guest list with states, the kinds, departments, the link."""

from __future__ import annotations

from typing import Any

from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager
from markupsafe import Markup

from handlers.staff.desk import desk_of
from handlers.texts import anchor, escape
from services.accounts.departments import list_departments
from services.consultations.guest_invites import GuestState, guest_state, guests_of_meeting
from services.meetings.views import get_meeting
from services.reference.catalog import display_name
from services.translation import N_
from storage.enums import GuestKind

LABEL_MAX = 60

KIND_LABELS = {
    GuestKind.DEPARTMENT_HEAD: N_("Department head"),
    GuestKind.EXPERT: N_("Expert"),
    GuestKind.SECTOR_REPRESENTATIVE: N_("Sector representative"),
}

STATE_LABELS = {
    GuestState.INVITED: N_("invited"),
    GuestState.JOINED: N_("joined"),
    GuestState.REVOKED: N_("revoked"),
    GuestState.EXPIRED: N_("expired"),
}


async def listed(dialog_manager: DialogManager, **_data: Any) -> dict[str, Any]:
    """The meeting's guests, each with where their invitation stands."""
    desk = desk_of(dialog_manager)
    meeting_id = int(dialog_manager.dialog_data.get("meeting", 0))
    meeting = await get_meeting(desk.session, meeting_id)
    guests = await guests_of_meeting(desk.session, meeting_id=meeting_id) if meeting else []
    lines, revocable = [], []
    for guest in guests:
        state = guest_state(guest, now=desk.now)
        where = f" · {escape(guest.organisation)}" if guest.organisation else ""
        lines.append(
            f"• {escape(guest.name)} ({_(KIND_LABELS[GuestKind(guest.kind)])}{where}): "
            f"{_(STATE_LABELS[state])}"
        )
        if state in (GuestState.INVITED, GuestState.JOINED):
            revocable.append((str(guest.id), _("✖ Revoke {name}").format(name=guest.name)[:60]))
    return {
        "title": escape(meeting.title) if meeting else "",
        "found": meeting is not None,
        "guests": "\n".join(lines),
        "any": bool(lines),
        "revocable": revocable,
        "open": meeting is not None and meeting.cancelled_at is None and meeting.ends_at > desk.now,
    }


async def departments_listed(dialog_manager: DialogManager, **_data: Any) -> dict[str, Any]:
    """The active departments, for a department head's organisation in one tap."""
    desk = desk_of(dialog_manager)
    rows = await list_departments(desk.session)
    locale = str(dialog_manager.middleware_data.get("locale", ""))
    return {
        "departments": [
            (str(d.id), display_name(d, locale)[:LABEL_MAX]) for d in rows if d.id is not None
        ]
    }


async def link_getter(dialog_manager: DialogManager, **_data: Any) -> dict[str, Any]:
    """The new guest's link, shown once."""
    data = dialog_manager.dialog_data
    return {
        "name": str(data.get("name", "")),
        # An escaped anchor: markup as it stands.
        "link": Markup(anchor(str(data.get("link", "")))),  # noqa: S704
        "payload": str(data.get("payload", "")),
    }


async def kinds(**_data: Any) -> dict[str, Any]:
    """The kinds of guest, as (value, label) pairs."""
    return {"kinds": [(kind.value, _(label)) for kind, label in KIND_LABELS.items()]}
