"""Placing a shortlisted topic in the plan: committee, month, form, key flag and slot, then in.

A broken limit of the year's ``[plan]`` rules is named in the refusal and every choice is kept.
"""

from __future__ import annotations

from typing import Any

from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager
from aiogram_dialog.widgets.kbd import Button, Select

from handlers.dialogs.context import reader_of
from handlers.dialogs.guard import Refused
from handlers.dialogs.press import answer
from handlers.topics.desk_steps import current_topic, staff_actor, staff_scope, year_rules
from handlers.topics.states import TopicDesk
from handlers.topics.texts import NOT_AVAILABLE, form_name, refusal_text
from services.errors import DomainError
from services.reference.catalog import display_name, list_committees
from services.topics.plan import PlanChoice, add_to_plan, remove_from_plan
from storage.models.plan import PlanSlot


async def committee_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """The choices of the plan placing: committees, months, forms, and what is chosen."""
    reader = reader_of(dialog_manager)
    rules = year_rules(dialog_manager)
    data = dialog_manager.dialog_data
    committees = await list_committees(reader.session)
    names = {c.id: display_name(c, reader.locale) for c in committees}
    forms = rules.plan.allowed_forms(rules.pipeline.consultation_kinds)
    return {
        "committees": [(cid, name) for cid, name in names.items()],
        "months": [(m, str(m)) for m in range(1, 13)],
        "forms": [(f, form_name(f, reader.locale)) for f in forms],
        "committee_name": names.get(data.get("committee", 0), "—"),
        "month": data.get("month", "—"),
        "form_name": form_name(data.get("form", ""), reader.locale) if data.get("form") else "—",
        "key_mark": "✅" if data.get("key") else "⬜",
        "slot_name": _("extra (by sectors and committees)")
        if data.get("slot") == PlanSlot.EXTRA
        else _("plan consultation"),
    }


async def committee_chosen(
    callback: CallbackQuery, widget: Select[str], manager: DialogManager, item: str
) -> None:
    """The lead committee; an id never drawn is refused."""
    committees = await list_committees(reader_of(manager).session)
    if not item.isdigit() or int(item) not in {c.id for c in committees}:
        raise Refused(_(NOT_AVAILABLE), alert=True)
    manager.dialog_data["committee"] = int(item)
    await manager.switch_to(TopicDesk.month)


async def month_chosen(
    callback: CallbackQuery, widget: Select[str], manager: DialogManager, item: str
) -> None:
    """The month."""
    if not item.isdigit() or not 1 <= int(item) <= 12:
        raise Refused(_(NOT_AVAILABLE), alert=True)
    manager.dialog_data["month"] = int(item)
    await manager.switch_to(TopicDesk.form)


async def form_chosen(
    callback: CallbackQuery, widget: Select[str], manager: DialogManager, item: str
) -> None:
    """The form: one of the year's allowed consultation kinds."""
    rules = year_rules(manager)
    if item not in rules.plan.allowed_forms(rules.pipeline.consultation_kinds):
        raise Refused(_(NOT_AVAILABLE), alert=True)
    manager.dialog_data["form"] = item
    await manager.switch_to(TopicDesk.placing)


async def key_toggled(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Key topic or not."""
    manager.dialog_data["key"] = not manager.dialog_data.get("key")


async def slot_toggled(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """One of the plan's own consultations, or an extra one."""
    extra = manager.dialog_data.get("slot") == PlanSlot.EXTRA
    manager.dialog_data["slot"] = PlanSlot.PLAN if extra else PlanSlot.EXTRA


async def place_pressed(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Put the topic in the plan; a broken limit is named and the choices kept."""
    reader = reader_of(manager)
    data = manager.dialog_data
    choice = PlanChoice(
        committee_id=int(data.get("committee", 0)),
        month=int(data.get("month", 0)),
        form=str(data.get("form", "")),
        key=bool(data.get("key")),
        slot=PlanSlot(data.get("slot", PlanSlot.PLAN)),
    )
    try:
        await add_to_plan(
            reader.session,
            scope=await staff_scope(manager),
            topic_id=await current_topic(manager),
            choice=choice,
            rules=year_rules(manager),
            actor=staff_actor(manager),
            now=reader.now,
        )
    except DomainError as error:
        raise Refused(refusal_text(error), alert=True) from error
    await answer(manager, _("Put in the plan."))
    await manager.switch_to(TopicDesk.card)


async def unplan_pressed(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Take the topic out of the plan."""
    reader = reader_of(manager)
    try:
        await remove_from_plan(
            reader.session,
            scope=await staff_scope(manager),
            topic_id=await current_topic(manager),
            actor=staff_actor(manager),
            now=reader.now,
        )
    except DomainError as error:
        raise Refused(refusal_text(error), alert=True) from error
    await answer(manager, _("Taken out of the plan."))
