"""The liaison stations directory: where they are, a shortcut to report at one, and the opt-in.

A dialog: the directory scrolls through the stations, a station opens its card (the address,
whether the reader receives its notices), and the card reports there, shows it on the map, or
opts in to the station's notices (its open sessions and news, sent by the station's staff) and
out again, and links to the published handling list of proposals. Every press names a station
id that is checked again.
"""

from __future__ import annotations

import logging
from operator import itemgetter
from typing import Any

from aiogram import Bot
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager, Window
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button, ScrollingGroup, Select, SwitchTo, Url
from aiogram_dialog.widgets.text import Format
from markupsafe import Markup

from handlers.detours import continue_buttons, open_list, placement
from handlers.dialogs.context import reader_of
from handlers.dialogs.guard import Refused, guard
from handlers.dialogs.markup import Label
from handlers.dialogs.press import answer, answer_press, pass_on
from handlers.dialogs.text import T
from handlers.resident.flow import start_report
from handlers.resident.station_questions import ask_button, card_additions, station_page_button
from handlers.states import StationDirectory
from handlers.texts import escape
from handlers.topics.station_card import topic_buttons, topic_card_data
from services.broadcasts.subscriptions import is_subscribed, subscribe, unsubscribe
from services.errors import NotFoundError
from services.reference.catalog import display_name, get_station, list_stations
from services.reports.handling_page import handling_link
from storage.models import ChatIdentity, Station

log = logging.getLogger(__name__)
PAGE = 8  # stations a page of the directory
NOT_AVAILABLE = "This station is not available."


async def show_stations(message: Message, *, dialog_manager: DialogManager) -> None:
    """Open the directory."""
    await open_list(dialog_manager, StationDirectory.list)


def render_station(station: Station, locale: str, *, subscribed: bool | None = None) -> str:
    """A station's card; says whether the reader receives its notices, when known."""
    address = station.address_en if locale == "en" and station.address_en else station.address_zh
    lines = [f"<b>{escape(display_name(station, locale))}</b>"]
    if address:
        lines.append(_("Address: {address}").format(address=escape(address)))
    if subscribed is True:
        lines.append(_("🔔 You receive this station's notices."))
    elif subscribed is False:
        lines.append(_("🔕 You do not receive this station's notices (open sessions, news)."))
    return "\n".join(lines)


def _identity_id(manager: DialogManager) -> int | None:
    identity: ChatIdentity | None = manager.middleware_data.get("identity")
    return identity.id if identity is not None else None


async def _chosen(callback: CallbackQuery, manager: DialogManager) -> Station:
    """The station of the card, checked again; refused if it is gone."""
    station_id = int(manager.dialog_data.get("station", 0))
    station = await get_station(reader_of(manager).session, station_id)
    if station is None or station.id is None:
        log.warning("chat %s: station %s refused", callback.from_user.id, station_id)
        raise Refused(_(NOT_AVAILABLE), alert=True)
    return station


# --- getters ---------------------------------------------------------------------------------


async def directory_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """Every station, in display order, as (id, name) pairs."""
    reader = reader_of(dialog_manager)
    stations = await list_stations(reader.session)
    items = [(station.id, display_name(station, reader.locale)) for station in stations]
    return {"stations": items, **placement(dialog_manager)}


async def card_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """The chosen station's card, and which of its buttons apply to the reader."""
    reader = reader_of(dialog_manager)
    station = await get_station(reader.session, int(dialog_manager.dialog_data.get("station", 0)))
    if station is None or station.id is None:
        return {"card": _(NOT_AVAILABLE), "found": False}
    identity_id = _identity_id(dialog_manager)
    subscribed = None
    if identity_id is not None:
        subscribed = await is_subscribed(
            reader.session, identity_id=identity_id, station_id=station.id
        )
    card = render_station(station, reader.locale, subscribed=subscribed)
    # Who is on duty today and the open sessions to come (escaped where they are built).
    additions = await card_additions(dialog_manager, station.id)
    card += additions.pop("board")
    # Without a public address there is no page a resident's browser could open.
    public_url = dialog_manager.middleware_data["settings"].public_url
    return {
        "handling_url": handling_link(public_url, reader.locale) if public_url else "",
        # Built from our msgids and escaped values, so it is markup as it stands.
        "card": Markup(card),  # noqa: S704
        "found": True,
        "may_subscribe": subscribed is False,
        "subscribed": subscribed is True,
        "mapped": station.latitude is not None and station.longitude is not None,
        **await topic_card_data(dialog_manager),
        **additions,
    }


