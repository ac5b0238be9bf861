"""The staff case desk on the dialog engine: the queue, a case's card, and what is done to it.

One aiogram-dialog: the queue by station, a page of the waiting cases (the engine's pager),
a case's card with the actions its status allows (accept, assign to a member or a department
with a due date, reply with a preview, reject with a reason, mark a duplicate, resolve, note,
grant or refuse more time, photos, map), and the steps those actions need. The case is the
dialog's data, kept in our storage, so a restart resumes a half-written reply; a press on a card
the dialog has left is refused by the engine. The ways in (the menu button, /queue, a notice's
"Open the case") are below the dialog; the callbacks are in ``case_desk_steps``, the getters in
``case_desk_views``.
"""

from __future__ import annotations

import logging
from operator import itemgetter
from typing import Any

from aiogram import F
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager, ShowMode, Window
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import (
    Button,
    Column,
    Group,
    Row,
    Select,
    StubScroll,
    SwitchTo,
)
from aiogram_dialog.widgets.text import Format, Multi

from handlers.case_callbacks import ConditionsReportCB
from handlers.dialogs.guard import Refused, guard
from handlers.dialogs.markup import Elsewhere, Label
from handlers.dialogs.paging import page_buttons
from handlers.dialogs.text import T
from handlers.filters import TYPED, MenuLabel
from handlers.messaging import reply_buttons_expected, text_expected
from handlers.staff import case_desk_confirm as confirm
from handlers.staff import case_desk_steps as steps
from handlers.staff import case_desk_typing as typing
from handlers.staff import case_desk_views as views
from handlers.staff import case_search as search
from handlers.states import CaseDesk
from handlers.texts import Buttons
from services.translation import N_

log = logging.getLogger(__name__)
# The steps that read what is typed; elsewhere a message goes on to the other routers.
TYPING = frozenset(
    {
        CaseDesk.members,
        CaseDesk.reply,
        CaseDesk.confirm,
        CaseDesk.reject,
        CaseDesk.duplicate,
        CaseDesk.note,
    }
)


def _saying(reply: Any) -> Any:
    """A message input that only answers (text where a button is due), the card left alone."""

    async def handler(message: Message, widget: Any, manager: DialogManager) -> None:
        await reply(message)
        manager.show_mode = ShowMode.NO_UPDATE

    return handler


def _choices(widget_id: str, items: str, on_click: Any) -> Select[int]:
    """One button a row for (label, id) pairs; the id is all a press carries back."""
    return Select(
        Format("{item[0]}"),
        id=widget_id,
        item_id_getter=itemgetter(1),
        items=items,
        type_factory=_item_id,
        on_click=on_click,
    )


def _item_id(value: str) -> int:
    """An item's id as the getter gave it; anything else comes from a forged button."""
    try:
        return int(value)
    except ValueError:
        log.warning("forged item id %r on the case desk", value)
        raise Refused(_("This button is not valid."), alert=True) from None


def _pager(scroll: str, back: str, forward: str) -> Row:
    """The engine's page buttons for ``scroll``."""
    return page_buttons(scroll, back=(f"{scroll}_prev", back), forward=(f"{scroll}_next", forward))


def _typed_step(text: T, state: Any, handler: Any) -> Window:
    return Window(
        text,
        MessageInput(handler, filter=TYPED),
        MessageInput(_saying(text_expected)),
        Button(T(Buttons.CANCEL), id="cancel", on_click=typing.cancel_typing),
        getter=views.number_getter,
        state=state,
    )


def _queue_windows() -> list[Window]:
    return [
        Window(
            T(
                "<b>Case queue</b>: {total} cases wait for a decision, oldest first.",
                when="waiting",
            ),
            T(
                "<b>Case queue</b>: nothing waits for a decision. Every case is in hand.",
                when=~F["waiting"],
            ),
            Column(_choices("station", "stations", steps.station_chosen)),
            search.status_buttons(),
            Elsewhere(
                T("📄 Members' reports ({count})"),
                ConditionsReportCB(action="list").pack(),
                when="has_reports",
            ),
            getter=views.overview_getter,
            state=CaseDesk.overview,
        ),
        Window(
            Multi(
                T("<b>Waiting at {where}</b>: {total}."),
                T("Page {page} of {pages}.", when="paged"),
                sep=" ",
            ),
            T("Tap a case to open it."),
            Column(_choices("case", "cases", steps.case_chosen)),
            StubScroll(id=views.QUEUE_PAGES, pages="pages"),
            _pager(views.QUEUE_PAGES, N_("◀ Older"), N_("Newer ▶")),
            SwitchTo(T("◀ Stations"), id="stations", state=CaseDesk.overview),
            getter=views.queue_getter,
            state=CaseDesk.queue,
        ),
    ]


