"""Who a broadcast goes to: the kind of audience, then which one, with its size shown."""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _

from handlers.grid import Grid
from handlers.messaging import show_choice
from handlers.staff.broadcast_callbacks import BroadcastAudienceCB, BroadcastForm
from handlers.staff.broadcast_steps import advance, kind_label, options, size_line
from handlers.staff.desk import Desk
from handlers.texts import escape
from services.broadcasts import audiences
from services.broadcasts.audiences import VALUED_KINDS, Audience
from services.errors import DomainError
from services.reference.catalog import get_station
from storage.enums import AudienceKind

log = logging.getLogger(__name__)


def out_of_scope() -> str:
    """Why station staff cannot choose this audience."""
    return _("Station staff can send only to the residents of their own stations.")


async def audience_picked(
    callback: CallbackQuery, callback_data: BroadcastAudienceCB, desk: Desk, channel: str
) -> None:
    """A kind of audience, then (for most) which one; every value is checked again."""
    kind, value = callback_data.kind, callback_data.value
    who = callback.from_user.id
    if kind not in set(AudienceKind):
        log.warning("chat %s: broadcast audience kind %r refused", who, kind)
        await callback.answer(_("This button is not valid."))
        return
    scope = desk.scope
    if not scope.admin and kind != AudienceKind.STATION:
        log.warning("chat %s: station staff %s refused audience %s", who, scope.staff_id, kind)
        await callback.answer(out_of_scope(), show_alert=True)
        return
    choices = await options(desk, kind)
    if kind in VALUED_KINDS and not value:
        if not choices:
            await callback.answer(_("There is nothing to choose here yet."), show_alert=True)
            return
        await callback.answer()
        grid = Grid()
        for code, label in choices.items():
            grid.button(text=label, callback_data=BroadcastAudienceCB(kind=kind, value=code))
        grid.adjust(1 if kind in (AudienceKind.MEETING, AudienceKind.STATION) else 2)
        await desk.turn.say(
            _("{kind}: which one?").format(kind=kind_label(kind)), reply_markup=grid.as_markup()
        )
        return
    if kind in VALUED_KINDS and value not in choices:
        station = (
            await get_station(desk.session, int(value))
            if kind == AudienceKind.STATION and value.isdigit()
            else None
        )
        if station is not None:
            log.warning("chat %s: station %s is outside staff %s", who, value, scope.staff_id)
            await callback.answer(out_of_scope(), show_alert=True)
        else:
            log.warning("chat %s: broadcast audience %s:%r refused", who, kind, value)
            await callback.answer(_("This button is not valid."))
        return
    try:
        audience = Audience.parse(kind, value)
        size = await audiences.count(desk.session, audience=audience, scope=scope)
    except DomainError as error:
        log.warning("chat %s: broadcast audience %s:%r refused (%s)", who, kind, value, error.code)
        await callback.answer(_("This button is not valid."))
        return
    if size.total == 0:
        await callback.answer(
            _("Nobody in this audience can be reached by the bot; please choose another."),
            show_alert=True,
        )
        return
    label = choices[value] if value else kind_label(kind)
    if kind in VALUED_KINDS:
        label = f"{kind_label(kind)} · {label}"
    await desk.state.update_data(audience_kind=kind, audience_value=value, audience_label=label)
    await show_choice(
        callback,
        _("Audience: {label} · recipients: {size}").format(
            label=escape(label), size=size_line(size)
        ),
    )
    await advance(desk, channel)


def setup() -> Router:
    """The handlers of this module, on a fresh router."""
    router = Router(name="staff-broadcast-audience")
    router.callback_query.register(
        audience_picked, BroadcastForm.audience, BroadcastAudienceCB.filter()
    )
    return router
