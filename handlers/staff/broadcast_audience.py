"""The broadcast dialog's audience steps: the kinds, what each offers, every press checked again.

A button carries only a kind or a value; whatever arrives is checked here against the staff
member's scope and the database before it becomes the draft's audience.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager, ShowMode

from handlers.staff.broadcast_review import desk_of, mark, proceed, size_line
from handlers.staff.desk import Desk
from handlers.states import BroadcastForm
from handlers.texts import escape, local_date, shorten
from services.broadcasts import audiences
from services.broadcasts.audiences import VALUED_KINDS, Audience, AudienceSize
from services.errors import DomainError
from services.meetings.views import meetings_since
from services.members.labels import group_label
from services.reference.catalog import (
    display_name,
    get_station,
    list_committees,
    list_sectors,
    list_stations,
)
from storage.enums import AudienceKind, MemberGroup

log = logging.getLogger(__name__)
# Meetings that ended this long ago can still be written to (minutes, a follow-up).
MEETINGS_SINCE = dt.timedelta(days=30)
# Kinds whose choices are long names, one a row; the others fit two a row.
ONE_A_ROW = frozenset({AudienceKind.MEETING, AudienceKind.STATION})


class AudienceRefusedError(Exception):
    """A choice the staff member may not make; ``text`` tells them why."""

    def __init__(self, text: str, *, alert: bool = False) -> None:
        super().__init__(text)
        self.text = text
        self.alert = alert


@dataclass(frozen=True)
class AudienceChoice:
    """A checked audience, its label for the staff member and how many it reaches."""

    kind: str
    value: str
    label: str
    size: AudienceSize


def kind_label(kind: str) -> str:
    """The name of an audience kind."""
    labels: dict[str, str] = {
        AudienceKind.MEMBERS: _("All members"),
        AudienceKind.SECTOR: _("By sector"),
        AudienceKind.GROUP: _("By group"),
        AudienceKind.COMMITTEE: _("By special committee"),
        AudienceKind.MEETING: _("A meeting's invitees"),
        AudienceKind.STATION: _("Residents of a station"),
        AudienceKind.DEPARTMENTS: _("Department handlers"),
        AudienceKind.EVERYONE: _("Everyone"),
    }
    return labels.get(kind, kind)


def out_of_scope() -> str:
    """Why station staff cannot choose this audience."""
    return _("Station staff can send only to the residents of their own stations.")


def not_valid() -> str:
    """The answer to a button no screen of ours drew."""
    return _("This button is not valid.")


async def options(desk: Desk, kind: str) -> dict[str, str]:
    """What can be chosen for an audience kind that names one thing, within the scope."""
    locale = desk.turn.locale
    if kind == AudienceKind.SECTOR:
        return {s.code: display_name(s, locale) for s in await list_sectors(desk.session)}
    if kind == AudienceKind.GROUP:
        return {group.value: group_label(group) for group in MemberGroup}
    if kind == AudienceKind.COMMITTEE:
        return {c.code: display_name(c, locale) for c in await list_committees(desk.session)}
    if kind == AudienceKind.MEETING:
        meetings = await meetings_since(desk.session, since=desk.now - MEETINGS_SINCE)
        return {
            str(m.id): shorten(f"{local_date(m.starts_at, desk.turn.tz)} · {m.title}", 60)
            for m in meetings
        }
    if kind == AudienceKind.STATION:
        stations = await list_stations(desk.session)
        return {
            str(s.id): display_name(s, locale) for s in stations if desk.scope.covers(s.id or 0)
        }
    return {}


def _check_kind(desk: Desk, kind: str, who: int) -> None:
    if kind not in set(AudienceKind):
        log.warning("chat %s: broadcast audience kind %r refused", who, kind)
        raise AudienceRefusedError(not_valid())
    if not desk.scope.admin and kind != AudienceKind.STATION:
        log.warning("chat %s: station staff %s refused audience %s", who, desk.scope.staff_id, kind)
        raise AudienceRefusedError(out_of_scope(), alert=True)


async def needs_value(desk: Desk, kind: str, who: int) -> bool:
    """Whether a kind asks which one next; refused outside the scope or with nothing to offer."""
    _check_kind(desk, kind, who)
    if kind not in VALUED_KINDS:
        return False
    if not await options(desk, kind):
        raise AudienceRefusedError(_("There is nothing to choose here yet."), alert=True)
    return True


async def check_choice(desk: Desk, kind: str, value: str, who: int) -> AudienceChoice:
    """The audience a press names, checked again: scope, existence, and someone to reach."""
    _check_kind(desk, kind, who)
    choices = await options(desk, kind)
    if kind in VALUED_KINDS and value not in choices:
        station = (
            await get_station(desk.session, int(value))
            if kind == AudienceKind.STATION and value.isdigit()
            else None
        )
        if station is not None:
            log.warning("chat %s: station %s is outside staff %s", who, value, desk.scope.staff_id)
            raise AudienceRefusedError(out_of_scope(), alert=True)
        log.warning("chat %s: broadcast audience %s:%r refused", who, kind, value)
        raise AudienceRefusedError(not_valid())
    try:
        audience = Audience.parse(kind, value)
        size = await audiences.count(desk.session, audience=audience, scope=desk.scope)
    except DomainError as error:
        log.warning("chat %s: broadcast audience %s:%r refused (%s)", who, kind, value, error.code)
        raise AudienceRefusedError(not_valid()) from None
    if size.total == 0:
        raise AudienceRefusedError(
            _("Nobody in this audience can be reached by the bot; please choose another."),
            alert=True,
        )
    label = kind_label(kind)
    if kind in VALUED_KINDS:
        label = f"{label} · {choices[value]}"
    return AudienceChoice(kind=kind, value=value, label=label, size=size)


async def audience_offer(desk: Desk) -> dict[str, Any]:
    """The dialog's start data: administrators choose a kind, station staff a station of theirs.

    Windows are drawn from the dialog's data alone, so that the engine can draw the current
    card again outside the staff routers (after a stale press).
    """
    stations = {} if desk.scope.admin else await options(desk, AudienceKind.STATION)
    return {"admin": desk.scope.admin, "stations": [[label, v] for v, label in stations.items()]}


async def audience_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """The kinds, in the reader's language, or the stations offered at the start."""
    offer = dialog_manager.start_data
    assert isinstance(offer, dict)
    admin = bool(offer.get("admin"))
    return {
        "admin": admin,
        "station_staff": not admin,
        "kinds": [(kind_label(kind), kind.value) for kind in AudienceKind if admin],
        "stations": [tuple(pair) for pair in offer.get("stations", [])],
    }


