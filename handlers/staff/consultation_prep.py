"""Administrators prepare a consultation: materials, research tasks (开题), the draft report.

The draft is sent round for comments, which staff read here in order. Opened from a
meeting's card; every press names a row of this meeting, checked again by the services (a
row of another meeting is refused).
"""

from __future__ import annotations

from operator import itemgetter
from typing import Any

from aiogram import F
from aiogram.enums import ContentType
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager, Window
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button, Cancel, Column, Select, SwitchTo
from aiogram_dialog.widgets.text import Format
from markupsafe import Markup

from handlers.dialogs.press import pass_on
from handlers.dialogs.text import T
from handlers.staff import consultation_prep_steps as steps
from handlers.staff.consultation_prep_steps import StaffPrep, meeting_of
from handlers.staff.desk import desk_of
from handlers.texts import escape, local_time
from services.consultations.drafts import comments_for_staff, draft_of
from services.consultations.materials import materials_of
from services.consultations.research import tasks_of
from services.meetings.views import get_meeting
from storage.models import MeetingGuest, Member, ResearchTask

LABEL_MAX = 60


async def _assignee(desk_session: Any, task: ResearchTask) -> str:
    if task.member_id is not None:
        member = await desk_session.get(Member, task.member_id)
        return member.name if member is not None else ""
    if task.guest_id is not None:
        guest = await desk_session.get(MeetingGuest, task.guest_id)
        return guest.name if guest is not None else ""
    return task.assignee_text


async def overview(dialog_manager: DialogManager, **_data: Any) -> dict[str, Any]:
    """The meeting's materials, research tasks and draft, read afresh."""
    desk = desk_of(dialog_manager)
    meeting_id = meeting_of(dialog_manager)
    meeting = await get_meeting(desk.session, meeting_id)
    if meeting is None:
        return {"card": "", "found": False, "materials": [], "tasks": [], "draft": False}
    materials = await materials_of(desk.session, meeting_id=meeting_id)
    tasks = await tasks_of(desk.session, meeting_id=meeting_id)
    draft = await draft_of(desk.session, meeting_id=meeting_id)
    lines = [f"<b>{escape(meeting.title)}</b>", "", _("<b>Materials</b>")]
    lines += [f"📎 {escape(m.name)}" for m in materials] or [_("none")]
    lines += ["", _("<b>Research tasks</b>")]
    for task in tasks:
        mark = "✔" if task.done_at is not None else "•"
        who = escape(await _assignee(desk.session, task))
        lines.append(f"{mark} {who}: {escape(task.what)} ({task.due_on.isoformat()})")
    if not tasks:
        lines.append(_("none"))
    lines += ["", _("<b>Draft report</b>")]
    if draft is None:
        lines.append(_("none"))
    else:
        comments = await comments_for_staff(desk.session, meeting_id=meeting_id)
        until = local_time(draft.comments_until, desk.turn.tz)
        state = (
            _("sent round; comments until {when}").format(when=until)
            if draft.sent_at is not None
            else _("not sent yet; comments until {when}").format(when=until)
        )
        lines.append(_("{state}; {count} comments").format(state=state, count=len(comments)))
    return {
        # Built from our msgids and escaped values, so it is markup as it stands.
        "card": Markup("\n".join(lines)),  # noqa: S704
        "found": True,
        "materials": [
            (str(m.id), _("✖ {name}").format(name=m.name)[:LABEL_MAX]) for m in materials
        ],
        "tasks": [
            (str(t.id), _("✔ {what}").format(what=t.what)[:LABEL_MAX])
            for t in tasks
            if t.done_at is None
        ],
        "draft": draft is not None,
    }


async def comments(dialog_manager: DialogManager, **_data: Any) -> dict[str, Any]:
    """Every comment on the draft, in the order they came."""
    desk = desk_of(dialog_manager)
    rows = await comments_for_staff(desk.session, meeting_id=meeting_of(dialog_manager))
    lines = [
        f"{n}. <b>{escape(name)}</b> ({local_time(c.created_at, desk.turn.tz)}): {escape(c.text)}"
        for n, (c, name) in enumerate(rows, start=1)
    ]
    # Escaped values in our own markup.
    return {"comments": Markup("\n".join(lines)), "any": bool(lines)}  # noqa: S704


def _rows(items: str, widget_id: str, on_click: Any) -> Column:
    return Column(
        Select(
            Format("{item[1]}"),
            id=widget_id,
            item_id_getter=itemgetter(0),
            items=items,
            on_click=on_click,
        )
    )


def prep_dialog() -> Dialog:
    """The preparation desk, built fresh for each Dispatcher."""
    back = SwitchTo(T("◀ Back"), id="to_overview", state=StaffPrep.overview)
    return Dialog(
        Window(
            Format("{card}", when="found"),
            T("This meeting is not available.", when=~F["found"]),
            _rows("materials", "material", steps.material_removed),
            _rows("tasks", "task", steps.task_done),
            SwitchTo(
                T("📎 Add a material"), id="add_material", state=StaffPrep.material, when="found"
            ),
            SwitchTo(
                T("🔬 Add a research task"), id="add_task", state=StaffPrep.assignee, when="found"
            ),
            SwitchTo(
                T("📝 Write the draft report"),
                id="write_draft",
                state=StaffPrep.draft,
                when="found",
            ),
            Button(
                T("📤 Send the draft round"),
                id="send_draft",
                on_click=steps.send_round,
                when="draft",
            ),
            SwitchTo(T("💬 Read the comments"), id="read", state=StaffPrep.comments, when="draft"),
            Cancel(T("◀ Back"), id="close"),
            MessageInput(pass_on),
            getter=overview,
            state=StaffPrep.overview,
        ),
        Window(
            T("Send the material as a document (up to 20 MB)."),
            MessageInput(steps.material_received, content_types=ContentType.ANY),
            back,
            state=StaffPrep.material,
        ),
        Window(
            T("Who researches? Send a member's code (like M001), a guest's name or any name."),
            MessageInput(steps.assignee_typed),
            back,
            state=StaffPrep.assignee,
        ),
        Window(
            T("What is to be researched?"),
            MessageInput(steps.what_typed),
            back,
            state=StaffPrep.what,
        ),
        Window(
            T("Due on which day? (like 2026-12-31)"),
            MessageInput(steps.due_typed),
            back,
            state=StaffPrep.due,
        ),
        Window(
            T("Send the draft report as text, or as a document."),
            MessageInput(steps.draft_received, content_types=ContentType.ANY),
            back,
            state=StaffPrep.draft,
        ),
        Window(
            T("Comments are open until which day? (like 2026-12-31)"),
            MessageInput(steps.deadline_typed),
            back,
            state=StaffPrep.deadline,
        ),
        Window(
            T("<b>Comments on the draft</b>"),
            Format("{comments}", when="any"),
            T("No comments yet.", when=~F["any"]),
            back,
            getter=comments,
            state=StaffPrep.comments,
        ),
        on_start=steps.on_start,
    )
