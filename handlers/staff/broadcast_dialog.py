"""The broadcast composer on the dialog engine: audience, text, attachment, review, send, schedule.

Inline cards (the audience, the review) are edited in place; the typed steps carry our reply
keyboards (✖ Cancel, ⏭ Skip). The review's ✏️ buttons switch to a step and mark the draft as
being edited, so that step comes back to the review. The callbacks live beside this module,
one per part: ``broadcast_audience`` (every press checked again), ``broadcast_compose``,
``broadcast_review`` and ``broadcast_send``. The draft is plain strings in the dialog's data,
kept in our storage, so a restart resumes it.
"""

from __future__ import annotations

from operator import itemgetter
from typing import Any

from aiogram import F
from aiogram.filters import StateFilter
from aiogram.types import ContentType
from aiogram_dialog import Dialog, ShowMode, Window
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Back, Button, Column, Group, Row, Select, SwitchTo
from aiogram_dialog.widgets.text import Format

from handlers import keyboards
from handlers.dialogs.markup import ReplyKeyboard
from handlers.dialogs.text import T
from handlers.filters import ButtonText
from handlers.staff import broadcast_audience as audience
from handlers.staff import broadcast_compose as compose
from handlers.staff import broadcast_send as send
from handlers.staff.broadcast_review import buttons_expected, edit_part, review_getter
from handlers.states import BroadcastForm
from handlers.texts import Buttons

__all__ = ["BroadcastForm", "broadcast_dialog"]


def _choices(widget_id: str, items: str, on_click: Any) -> Select[str]:
    """Buttons for (label, id) pairs; the id is all a press carries back."""
    return Select(
        Format("{item[0]}"),
        id=widget_id,
        item_id_getter=itemgetter(1),
        items=items,
        on_click=on_click,
    )


def _audience_windows() -> list[Window]:
    return [
        Window(
            T("Who should receive it?", when="admin"),
            T(
                "The residents of which of your stations (those who opted in to its notices)?",
                when="station_staff",
            ),
            Group(_choices("kind", "kinds", audience.kind_chosen), width=2, when="admin"),
            Column(_choices("station", "stations", audience.station_chosen), when="station_staff"),
            MessageInput(buttons_expected),
            getter=audience.audience_getter,
            state=BroadcastForm.audience,
        ),
        Window(
            T("{kind}: which one?"),
            Group(_choices("value", "choices", audience.value_chosen), width=2, when="two_a_row"),
            Column(_choices("value_row", "choices", audience.value_chosen), when="one_a_row"),
            Back(T("◀ Back")),
            MessageInput(buttons_expected),
            getter=audience.value_getter,
            state=BroadcastForm.audience_value,
        ),
    ]


def _compose_windows() -> list[Window]:
    return [
        Window(
            T(
                "Type the text. Bold, italics, links and the other formatting Telegram offers "
                "are kept. Up to 4096 characters, or 1024 with a photo or document."
            ),
            MessageInput(compose.text_typed, content_types=ContentType.TEXT),
            MessageInput(compose.not_text),
            markup_factory=ReplyKeyboard(lambda _data: keyboards.cancel_only()),
            state=BroadcastForm.text,
        ),
        Window(
            T("Send a photo or a document to go with it (up to 20 MB), or skip."),
            MessageInput(compose.attachment_skipped, filter=ButtonText(Buttons.SKIP)),
            MessageInput(
                compose.attachment_sent, content_types=[ContentType.PHOTO, ContentType.DOCUMENT]
            ),
            MessageInput(compose.not_attachment),
            markup_factory=ReplyKeyboard(lambda _data: keyboards.photo_step(has_photos=False)),
            state=BroadcastForm.attachment,
        ),
    ]


def _review_windows() -> list[Window]:
    # The ✏️ buttons: the step opens below the card, which says the draft is being edited.
    edit: dict[str, Any] = {"on_click": edit_part, "show_mode": ShowMode.SEND}
    return [
        Window(
            T("<b>Ready to send?</b>"),
            T("Audience: {label}"),
            T("Recipients: {size}."),
            T("Blocked chats are counted, not sent to."),
            T("Attachment: {name}"),
            Row(
                Button(T("✅ Send now"), id="send", on_click=send.send_now),
                Button(T("🕒 Send later"), id="later", on_click=send.send_later),
            ),
            Row(
                SwitchTo(T("✏️ Audience"), id="edit_audience", state=BroadcastForm.audience, **edit),
                SwitchTo(T("✏️ Text"), id="edit_text", state=BroadcastForm.text, **edit),
                SwitchTo(
                    T("✏️ Attachment"), id="edit_attachment", state=BroadcastForm.attachment, **edit
                ),
            ),
            Button(T("🗑 Discard"), id="discard", on_click=send.discard),
            MessageInput(buttons_expected),
            getter=review_getter,
            state=BroadcastForm.review,
        ),
        Window(
            T("When should it go out? Type the date and time, like {example}."),
            MessageInput(send.schedule_typed, content_types=ContentType.TEXT),
            MessageInput(send.time_expected),
            markup_factory=ReplyKeyboard(lambda _data: keyboards.cancel_only()),
            getter=send.schedule_getter,
            state=BroadcastForm.schedule,
        ),
    ]


def broadcast_dialog() -> Dialog:
    """A fresh broadcast dialog (a router can have one parent; tests build many Dispatchers)."""
    dialog = Dialog(*_audience_windows(), *_compose_windows(), *_review_windows())
    # A command is answered as one (the unknown-command guard comes later), and a hand-written
    # step of another feature that waits for text takes its own input.
    dialog.message.filter(~F.text.startswith("/"), StateFilter(None))
    return dialog
