"""Suggesting a topic (征题): a resident at a station, a member from their own menu.

A dialog: the station (skipped when the station card opened it), the title, the description,
for a member whether it comes from one of their proposals, then a review that sends it. What
was typed stays in the dialog until sent, so a refusal (too long, too many today, a repeat)
loses nothing. A resident's suggestion is anonymous: the office sees the station, not a name.
"""

from __future__ import annotations

import logging
from operator import itemgetter
from typing import Any

from aiogram import F
from aiogram.filters import and_f
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager, StartMode, Window
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button, Cancel, Column, ScrollingGroup, Select, SwitchTo
from aiogram_dialog.widgets.text import Format

from handlers.dialogs.context import reader_of
from handlers.dialogs.guard import Refused, guard
from handlers.dialogs.markup import Label
from handlers.dialogs.press import refuse_input
from handlers.dialogs.text import T
from handlers.filters import TYPED, MenuLabel
from handlers.topics.states import TopicSuggest
from handlers.topics.texts import NOT_AVAILABLE, refusal_text
from services.accounts.identities import ensure_resident
from services.errors import DomainError
from services.members.profiles import MemberProfile
from services.members.rules import RuleBook
from services.reference.catalog import display_name, get_station, list_stations
from services.topics.records import check_topic_description, check_topic_title
from services.topics.suggestions import member_proposals, suggest_as_member, suggest_as_resident
from storage.models import ChatIdentity

log = logging.getLogger(__name__)
PAGE = 8
TYPED_STEP = and_f(TYPED, ~MenuLabel())


async def start_suggestion(manager: DialogManager, *, station_id: int | None = None) -> None:
    """Open the dialog; a station chosen on its card skips the station step."""
    member: MemberProfile | None = manager.middleware_data.get("member")
    first = TopicSuggest.title if station_id or member is not None else TopicSuggest.station
    data = {"station": station_id or 0, "member": member is not None}
    await manager.start(first, data=data, mode=StartMode.RESET_STACK)


def _data(manager: DialogManager) -> dict[str, Any]:
    if "station" not in manager.dialog_data:
        start = manager.start_data if isinstance(manager.start_data, dict) else {}
        manager.dialog_data.update(
            station=int(start.get("station") or 0), member=bool(start.get("member"))
        )
    return manager.dialog_data


async def suggest_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """The suggestion as it stands, the stations to choose from and the member's proposals."""
    reader = reader_of(dialog_manager)
    data = _data(dialog_manager)
    stations = await list_stations(reader.session)
    station = await get_station(reader.session, data["station"]) if data["station"] else None
    proposals: list[tuple[int, str]] = []
    member: MemberProfile | None = dialog_manager.middleware_data.get("member")
    if member is not None and data["member"]:
        year = reader.today.year
        found = await member_proposals(reader.session, member_id=member.id, year=year)
        proposals = [(p.id or 0, p.title[:40]) for p in found]
    linked = next((title for pid, title in proposals if pid == data.get("proposal")), "")
    return {
        "stations": [(s.id, display_name(s, reader.locale)) for s in stations],
        "station_name": display_name(station, reader.locale) if station else "—",
        "title": data.get("title", ""),
        "description": data.get("description") or "—",
        "proposals": proposals,
        "linked": linked or "—",
        "is_member": bool(data["member"]),
    }


async def station_chosen(
    callback: CallbackQuery, widget: Select[str], manager: DialogManager, item: str
) -> None:
    """The station of the suggestion; an id the list never drew is refused."""
    station_id = int(item) if item.isdigit() else 0
    if await get_station(reader_of(manager).session, station_id) is None:
        log.warning("chat %s: station %r refused", callback.from_user.id, item)
        raise Refused(_("This station is not available."), alert=True)
    _data(manager)["station"] = station_id
    await manager.switch_to(
        TopicSuggest.review if "title" in manager.dialog_data else TopicSuggest.title
    )


async def title_typed(message: Message, widget: MessageInput, manager: DialogManager) -> None:
    """The title; a refusal keeps the step."""
    try:
        _data(manager)["title"] = check_topic_title(message.text or "")
    except DomainError as error:
        await refuse_input(message, manager, refusal_text(error))
        return
    await manager.switch_to(
        TopicSuggest.review if "description" in manager.dialog_data else TopicSuggest.description
    )


async def description_typed(message: Message, widget: MessageInput, manager: DialogManager) -> None:
    """The description; a refusal keeps the step."""
    try:
        _data(manager)["description"] = check_topic_description(message.text or "")
    except DomainError as error:
        await refuse_input(message, manager, refusal_text(error))
        return
    await _after_description(manager)


async def description_skipped(
    callback: CallbackQuery, button: Button, manager: DialogManager
) -> None:
    """No description."""
    _data(manager)["description"] = ""
    await _after_description(manager)


async def _after_description(manager: DialogManager) -> None:
    member_step = _data(manager)["member"] and "proposal" not in manager.dialog_data
    await manager.switch_to(TopicSuggest.source if member_step else TopicSuggest.review)


async def text_expected(message: Message, widget: MessageInput, manager: DialogManager) -> None:
    """Anything but text on a typed step."""
    await refuse_input(message, manager, _("Please type it as text."))


