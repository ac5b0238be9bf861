"""The assignee's casework dialog: the assigned cases, a case's card, and what is typed about it.

A member or a department's handler pages through the cases assigned to them, opens one, and
answers the resident (the answer is shown as the resident will read it, then sent, rewritten
or dropped), asks staff for more time, hands the case back, or adds an internal note. Every
press and every typed step checks again that the case is still theirs.
"""

from __future__ import annotations

import datetime as dt
from operator import itemgetter
from typing import Any

from aiogram import F
from aiogram.fsm.state import State
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager, Window
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button, Column, Group, Row, Select, SwitchTo
from aiogram_dialog.widgets.text import Format, Multi
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.assignee.casework_steps import (
    MORE_DAYS,
    cancel_typing,
    case_chosen,
    case_step,
    days_chosen,
    drop_reply,
    note_typed,
    open_report,
    page_moved,
    reason_typed,
    reply_typed,
    rewrite_reply,
    saying,
    send_reply,
    show_media,
)
from handlers.assignee.context import load_assignee
from handlers.assignee.states import Casework
from handlers.cases import render_case
from handlers.dialogs.text import T
from handlers.filters import TYPED, MenuLabel
from handlers.messaging import reply_buttons_expected, text_expected
from handlers.texts import Buttons, local_date, shorten
from services.cases.assignee import (
    ANSWERING,
    WORKING,
    assigned_issue,
    assigned_page,
    pending_extension,
)
from services.cases.labels import status_label
from services.reference.catalog import display_name

# The steps that read what is typed; elsewhere a message goes on to the other routers.
TYPING = frozenset(
    {Casework.reply, Casework.confirm, Casework.more_reason, Casework.handback, Casework.note}
)


async def cases_getter(
    dialog_manager: DialogManager, session: AsyncSession, locale: str, tz: dt.tzinfo, **_: Any
) -> dict[str, Any]:
    """A page of the assigned cases: waiting ones first, by due date."""
    assignee = await load_assignee(dialog_manager.middleware_data)
    if assignee is None:
        return {"empty": True, "cases": []}
    page = await assigned_page(
        session, assignee=assignee, page=int(dialog_manager.dialog_data.get("page", 0))
    )
    items = []
    for item in page.items:
        issue = item.issue
        marker = "⏳ " if issue.status in WORKING else ""
        due = local_date(issue.due_at, tz) if issue.due_at else "-"
        label = f"{marker}{issue.number} · {status_label(issue.status)} · {due} · " + shorten(
            display_name(item.category, locale), 12
        )
        items.append((label, issue.id))
    return {
        "empty": page.total == 0,
        "listed": page.total > 0,
        "paged": page.pages > 1,
        "open": page.open_count,
        "total": page.total,
        "page": page.page + 1,
        "pages": page.pages,
        "has_prev": page.page > 0,
        "has_next": page.page + 1 < page.pages,
        "cases": items,
        "writes_reports": page.total > 0 and assignee.kind == "member",
    }


async def case_getter(
    dialog_manager: DialogManager, session: AsyncSession, locale: str, tz: dt.tzinfo, **_data: Any
) -> dict[str, Any]:
    """The case card, and which actions its status allows."""
    assignee = await load_assignee(dialog_manager.middleware_data)
    issue_id = int(dialog_manager.dialog_data.get("case", 0))
    detail = None
    if assignee is not None:
        detail = await assigned_issue(session, assignee=assignee, issue_id=issue_id)
    if detail is None:
        return {"card": _("This case is not available."), "gone": True}
    extension = await pending_extension(session, issue_id=issue_id)
    issue = detail.issue
    return {
        "card": render_case(
            detail,
            locale,
            tz,
            extension=extension,
            map_template=dialog_manager.middleware_data["settings"].map_url_template,
        ),
        "gone": False,
        "number": issue.number,
        "answering": issue.status in ANSWERING,
        "working": issue.status in WORKING,
        "may_ask_time": issue.status in WORKING and extension is None,
        "photos": bool(detail.photos),
        "mapped": issue.latitude is not None and issue.longitude is not None,
    }


async def days_getter(**data: Any) -> dict[str, Any]:
    """The extensions one may ask for."""
    case = await case_getter(**data)
    return {
        "number": case.get("number", ""),
        "days": [(_("+{days} days").format(days=days), days) for days in MORE_DAYS],
    }


