"""The desk's plan card (the draft, publish, carry over) and a topic entered by hand."""

from __future__ import annotations

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
from handlers.topics.desk_steps import desk_year, staff_actor, staff_scope, year_rules
from handlers.topics.plan_view import plan_lines
from handlers.topics.states import TopicDesk
from handlers.topics.texts import NOT_AVAILABLE, refusal_text, source_name
from services.errors import DomainError
from services.members.rules import RuleBook
from services.topics.carry import carry_over
from services.topics.desk import HAND_SOURCES, add_topic_by_hand
from services.topics.plan import plan_counts, plan_of, planned_topics, publish_plan
from storage.enums import TopicSource
from storage.models.plan import PlanState


async def plan_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """The year's plan as it stands, against the year's limits."""
    reader = reader_of(dialog_manager)
    year = desk_year(dialog_manager)
    limits = year_rules(dialog_manager).plan
    plan = await plan_of(reader.session, year=year)
    counts = await plan_counts(reader.session, year=year)
    if plan is None or plan.version == 0:
        status = _("a draft, never published")
    elif plan.state == PlanState.PUBLISHED:
        status = _("published, version {version}").format(version=plan.version)
    else:
        status = _("changed since version {version}: publish again").format(version=plan.version)
    lines = plan_lines(await planned_topics(reader.session, year=year), reader.locale)
    summary = _(
        "Key topics {key} of {max_key} · plan consultations {plan} of {max_plan} · "
        "extra {extra} of {max_extra}"
    ).format(
        key=counts["key"],
        max_key=limits.max_key_topics,
        plan=counts["plan"],
        max_plan=limits.plan_consultations,
        extra=counts["extra"],
        max_extra=limits.max_extra,
    )
    # Built from our msgids and escaped values.
    body = Markup("\n".join([summary, *lines]) or "—")  # noqa: S704
    return {"year": year, "last_year": year - 1, "status": status, "body": body}


async def publish_pressed(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Publish the plan as its next version; members are told."""
    reader = reader_of(manager)
    try:
        plan = await publish_plan(
            reader.session,
            scope=await staff_scope(manager),
            year=desk_year(manager),
            actor=staff_actor(manager),
            notifier=manager.middleware_data["notifier"],
            now=reader.now,
        )
    except DomainError as error:
        raise Refused(refusal_text(error), alert=True) from error
    await answer(manager, _("Published: version {version}.").format(version=plan.version))


async def carry_pressed(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Carry last year's long-running topics into this year's draft plan (once)."""
    reader = reader_of(manager)
    scope = await staff_scope(manager)
    if not scope.admin:
        raise Refused(refusal_text(DomainError("out_of_scope")), alert=True)
    rulebook: RuleBook = manager.middleware_data["rulebook"]
    year = desk_year(manager)
    carried = await carry_over(
        reader.session,
        from_year=year - 1,
        rules=rulebook.for_year(year),
        actor=staff_actor(manager),
        now=reader.now,
    )
    await answer(manager, _("Carried over: {count}.").format(count=len(carried)))


async def new_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """The sources the office enters by hand, and the long-running mark."""
    data = dialog_manager.dialog_data
    return {
        "sources": [(source, source_name(source)) for source in HAND_SOURCES],
        "source_name": source_name(data.get("source", "")),
        "long_mark": "✅" if data.get("long") else "⬜",
    }


async def source_chosen(
    callback: CallbackQuery, widget: Select[str], manager: DialogManager, item: str
) -> None:
    """Where the new topic comes from."""
    if item not in HAND_SOURCES:
        raise Refused(_(NOT_AVAILABLE), alert=True)
    manager.dialog_data["source"] = item
    await manager.switch_to(TopicDesk.new_title)


async def long_toggled(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Followed over several years, or not."""
    manager.dialog_data["long"] = not manager.dialog_data.get("long")


async def new_title_typed(message: Message, widget: MessageInput, manager: DialogManager) -> None:
    """Enter the topic on the shortlist and open its card."""
    reader = reader_of(manager)
    try:
        topic = await add_topic_by_hand(
            reader.session,
            scope=await staff_scope(manager),
            year=desk_year(manager),
            source=TopicSource(manager.dialog_data.get("source", TopicSource.GOVERNMENT_REQUEST)),
            title=message.text or "",
            description="",
            long_running=bool(manager.dialog_data.get("long")),
            actor=staff_actor(manager),
            now=reader.now,
        )
    except DomainError as error:
        await refuse_input(message, manager, refusal_text(error))
        return
    manager.dialog_data["topic"] = topic.id
    await manager.switch_to(TopicDesk.card)