# --- callbacks -------------------------------------------------------------------------------


async def station_chosen(
    callback: CallbackQuery, widget: Select[str], manager: DialogManager, item: str
) -> None:
    """Open a station's card; an id the directory never drew is refused."""
    station_id = int(item) if item.isdigit() else 0
    if await get_station(reader_of(manager).session, station_id) is None:
        log.warning("chat %s: station %r refused", callback.from_user.id, item)
        raise Refused(_(NOT_AVAILABLE), alert=True)
    manager.dialog_data["station"] = station_id
    await manager.switch_to(StationDirectory.card)


async def report_here(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Start a report with this station chosen."""
    station = await _chosen(callback, manager)
    await answer(manager)
    await start_report(manager, manager.middleware_data["state"], station_id=station.id)


async def show_on_map(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Send the station's location below the card."""
    station = await _chosen(callback, manager)
    await answer_press(manager)
    if station.latitude is not None and station.longitude is not None:
        bot: Bot = manager.middleware_data["bot"]
        await bot.send_location(callback.from_user.id, station.latitude, station.longitude)


async def opt_in(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Receive the station's notices (pressed twice, still one subscription)."""
    station = await _chosen(callback, manager)
    identity_id = _identity_id(manager)
    if identity_id is None or station.id is None:
        raise Refused(_(NOT_AVAILABLE), alert=True)
    reader = reader_of(manager)
    try:
        await subscribe(
            reader.session, identity_id=identity_id, station_id=station.id, now=reader.now
        )
    except NotFoundError as error:
        raise Refused(_(NOT_AVAILABLE), alert=True) from error
    await answer(manager, _("You will receive this station's notices."))


async def opt_out(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Stop the station's notices."""
    station = await _chosen(callback, manager)
    identity_id = _identity_id(manager)
    if identity_id is None or station.id is None:
        raise Refused(_(NOT_AVAILABLE), alert=True)
    await unsubscribe(reader_of(manager).session, identity_id=identity_id, station_id=station.id)
    await answer(manager, _("You will no longer receive this station's notices."))


def stations_dialog() -> Dialog:
    """A fresh stations directory dialog (one per Dispatcher)."""
    return guard(
        Dialog(
            Window(
                T(
                    "<b>Liaison stations</b>\n"
                    "Members of the committee take turns on duty at these stations. "
                    "Come in person, or choose one to see its address and report an issue there."
                ),
                ScrollingGroup(
                    Select(
                        Format("{item[1]}"),
                        id="station",
                        item_id_getter=itemgetter(0),
                        items="stations",
                        on_click=station_chosen,
                    ),
                    id="directory",
                    width=1,
                    height=PAGE,
                    hide_on_single_page=True,
                ),
                *continue_buttons(),
                MessageInput(pass_on),
                getter=directory_getter,
                state=StationDirectory.list,
            ),
            Window(
                Format("{card}"),
                Button(
                    Label("🔔 Get this station's notices"),
                    id="on",
                    on_click=opt_in,
                    when="may_subscribe",
                ),
                Button(
                    Label("🔕 Stop this station's notices"),
                    id="off",
                    on_click=opt_out,
                    when="subscribed",
                ),
                Button(
                    Label("📝 Report an issue here"),
                    id="report",
                    on_click=report_here,
                    when="found",
                ),
                ask_button(),
                station_page_button(),
                Button(Label("🗺 Show on the map"), id="map", on_click=show_on_map, when="mapped"),
                *topic_buttons(),
                Url(
                    Label("📋 Proposals and how they were handled"),
                    Format("{handling_url}"),
                    id="handling",
                    when="handling_url",
                ),
                SwitchTo(Label("◀ All stations"), id="back", state=StationDirectory.list),
                MessageInput(pass_on),
                getter=card_getter,
                state=StationDirectory.card,
            ),
        )
    )
