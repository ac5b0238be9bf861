"""The broadcast dialog's steps: what each asks, which comes next, the preview and review."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Awaitable, Callable

from aiogram.types import ReplyKeyboardRemove
from aiogram.utils.i18n import gettext as _

from handlers import keyboards
from handlers.grid import Grid
from handlers.outgoing import AttachmentGoneError, attachment_of, send_outgoing
from handlers.staff.broadcast_callbacks import BroadcastAudienceCB, BroadcastForm, BroadcastReviewCB
from handlers.staff.desk import Desk
from handlers.texts import escape, local_date, shorten
from services.broadcasts import audiences
from services.broadcasts.audiences import Audience, AudienceSize
from services.broadcasts.queue import BroadcastDraft, message_of
from services.meetings.materials import stored_file
from services.meetings.views import meetings_since
from services.members.labels import group_label
from services.reference.catalog import display_name, list_committees, list_sectors, list_stations
from storage.enums import AudienceKind, MemberGroup

log = logging.getLogger(__name__)
# Meetings that ended this long ago can still be written to (minutes, a follow-up).
MEETINGS_SINCE = dt.timedelta(days=30)


def kind_label(kind: str) -> str:
    """The name of an audience kind."""
    labels: dict[str, str] = {
        AudienceKind.MEMBERS: _("All members"),
        AudienceKind.SECTOR: _("By sector"),
        AudienceKind.GROUP: _("By group"),
        AudienceKind.COMMITTEE: _("By special committee"),
        AudienceKind.MEETING: _("A meeting's invitees"),
        AudienceKind.STATION: _("Residents of a station"),
        AudienceKind.DEPARTMENTS: _("Department handlers"),
        AudienceKind.EVERYONE: _("Everyone"),
    }
    return labels.get(kind, kind)


async def options(desk: Desk, kind: str) -> dict[str, str]:
    """What can be chosen for an audience kind that names one thing, within the scope."""
    locale = desk.turn.locale
    if kind == AudienceKind.SECTOR:
        return {s.code: display_name(s, locale) for s in await list_sectors(desk.session)}
    if kind == AudienceKind.GROUP:
        return {group.value: group_label(group) for group in MemberGroup}
    if kind == AudienceKind.COMMITTEE:
        return {c.code: display_name(c, locale) for c in await list_committees(desk.session)}
    if kind == AudienceKind.MEETING:
        meetings = await meetings_since(desk.session, since=desk.now - MEETINGS_SINCE)
        return {
            str(m.id): shorten(f"{local_date(m.starts_at, desk.turn.tz)} · {m.title}", 60)
            for m in meetings
        }
    if kind == AudienceKind.STATION:
        stations = await list_stations(desk.session)
        return {
            str(s.id): display_name(s, locale) for s in stations if desk.scope.covers(s.id or 0)
        }
    return {}


def size_line(size: AudienceSize) -> str:
    """How many an audience reaches, the blocked ones counted apart."""
    return _("{total} ({blocked} have blocked the bot)").format(
        total=size.total, blocked=size.blocked
    )


async def start_broadcast(desk: Desk) -> None:
    """Open a fresh draft."""
    await desk.state.clear()
    await desk.state.update_data(draft=secrets.token_hex(8))
    await desk.turn.say(
        _("Let's write a broadcast. You will see a preview before anything is sent."),
        reply_markup=keyboards.cancel_only(),
    )
    await ask_audience(desk)


async def ask_audience(desk: Desk) -> None:
    """Who receives it; station staff choose among their own stations only."""
    await desk.state.set_state(BroadcastForm.audience)
    grid = Grid()
    if desk.scope.admin:
        for kind in AudienceKind:
            grid.button(text=kind_label(kind), callback_data=BroadcastAudienceCB(kind=kind))
        grid.adjust(2)
        await desk.turn.say(_("Who should receive it?"), reply_markup=grid.as_markup())
        return
    stations = await options(desk, AudienceKind.STATION)
    for value, label in stations.items():
        grid.button(
            text=label, callback_data=BroadcastAudienceCB(kind=AudienceKind.STATION, value=value)
        )
    grid.adjust(1)
    await desk.turn.say(
        _("The residents of which of your stations (those who opted in to its notices)?"),
        reply_markup=grid.as_markup(),
    )


async def ask_text(desk: Desk) -> None:
    """The text, with the formatting Telegram allows."""
    await desk.state.set_state(BroadcastForm.text)
    await desk.turn.say(
        _(
            "Type the text. Bold, italics, links and the other formatting Telegram offers are "
            "kept. Up to 4096 characters, or 1024 with a photo or document."
        ),
        reply_markup=keyboards.cancel_only(),
    )


async def ask_attachment(desk: Desk) -> None:
    """An optional photo or document."""
    await desk.state.set_state(BroadcastForm.attachment)
    await desk.turn.say(
        _("Send a photo or a document to go with it (up to 20 MB), or skip."),
        reply_markup=keyboards.photo_step(has_photos=False),
    )


def draft_of(data: dict[str, object]) -> BroadcastDraft:
    """The draft kept in the dialog state."""
    return BroadcastDraft(
        audience=Audience.parse(str(data["audience_kind"]), str(data.get("audience_value", ""))),
        text=str(data["text"]),
        photo=str(data["photo"]) if data.get("photo") else None,
        document=str(data["document"]) if data.get("document") else None,
    )


async def show_review(desk: Desk, channel: str) -> None:
    """The preview exactly as recipients get it, then send, schedule, edit or discard."""
    await desk.state.set_state(BroadcastForm.review)
    await desk.state.update_data(editing=False)
    data = await desk.state.get_data()
    draft = draft_of(data)
    size = await audiences.count(desk.session, audience=draft.audience, scope=desk.scope)
    await desk.turn.say(
        _("Here is the preview, exactly as recipients will see it:"),
        reply_markup=ReplyKeyboardRemove(),
    )
    message = message_of(draft)
    try:
        key = message.photo or message.document
        attachment = None
        if key is not None:
            attachment = await attachment_of(
                await stored_file(desk.session, key),
                key=key,
                channel=channel,
                files_dir=desk.files_dir,
            )
        await send_outgoing(desk.turn.bot, desk.turn.chat_id, message, attachment=attachment)
    except AttachmentGoneError:
        log.error("chat %s: a broadcast draft's file is gone", desk.turn.chat_id)
        await desk.state.update_data(photo=None, document=None, attachment_name=None)
        await desk.turn.say(_("The attachment could not be found; please send it again."))
        await ask_attachment(desk)
        return
    attachment = data.get("attachment_name") or _("none")
    lines = [
        _("<b>Ready to send?</b>"),
        _("Audience: {label}").format(label=escape(str(data.get("audience_label", "")))),
        _("Recipients: {size}.").format(size=size_line(size)),
        _("Blocked chats are counted, not sent to."),
        _("Attachment: {name}").format(name=escape(str(attachment))),
    ]
    token = str(data["draft"])
    grid = Grid()
    for action, label in (
        ("send", _("✅ Send now")),
        ("schedule", _("🕒 Send later")),
        ("audience", _("✏️ Audience")),
        ("text", _("✏️ Text")),
        ("attachment", _("✏️ Attachment")),
        ("discard", _("🗑 Discard")),
    ):
        grid.button(text=label, callback_data=BroadcastReviewCB(action=action, draft=token))
    grid.adjust(2, 3, 1)
    await desk.turn.say("\n".join(lines), reply_markup=grid.as_markup())


EDITS: dict[str, Callable[[Desk], Awaitable[None]]] = {
    "audience": ask_audience,
    "text": ask_text,
    "attachment": ask_attachment,
}
NEXT: dict[str | None, Callable[[Desk], Awaitable[None]]] = {
    BroadcastForm.audience.state: ask_text,
    BroadcastForm.text.state: ask_attachment,
}


async def advance(desk: Desk, channel: str) -> None:
    """The next step, or the review when one part was being edited."""
    state = await desk.state.get_state() or ""
    if (await desk.state.get_data()).get("editing") or state not in NEXT:
        await show_review(desk, channel)
        return
    await NEXT[state](desk)