async def reply_getter(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    """The answer being written, as the resident will read it."""
    data = dialog_manager.dialog_data
    return {"text": data.get("reply", ""), "rewriting": bool(data.get("rewriting"))}


def _cancel() -> Button:
    return Button(T(Buttons.CANCEL), id="cancel", on_click=cancel_typing)


def _typed_step(*texts: Any, state: State, handler: Any, getter: Any = None) -> Window:
    return Window(
        *texts,
        MessageInput(handler, filter=TYPED),
        MessageInput(saying(text_expected)),
        _cancel(),
        state=state,
        getter=getter,
    )


async def _on_start(start_data: Any, manager: DialogManager) -> None:
    if isinstance(start_data, dict):
        manager.dialog_data.update(start_data)


def _typing_only(message: Message, aiogd_context: Any = None, **_: Any) -> bool:
    return aiogd_context is not None and aiogd_context.state in TYPING


def casework_dialog() -> Dialog:
    """A fresh casework dialog, for one Dispatcher."""
    dialog = Dialog(
        Window(
            T("No case is assigned to you at the moment.", when="empty"),
            Multi(
                T("<b>Assigned cases</b>: {open} waiting for your answer, {total} in all."),
                T("Page {page} of {pages}.", when="paged"),
                sep=" ",
                when="listed",
            ),
            Column(
                Select(
                    Format("{item[0]}"),
                    id="case",
                    item_id_getter=itemgetter(1),
                    items="cases",
                    type_factory=int,
                    on_click=case_chosen,
                )
            ),
            Row(
                Button(T("◀"), id="prev", on_click=page_moved, when="has_prev"),
                Button(T("▶"), id="next", on_click=page_moved, when="has_next"),
            ),
            Button(
                T("📄 Write a social-conditions report"),
                id="report",
                on_click=open_report,
                when="writes_reports",
            ),
            getter=cases_getter,
            state=Casework.cases,
        ),
        Window(
            Format("{card}"),
            Column(
                Button(
                    T("💬 Reply to the resident"), id="reply", on_click=case_step, when="answering"
                )
            ),
            Group(
                Button(
                    T("⏳ Ask for more time"), id="more", on_click=case_step, when="may_ask_time"
                ),
                Button(T("↩ Hand back"), id="handback", on_click=case_step, when="working"),
                Button(T("📝 Note"), id="note", on_click=case_step, when=~F["gone"]),
                Button(T("📷 Photos"), id="photos", on_click=show_media, when="photos"),
                Button(T("🗺 Map"), id="map", on_click=show_media, when="mapped"),
                width=2,
            ),
            SwitchTo(T("◀ Assigned cases"), id="list", state=Casework.cases),
            getter=case_getter,
            state=Casework.case,
        ),
        _typed_step(
            T(
                "Type your answer to the resident. You will see it before it is sent; "
                "the resident sees neither your name nor your chat.",
                when=~F["rewriting"],
            ),
            T("Type the answer again.", when="rewriting"),
            state=Casework.reply,
            handler=reply_typed,
            getter=reply_getter,
        ),
        Window(
            T("The resident will read:\n<blockquote>{text}</blockquote>"),
            MessageInput(saying(reply_buttons_expected)),
            Button(T("📤 Send to the resident"), id="send", on_click=send_reply),
            Row(
                Button(T("✏ Rewrite"), id="rewrite", on_click=rewrite_reply),
                Button(T("✖ Drop"), id="drop", on_click=drop_reply),
            ),
            getter=reply_getter,
            state=Casework.confirm,
        ),
        Window(
            T("How much more time do you need for case {number}?"),
            Row(
                Select(
                    Format("{item[0]}"),
                    id="days",
                    item_id_getter=itemgetter(1),
                    items="days",
                    type_factory=int,
                    on_click=days_chosen,
                )
            ),
            _cancel(),
            getter=days_getter,
            state=Casework.more_days,
        ),
        _typed_step(
            T("Why do you need more time? Staff decide on your reason."),
            state=Casework.more_reason,
            handler=reason_typed,
        ),
        _typed_step(
            T("Why are you handing the case back? Staff read the reason."),
            state=Casework.handback,
            handler=reason_typed,
        ),
        _typed_step(
            T("Type an internal note. Residents never see notes."),
            state=Casework.note,
            handler=note_typed,
        ),
        on_start=_on_start,
    )
    # Menu buttons and commands are for the routers after this one, whatever the step.
    dialog.message.filter(~MenuLabel(), ~F.text.startswith("/"), _typing_only)
    return dialog
