"""The office's topic desk, its getters and callbacks: every topic id pressed is checked again.

Administrators decide: shortlist or decline, place in the plan, publish, carry over. Station
staff read the suggestions residents made at their own stations. A topic id on a button is
looked up again through the presser's scope, so a forged id answers "not available".
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button, Select
from markupsafe import Markup

from handlers.dialogs.context import reader_of
from handlers.dialogs.guard import Refused
from handlers.dialogs.press import answer, refuse_input
from handlers.texts import escape
from handlers.topics.states import TopicDesk
from handlers.topics.texts import (
    NOT_AVAILABLE,
    refusal_text,
    source_name,
    state_name,
)
from services.accounts.scope import StaffScope, scope_of
from services.audit import Actor
from services.errors import DomainError
from services.members.rules import RuleBook, Rules
from services.reference.catalog import display_name
from services.topics.desk import (
    count_by_state,
    decline_topic,
    list_topics,
    shortlist_topic,
    topic_for_staff,
)
from storage.enums import TopicSource, TopicState
from storage.models import Staff

log = logging.getLogger(__name__)
STATES = ("suggested", "shortlisted", "planned", "declined")


async def staff_scope(manager: DialogManager) -> StaffScope:
    """The presser's reach; refused for a chat that is not staff."""
    staff: Staff | None = manager.middleware_data.get("staff")
    if staff is None:
        raise Refused(_(NOT_AVAILABLE), alert=True)
    return await scope_of(reader_of(manager).session, staff)


def staff_actor(manager: DialogManager) -> Actor:
    """The staff member acting, for the audit."""
    staff: Staff = manager.middleware_data["staff"]
    return Actor.staff(staff)


def year_rules(manager: DialogManager) -> Rules:
    """The rules of the desk's year."""
    rulebook: RuleBook = manager.middleware_data["rulebook"]
    return rulebook.for_year(desk_year(manager))


def desk_year(manager: DialogManager) -> int:
    """The year the desk shows: the current one."""
    return int(manager.dialog_data.get("year") or reader_of(manager).today.year)


async def list_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """The year's topics in the chosen state, and how many stand in each state."""
    reader = reader_of(dialog_manager)
    scope = await staff_scope(dialog_manager)
    year = desk_year(dialog_manager)
    state = dialog_manager.dialog_data.get("state", "suggested")
    counts = await count_by_state(reader.session, scope=scope, year=year)
    in_state = await list_topics(reader.session, scope=scope, year=year, state=state)
    source = dialog_manager.dialog_data.get("source", "")
    topics = [t for t in in_state if not source or t.source == source]
    present = sorted({t.source for t in in_state})
    return {
        "year": year,
        "state_name": state_name(state),
        "filters": [
            (s, f"{'• ' if s == state else ''}{state_name(s)} ({counts.get(s, 0)})") for s in STATES
        ],
        "topics": [(t.id, f"{source_name(t.source)} · {t.title[:40]}") for t in topics],
        # Only worth a row when the state holds topics of more than one source.
        "sources": [
            (s, f"{'• ' if s == source else ''}{source_name(s)}")
            for s in (["all", *present] if len(present) > 1 else [])
        ],
        "empty": not topics,
        "admin": scope.admin,
    }


async def state_chosen(
    callback: CallbackQuery, widget: Select[str], manager: DialogManager, item: str
) -> None:
    """Show the topics of another state."""
    if item not in STATES:
        raise Refused(_(NOT_AVAILABLE), alert=True)
    manager.dialog_data["state"] = item
    manager.dialog_data.pop("source", None)


async def source_filtered(
    callback: CallbackQuery, widget: Select[str], manager: DialogManager, item: str
) -> None:
    """Show one source's topics of the state (``all``: every source)."""
    if item != "all" and item not in set(TopicSource):
        raise Refused(_(NOT_AVAILABLE), alert=True)
    manager.dialog_data["source"] = "" if item == "all" else item


async def topic_chosen(
    callback: CallbackQuery, widget: Select[str], manager: DialogManager, item: str
) -> None:
    """Open a topic's card; an id outside the presser's scope is refused."""
    topic_id = int(item) if item.isdigit() else 0
    try:
        await topic_for_staff(
            reader_of(manager).session, scope=await staff_scope(manager), topic_id=topic_id
        )
    except DomainError as error:
        log.warning("chat %s: topic %r refused", callback.from_user.id, item)
        raise Refused(_(NOT_AVAILABLE), alert=True) from error
    manager.dialog_data["topic"] = topic_id
    await manager.switch_to(TopicDesk.card)


async def card_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """The chosen topic's card."""
    reader = reader_of(dialog_manager)
    scope = await staff_scope(dialog_manager)
    try:
        card = await topic_for_staff(
            reader.session, scope=scope, topic_id=int(dialog_manager.dialog_data.get("topic", 0))
        )
    except DomainError:
        return {
            "card": _(NOT_AVAILABLE),
            "suggested": False,
            "shortlisted": False,
            "planned": False,
        }
    topic = card.topic
    lines = [
        f"<b>{escape(topic.title)}</b>",
        _("Source: {source}").format(source=source_name(topic.source)),
        _("State: {state}").format(state=state_name(topic.state)),
    ]
    if card.station is not None:
        lines.append(
            _("Station: {station}").format(
                station=escape(display_name(card.station, reader.locale))
            )
        )
    if topic.long_running:
        lines.append(_("Long-running topic (followed over several years)"))
    if card.links:
        lines.append(
            _("Linked: {links}").format(
                links=", ".join(f"{link.kind} {link.ref_id}" for link in card.links)
            )
        )
    if topic.description:
        lines.append(f"<blockquote>{escape(topic.description)}</blockquote>")
    decide = scope.admin
    return {
        # Built from our msgids and escaped values, so it is markup as it stands.
        "card": Markup("\n".join(lines)),  # noqa: S704
        "suggested": decide and topic.state == TopicState.SUGGESTED,
        "shortlisted": decide and topic.state == TopicState.SHORTLISTED,
        "planned": decide and topic.state == TopicState.PLANNED,
    }


async def current_topic(manager: DialogManager) -> int:
    """The card's topic, checked again against the presser."""
    topic_id = int(manager.dialog_data.get("topic", 0))
    try:
        await topic_for_staff(
            reader_of(manager).session, scope=await staff_scope(manager), topic_id=topic_id
        )
    except DomainError as error:
        raise Refused(_(NOT_AVAILABLE), alert=True) from error
    return topic_id


async def shortlist_pressed(
    callback: CallbackQuery, button: Button, manager: DialogManager
) -> None:
    """Shortlist the card's topic."""
    reader = reader_of(manager)
    try:
        await shortlist_topic(
            reader.session,
            scope=await staff_scope(manager),
            topic_id=await current_topic(manager),
            actor=staff_actor(manager),
            notifier=manager.middleware_data["notifier"],
            now=reader.now,
        )
    except DomainError as error:
        await answer(manager, refusal_text(error), alert=True)
        return
    await answer(manager, _("Shortlisted."))


async def reason_typed(message: Message, widget: MessageInput, manager: DialogManager) -> None:
    """Decline the card's topic with this reason; the proposer is told."""
    reader = reader_of(manager)
    try:
        await decline_topic(
            reader.session,
            scope=await staff_scope(manager),
            topic_id=await current_topic(manager),
            reason=message.text or "",
            actor=staff_actor(manager),
            notifier=manager.middleware_data["notifier"],
            now=reader.now,
        )
    except DomainError as error:
        await refuse_input(message, manager, refusal_text(error))
        return
    await manager.switch_to(TopicDesk.card)