def _card_window() -> Window:
    act: dict[str, Any] = {"on_click": steps.case_step}
    return Window(
        Format("{card}"),
        Group(
            Button(Label("✔ Accept"), id="accept", on_click=steps.quick_action, when="may_accept"),
            Button(
                Multi(
                    Label("👤 Reassign", when="assigned"),
                    Label("👤 Assign", when=~F["assigned"]),
                    sep="",
                ),
                id="assign",
                when="may_assign",
                **act,
            ),
            Button(Label("💬 Reply"), id="reply", when="may_reply", **act),
            Button(Label("✖ Reject"), id="reject", when="open", **act),
            Button(Label("🔗 Duplicate"), id="duplicate", when="open", **act),
            Button(
                Label("✅ Resolve"), id="resolve", on_click=steps.quick_action, when="may_resolve"
            ),
            Button(Label("📝 Note"), id="note", when="found", **act),
            Button(Label("📷 Photos"), id="photos", on_click=steps.show_media, when="photos"),
            Button(Label("🗺 Map"), id="map", on_click=steps.show_media, when="mapped"),
            Button(
                T("⏳ Grant {days} days"),
                id="grant",
                on_click=steps.extension_decided,
                when="extension",
            ),
            Button(
                Label("Refuse more time"),
                id="refuse",
                on_click=steps.extension_decided,
                when="extension",
            ),
            SwitchTo(
                Label("◀ Results"),
                id="results",
                state=CaseDesk.found,
                when=search.came_from_results,
            ),
            SwitchTo(Label("◀ Case queue"), id="queue", state=CaseDesk.overview),
            width=2,
        ),
        getter=views.case_getter,
        state=CaseDesk.case,
    )


def _assign_windows() -> list[Window]:
    back = SwitchTo(Label("◀ Back"), id="kinds", state=CaseDesk.assign)
    return [
        Window(
            T("Case {number}: assign it to whom?"),
            Row(
                Button(Label("👤 A member"), id="members", on_click=steps.kind_chosen),
                Button(Label("🏛 A department"), id="departments", on_click=steps.kind_chosen),
            ),
            SwitchTo(Label("◀ Back to the case"), id="card", state=CaseDesk.case),
            getter=views.number_getter,
            state=CaseDesk.assign,
        ),
        Window(
            Multi(
                T("Members matching “{search}”: {total}.", when="searched"),
                T("Members serving at the case's station: {total}.", when="listed"),
                T("No member serves at the case's station.", when="nobody"),
                T("Or type part of a name to find another member."),
            ),
            Column(_choices("member", "members", steps.target_chosen)),
            StubScroll(id=views.MEMBER_PAGES, pages="pages"),
            _pager(views.MEMBER_PAGES, N_("◀"), N_("▶")),
            back,
            MessageInput(steps.name_typed, filter=TYPED),
            getter=views.members_getter,
            state=CaseDesk.members,
        ),
        Window(
            T("Which department?", when="any"),
            T("No department is set up yet (liaison departments import).", when=~F["any"]),
            Column(_choices("department", "departments", steps.target_chosen)),
            StubScroll(id=views.DEPARTMENT_PAGES, pages="pages"),
            _pager(views.DEPARTMENT_PAGES, N_("◀"), N_("▶")),
            back,
            getter=views.departments_getter,
            state=CaseDesk.departments,
        ),
        Window(
            T("When should the answer come? The category allows {days} days."),
            Group(_choices("due", "choices", steps.due_chosen), width=2),
            SwitchTo(Label("◀ Back to the case"), id="card", state=CaseDesk.case),
            getter=views.due_getter,
            state=CaseDesk.due,
        ),
    ]


def _reply_windows() -> list[Window]:
    return [
        Window(
            T(
                "Type the answer to the resident of case {number}, or pick a ready answer. "
                "You will see it before it is sent.",
                when=~F["rewriting"],
            ),
            T("Type the answer again.", when="rewriting"),
            T("Ready answers:", when="has_canned"),
            Column(_choices("canned", "canned", typing.canned_picked)),
            MessageInput(typing.reply_typed, filter=TYPED),
            MessageInput(_saying(text_expected)),
            Button(T(Buttons.CANCEL), id="cancel", on_click=typing.cancel_typing),
            getter=views.reply_getter,
            state=CaseDesk.reply,
        ),
        Window(
            T("The resident will read:\n<blockquote>{text}</blockquote>"),
            MessageInput(_saying(reply_buttons_expected)),
            Button(Label("📤 Send to the resident"), id="send", on_click=typing.send_reply),
            Row(
                Button(Label("✏ Rewrite"), id="rewrite", on_click=typing.rewrite_reply),
                Button(Label("✖ Drop"), id="drop", on_click=typing.drop_reply),
            ),
            getter=views.preview_getter,
            state=CaseDesk.confirm,
        ),
    ]


def _typed_windows() -> list[Window]:
    return [
        _typed_step(
            T("Why is case {number} not accepted? The resident reads this reason as the answer."),
            CaseDesk.reject,
            typing.reason_typed,
        ),
        _typed_step(
            T(
                "Case {number} is the same matter as which case? Type its number, like "
                "2026-000123. The resident will follow that case."
            ),
            CaseDesk.duplicate,
            confirm.number_typed,
        ),
        _typed_step(
            T("Type an internal note on case {number}. Residents never see notes."),
            CaseDesk.note,
            typing.note_typed,
        ),
    ]


async def _on_start(start_data: Any, manager: DialogManager) -> None:
    if isinstance(start_data, dict):
        manager.dialog_data.update(start_data)


def _typing_only(message: Message, aiogd_context: Any = None, **_data: Any) -> bool:
    return aiogd_context is not None and aiogd_context.state in TYPING


def case_desk_dialog() -> Dialog:
    """A fresh case desk dialog, for one Dispatcher."""
    dialog = Dialog(
        *_queue_windows(),
        _card_window(),
        *_assign_windows(),
        *_reply_windows(),
        *_typed_windows(),
        *confirm.confirm_windows(),
        search.found_window(search.result_choices(steps.case_chosen, _item_id)),
        on_start=_on_start,
    )
    # Menu buttons and commands are for the routers after this one, whatever the step.
    dialog.message.filter(~MenuLabel(), ~F.text.startswith("/"), _typing_only)
    return guard(dialog)


# --- the ways in -----------------------------------------------------------------------------