async def value_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """Which sector, group, committee, meeting or station: the choices noted with the kind."""
    data = dialog_manager.dialog_data
    kind = str(data.get("kind", ""))
    wide = kind not in ONE_A_ROW
    return {
        "kind": kind_label(kind),
        "choices": [tuple(pair) for pair in data.get("choices", [])],
        "two_a_row": wide,
        "one_a_row": not wide,
    }


async def _refuse(
    callback: CallbackQuery, manager: DialogManager, refused: AudienceRefusedError
) -> None:
    # Nothing changed, so the card is left as it is.
    manager.show_mode = ShowMode.NO_UPDATE
    await callback.answer(refused.text, show_alert=refused.alert)


async def _choose(callback: CallbackQuery, manager: DialogManager, kind: str, value: str) -> None:
    """Check the audience a press names, note it on the card, and move on."""
    try:
        choice = await check_choice(desk_of(manager), kind, value, callback.from_user.id)
    except AudienceRefusedError as refused:
        await _refuse(callback, manager, refused)
        return
    manager.dialog_data.update(
        audience_kind=choice.kind, audience_value=choice.value, audience_label=choice.label
    )
    await mark(
        callback,
        _("Audience: {label} · recipients: {size}").format(
            label=escape(choice.label), size=size_line(choice.size)
        ),
    )
    await proceed(manager, BroadcastForm.text)


async def kind_chosen(
    callback: CallbackQuery, _widget: Any, manager: DialogManager, kind: str
) -> None:
    """A kind of audience: those that name one thing ask which one next."""
    try:
        asks_which = await needs_value(desk_of(manager), kind, callback.from_user.id)
    except AudienceRefusedError as refused:
        await _refuse(callback, manager, refused)
        return
    if asks_which:
        choices = await options(desk_of(manager), kind)
        manager.dialog_data.update(kind=kind, choices=[[label, v] for v, label in choices.items()])
        await manager.switch_to(BroadcastForm.audience_value)
        return
    await _choose(callback, manager, kind, "")


async def station_chosen(
    callback: CallbackQuery, _widget: Any, manager: DialogManager, value: str
) -> None:
    """One of a station staff member's stations."""
    await _choose(callback, manager, AudienceKind.STATION, value)


async def value_chosen(
    callback: CallbackQuery, _widget: Any, manager: DialogManager, value: str
) -> None:
    """The sector, group, committee, meeting or station of the kind chosen before."""
    await _choose(callback, manager, str(manager.dialog_data.get("kind", "")), value)
