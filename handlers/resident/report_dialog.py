"""The resident's report as one dialog: its windows, in the order a resident meets them.

Station → category → description → photos → location → contact (→ phone) → review. The
windows' order is the flow (a step goes on to the window after it); the nearest stations and
the "resume or start over" question sit after the review, reached only by their own buttons.
The draft is the dialog's data, kept in the Dispatcher's storage: a restart resumes it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from operator import itemgetter
from typing import Any

from aiogram import F
from aiogram.types import ContentType, TelegramObject
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager, ShowMode, Window
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button, Column, Group, Select, SwitchTo
from aiogram_dialog.widgets.text import Format, Multi, Text

from handlers import keyboards
from handlers.dialogs.guard import guard
from handlers.dialogs.markup import Label, ReplyKeyboard
from handlers.dialogs.text import Step, T
from handlers.filters import ButtonText
from handlers.resident import report_contact as contact
from handlers.resident import report_details as details
from handlers.resident import report_place as place
from handlers.resident import submit
from handlers.resident.flow import STEPS, say
from handlers.resident.lookalike import lookalike_window
from handlers.resident.review import render_review
from handlers.states import ReportForm
from handlers.texts import Buttons, escape
from services.reference.catalog import display_name, get_station


class ReviewText(Text):
    """The draft as the resident will check it (see :func:`render_review`)."""

    async def _render_text(self, data: dict[str, Any], manager: DialogManager) -> str:
        middleware = manager.middleware_data
        return await render_review(middleware["session"], manager.dialog_data, middleware["locale"])


async def report_started(start_data: Any, manager: DialogManager) -> None:
    """Say what is coming; a station from a QR code is taken and its step skipped."""
    await say(
        manager,
        _(
            "Let's write your report. It takes six short steps; "
            "you can review everything before it is sent. Stop at any time with “✖ Cancel”."
        ),
        reply_markup=keyboards.cancel_only(),
    )
    station_id = start_data.get("station_id") if isinstance(start_data, dict) else None
    if not isinstance(station_id, int):
        return
    station = await get_station(manager.middleware_data["session"], station_id)
    if station is None:
        return
    manager.dialog_data["station_id"] = station.id
    name = escape(display_name(station, manager.middleware_data["locale"]))
    if start_data.get("from_qr_code"):
        await say(manager, _("Station: <b>{name}</b> (from the QR code).").format(name=name))
    else:
        await say(manager, _("Station: <b>{name}</b>.").format(name=name))
    await manager.switch_to(ReportForm.category)


async def hold_the_card(
    handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
    event: TelegramObject,
    data: dict[str, Any],
) -> Any:
    """A step that answers without moving on (a refusal, a photo added) draws no card again.

    The engine would redraw the current card after every input; here only a step that moves
    on, or asks its question again, says so with its show mode.
    """
    manager: DialogManager = data["dialog_manager"]
    manager.show_mode = ShowMode.NO_UPDATE
    return await handler(event, data)


def _edit(label: Label, part: str, state: Any) -> SwitchTo:
    return SwitchTo(
        label,
        id=f"edit_{part}",
        state=state,
        on_click=submit.edit_chosen,
        show_mode=ShowMode.SEND,
    )


def _stations(items: str) -> Column:
    return Column(
        Select(
            Format("{item[0]}"),
            id="station",
            item_id_getter=itemgetter(1),
            items=items,
            on_click=place.station_chosen,
        )
    )


def report_dialog() -> Dialog:
    """A fresh report dialog (a router can have only one parent, and tests build many)."""
    dialog = Dialog(
        Window(
            Step("Which liaison station should take up your issue?", number=1, total=STEPS),
            _stations("stations"),
            Button(
                Label("📍 Find the nearest to me"), id="nearest", on_click=place.nearest_requested
            ),
            MessageInput(place.station_by_location, content_types=ContentType.LOCATION),
            MessageInput(place.station_expected),
            getter=place.stations_getter,
            state=ReportForm.station,
        ),
        Window(
            Step("What is it about?", number=2, total=STEPS),
            Group(
                Select(
                    Format("{item[0]}"),
                    id="category",
                    item_id_getter=itemgetter(1),
                    items="categories",
                    on_click=place.category_chosen,
                ),
                width=2,
            ),
            MessageInput(place.category_expected),
            getter=place.categories_getter,
            state=ReportForm.category,
        ),
        Window(
            Step(
                "Describe the problem: what is wrong, where exactly, since when. "
                "{minimum} to {maximum} characters.",
                number=3,
                total=STEPS,
            ),
            MessageInput(details.description_entered, content_types=ContentType.TEXT),
            MessageInput(details.description_expected),
            getter=details.description_getter,
            markup_factory=ReplyKeyboard(lambda _data: keyboards.cancel_only()),
            state=ReportForm.description,
        ),
        Window(
            Multi(
                Step(
                    "Send up to {maximum} photos of the problem, or skip this step.",
                    number=4,
                    total=STEPS,
                ),
                T("You have added {count} so far.", when="count"),
            ),
            MessageInput(details.photo_received, content_types=ContentType.PHOTO),
            MessageInput(details.document_received, filter=F.document),
            MessageInput(details.photos_done, filter=ButtonText(Buttons.DONE)),
            MessageInput(details.photos_done, filter=ButtonText(Buttons.SKIP)),
            MessageInput(details.photos_removed, filter=ButtonText(Buttons.REMOVE_PHOTOS)),
            MessageInput(details.photo_expected),
            getter=details.photos_getter,
            markup_factory=ReplyKeyboard(details.photo_keyboard),
            state=ReportForm.photos,
        ),
        Window(
            Step(
                "Where exactly is it? Share the location with the button below, or skip.",
                number=5,
                total=STEPS,
            ),
            MessageInput(details.location_received, content_types=ContentType.LOCATION),
            MessageInput(details.location_skipped, filter=ButtonText(Buttons.SKIP)),
            MessageInput(details.location_got_photo, content_types=ContentType.PHOTO),
            MessageInput(details.location_expected),
            markup_factory=ReplyKeyboard(lambda _data: keyboards.share_location(skippable=True)),
            state=ReportForm.location,
        ),
        Window(
            Step(
                "May the people handling your case call you?\n"
                "Anonymous: you follow the case here; nobody learns who you are.",
                number=6,
                total=STEPS,
            ),
            Column(
                Button(
                    Label("🙈 Stay anonymous"), id="anonymous", on_click=contact.anonymous_chosen
                ),
                Button(
                    Label("📱 Leave my phone number"), id="phone", on_click=contact.phone_chosen
                ),
            ),
            MessageInput(contact.contact_expected),
            state=ReportForm.contact,
        ),
        Window(
            T(
                "Share your number with the button below, or type it.\n\n"
                "<b>Consent:</b> by sending your number you agree that the committee's staff and "
                "the person handling this case may use it to contact you about this case, and for "
                "nothing else. Nobody else will see it."
            ),
            MessageInput(contact.phone_shared, content_types=ContentType.CONTACT),
            MessageInput(contact.phone_typed, content_types=ContentType.TEXT),
            MessageInput(contact.phone_expected),
            markup_factory=ReplyKeyboard(lambda _data: keyboards.share_phone()),
            state=ReportForm.phone,
        ),
        Window(
            ReviewText(),
            Group(
                _edit(Label("✏️ Station"), "station", ReportForm.station),
                _edit(Label("✏️ Category"), "category", ReportForm.category),
                _edit(Label("✏️ Description"), "description", ReportForm.description),
                _edit(Label("✏️ Photos"), "photos", ReportForm.photos),
                _edit(Label("✏️ Location"), "location", ReportForm.location),
                _edit(Label("✏️ Contact"), "contact", ReportForm.contact),
                width=2,
            ),
            Button(Label("✅ Submit"), id="submit", on_click=submit.submit_chosen),
            Button(Label("🗑 Discard"), id="discard", on_click=submit.discard_chosen),
            MessageInput(submit.review_expected),
            state=ReportForm.review,
        ),
        lookalike_window(submit.send_report),
        Window(
            T("The nearest stations:"),
            _stations("nearest"),
            MessageInput(place.station_by_location, content_types=ContentType.LOCATION),
            MessageInput(place.station_expected),
            getter=place.nearest_getter,
            state=ReportForm.nearest,
        ),
        Window(
            T("You have a report that is not sent yet."),
            Column(
                Button(Label("▶ Continue my report"), id="resume", on_click=submit.resume_chosen),
                Button(
                    Label("🗑 Discard it and start over"),
                    id="restart",
                    on_click=submit.restart_chosen,
                ),
            ),
            MessageInput(submit.resume_expected),
            state=ReportForm.resume,
        ),
        on_start=report_started,
    )
    dialog.message.middleware(hold_the_card)
    dialog.callback_query.middleware(hold_the_card)
    return guard(dialog)