async def proposal_chosen(
    callback: CallbackQuery, widget: Select[str], manager: DialogManager, item: str
) -> None:
    """The member's own proposal the topic comes from; another's id is refused."""
    member: MemberProfile | None = manager.middleware_data.get("member")
    reader = reader_of(manager)
    own = (
        {
            p.id
            for p in await member_proposals(
                reader.session, member_id=member.id, year=reader.today.year
            )
        }
        if member is not None
        else set()
    )
    proposal_id = int(item) if item.isdigit() else 0
    if proposal_id not in own:
        log.warning("chat %s: proposal %r refused", callback.from_user.id, item)
        raise Refused(_(NOT_AVAILABLE), alert=True)
    manager.dialog_data["proposal"] = proposal_id
    await manager.switch_to(TopicSuggest.review)


async def own_idea(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Not from a proposal."""
    manager.dialog_data["proposal"] = 0
    await manager.switch_to(TopicSuggest.review)


async def send_chosen(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Send the suggestion; a refusal keeps everything typed."""
    reader = reader_of(manager)
    data = _data(manager)
    member: MemberProfile | None = manager.middleware_data.get("member")
    try:
        if data["member"] and member is not None:
            await suggest_as_member(
                reader.session,
                member=member.member,
                title=data.get("title", ""),
                description=data.get("description", ""),
                now=reader.now,
                tz=reader.tz,
                proposal_id=data.get("proposal") or None,
            )
        else:
            identity: ChatIdentity | None = manager.middleware_data.get("identity")
            if identity is None or identity.id is None or data["member"]:
                raise Refused(_(NOT_AVAILABLE), alert=True)
            resident = await ensure_resident(
                reader.session, identity_id=identity.id, now=reader.now
            )
            rulebook: RuleBook = manager.middleware_data["rulebook"]
            await suggest_as_resident(
                reader.session,
                resident_id=resident.id or 0,
                station_id=data["station"],
                title=data.get("title", ""),
                description=data.get("description", ""),
                rules=rulebook.for_year(reader.today.year).plan,
                now=reader.now,
                tz=reader.tz,
            )
    except DomainError as error:
        raise Refused(refusal_text(error), alert=True) from error
    await manager.done()
    await manager.middleware_data["bot"].send_message(
        callback.from_user.id,
        _(
            "💡 Thank you! Your topic was sent to the committee's office. "
            "You will hear what it decides."
        ),
    )


def _edit(label: str, state: Any) -> SwitchTo:
    name = str(state.state).split(":")[1]
    return SwitchTo(Label(label), id=f"edit_{name}", state=state)


def suggestion_dialog() -> Dialog:
    """A fresh suggestion dialog (one per Dispatcher)."""
    cancel = Cancel(Label("✖ Cancel"), id="cancel")
    return guard(
        Dialog(
            Window(
                T("<b>Suggest a consultation topic</b>\nAt which liaison station?"),
                ScrollingGroup(
                    Select(
                        Format("{item[1]}"),
                        id="station",
                        item_id_getter=itemgetter(0),
                        items="stations",
                        on_click=station_chosen,
                    ),
                    id="stations",
                    width=1,
                    height=PAGE,
                    hide_on_single_page=True,
                ),
                cancel,
                getter=suggest_getter,
                state=TopicSuggest.station,
            ),
            Window(
                T(
                    "<b>Suggest a consultation topic</b>\n"
                    "What should the committee consult on? Send a short title."
                ),
                cancel,
                MessageInput(title_typed, filter=TYPED_STEP),
                MessageInput(text_expected, filter=~F.text),
                getter=suggest_getter,
                state=TopicSuggest.title,
            ),
            Window(
                T("Describe the problem and what you hope for (optional)."),
                Button(Label("⏭ Skip"), id="skip", on_click=description_skipped),
                cancel,
                MessageInput(description_typed, filter=TYPED_STEP),
                MessageInput(text_expected, filter=~F.text),
                getter=suggest_getter,
                state=TopicSuggest.description,
            ),
            Window(
                T("Does the topic come from one of your proposals?"),
                Column(
                    Select(
                        Format("📜 {item[1]}"),
                        id="proposal",
                        item_id_getter=itemgetter(0),
                        items="proposals",
                        on_click=proposal_chosen,
                    )
                ),
                Button(Label("No, it is my own suggestion"), id="own", on_click=own_idea),
                cancel,
                getter=suggest_getter,
                state=TopicSuggest.source,
            ),
            Window(
                T(
                    "<b>Your topic</b>\nStation: {station_name}\nTitle: {title}\n"
                    "Description: {description}"
                ),
                T("From your proposal: {linked}", when="is_member"),
                T("It is sent without your name.", when=~F["is_member"]),
                Button(Label("📨 Send"), id="send", on_click=send_chosen),
                _edit("✏ Title", TopicSuggest.title),
                _edit("✏ Description", TopicSuggest.description),
                SwitchTo(
                    Label("✏ Station"),
                    id="edit_station",
                    state=TopicSuggest.station,
                    when=~F["is_member"],
                ),
                cancel,
                getter=suggest_getter,
                state=TopicSuggest.review,
            ),
        )
    )
