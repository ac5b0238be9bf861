"""Before a report is sent: the open cases it looks like, and "me too".

Pressing "✅ Submit" first looks for open cases of the same station and category that say the
same (see :mod:`services.cases.lookalike`). If there are any, they are shown with "Me too:
follow this one" each and "No, mine is different", which sends the report at once with
everything in it: a wrong suggestion costs one tap. Following a case drops the draft (the case
already says it) and makes the resident a supporter: told of its changes, and finding it,
read-only, under "📋 My issues". Only a case shown here, still open and at the draft's station
can be followed; anything else is refused.
"""

from __future__ import annotations

import logging
from operator import itemgetter
from typing import Any

from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager, ShowMode, Window
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button, Column, Select
from aiogram_dialog.widgets.kbd.button import OnClick
from aiogram_dialog.widgets.text import Format

from handlers import keyboards
from handlers.dialogs.guard import Refused
from handlers.dialogs.markup import Label
from handlers.dialogs.press import show_answer
from handlers.dialogs.text import T
from handlers.resident.flow import draw_below, say
from handlers.states import ReportForm
from handlers.texts import escape, shorten
from services.accounts.identities import find_resident
from services.cases.labels import status_label
from services.cases.lookalike import Lookalike, find_lookalikes
from services.cases.support import support_case
from services.clock import Clock
from services.errors import DomainError
from storage.models import ChatIdentity

log = logging.getLogger(__name__)

# The ids of the cases on the look-alike card, and of every case shown to this draft so far:
# a case the resident has said no to is not offered again after an edit.
SHOWN = "lookalikes"
DECLINED = "lookalikes_declined"
EXCERPT = 80


async def _resident_id(manager: DialogManager) -> int | None:
    identity: ChatIdentity | None = manager.middleware_data.get("identity")
    if identity is None or identity.id is None:
        return None
    resident = await find_resident(manager.middleware_data["session"], identity_id=identity.id)
    return resident.id if resident is not None else None


async def _lookalikes(manager: DialogManager) -> list[Lookalike]:
    data = manager.dialog_data
    location = data.get("location") if isinstance(data.get("location"), dict) else None
    return await find_lookalikes(
        manager.middleware_data["session"],
        station_id=int(data.get("station_id") or 0),
        category_id=int(data.get("category_id") or 0),
        description=str(data.get("description") or ""),
        latitude=location["latitude"] if location else None,
        longitude=location["longitude"] if location else None,
        resident_id=await _resident_id(manager),
    )


async def offer_lookalikes(manager: DialogManager) -> bool:
    """Show the open cases the draft looks like, if there are new ones; whether it did."""
    declined = set(manager.dialog_data.get(DECLINED) or [])
    found = [item for item in await _lookalikes(manager) if item.issue_id not in declined]
    if not found:
        return False
    manager.dialog_data[SHOWN] = [item.issue_id for item in found]
    draw_below(manager)
    await manager.switch_to(ReportForm.lookalike, show_mode=ShowMode.SEND)
    return True


def _line(item: Lookalike) -> str:
    text = _("<b>{number}</b> · {status}").format(
        number=item.number, status=status_label(item.status)
    )
    if item.distance_m is not None:
        text += " · " + _("{metres} m away").format(metres=round(item.distance_m))
    return text + "\n" + escape(shorten(item.description, EXCERPT))


async def lookalikes_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """The cases shown, read afresh: one closed meanwhile is left out."""
    shown = set(dialog_manager.dialog_data.get(SHOWN) or [])
    items = [item for item in await _lookalikes(dialog_manager) if item.issue_id in shown]
    return {
        "cases": "\n\n".join(_line(item) for item in items),
        "buttons": [
            (_("🙋 Me too: follow {number}").format(number=item.number), str(item.issue_id))
            for item in items
        ],
    }


async def me_too_chosen(
    callback: CallbackQuery, widget: Any, manager: DialogManager, item: str
) -> None:
    """Follow the chosen case instead of sending the report; the draft is dropped."""
    issue_id = int(item) if item.isdigit() else 0
    if issue_id not in (manager.dialog_data.get(SHOWN) or []):
        log.warning("chat %s: me too for case %r not shown", callback.from_user.id, item)
        raise Refused(_("This case is not available."), alert=True)
    data = manager.middleware_data
    identity: ChatIdentity = data["identity"]
    clock: Clock = data["clock"]
    assert identity.id is not None
    try:
        issue = await support_case(
            data["session"],
            identity_id=identity.id,
            issue_id=issue_id,
            station_id=int(manager.dialog_data.get("station_id") or 0),
            channel=data["channel"],
            now=clock.now(),
        )
    except DomainError as error:
        raise Refused(_refusal(error), alert=True) from error
    await show_answer(callback, _("You follow this case now."))
    draw_below(manager)
    await manager.done()
    text = _(
        "🙋 You now follow case <b>{number}</b>. Your report was not sent: this case already "
        "says it.\nYou will be told here whenever it moves on, and you find it under "
        "“📋 My issues”. Only its own resident can rate the answer."
    ).format(number=issue.number)
    await say(manager, text, reply_markup=keyboards.main_menu(data.get("menu_role", "resident")))


def _refusal(error: DomainError) -> str:
    texts = {
        "support_closed": _("That case is closed now. Your report is kept: send it as yours."),
        "support_own": _("That is your own case."),
        "support_twice": _("You follow that case already."),
    }
    return texts.get(error.code, _("This case is not available."))


async def lookalike_expected(message: Message, widget: Any, manager: DialogManager) -> None:
    """Anything typed while the look-alikes are shown: the draft stays as it is."""
    await message.answer(_("Please choose with the buttons above."))


def lookalike_window(send: OnClick) -> Window:
    """The look-alike card; "different" marks the cases declined and goes on with ``send``."""

    async def different_chosen(
        callback: CallbackQuery, button: Button, manager: DialogManager
    ) -> None:
        declined = set(manager.dialog_data.get(DECLINED) or [])
        declined.update(manager.dialog_data.get(SHOWN) or [])
        manager.dialog_data[DECLINED] = sorted(declined)
        await send(callback, button, manager)

    return Window(
        T(
            "<b>Is it one of these?</b> Open cases at this station say something alike. "
            "If yours is the same problem, follow that case: you will hear of every step."
        ),
        Format("\n{cases}"),
        Column(
            Select(
                Format("{item[0]}"),
                id="metoo",
                item_id_getter=itemgetter(1),
                items="buttons",
                on_click=me_too_chosen,
            ),
        ),
        Button(
            Label("➡ No, mine is different: send it"), id="different", on_click=different_chosen
        ),
        MessageInput(lookalike_expected),
        getter=lookalikes_getter,
        state=ReportForm.lookalike,
    )
