"""The report dialog's steps: what each asks, and which comes next."""

from __future__ import annotations

import secrets

from aiogram.fsm.context import FSMContext
from aiogram.types import ReplyKeyboardRemove
from aiogram.utils.i18n import gettext as _

from handlers import keyboards
from handlers.resident.review import render_review
from handlers.states import ReportForm
from handlers.texts import escape
from handlers.turn import Turn
from services.cases import limits
from services.reference.catalog import display_name, get_station, list_categories, list_stations

STEPS = 6


def step_title(number: int, text: str) -> str:
    """A prompt headed by its step number."""
    return _("<b>Step {number} of {total}</b> · {text}").format(
        number=number, total=STEPS, text=text
    )


async def start_report(turn: Turn, *, station_id: int | None = None) -> None:
    """Open a fresh draft; skip the station step when a QR code already named one."""
    await turn.state.clear()
    await turn.state.update_data(draft=secrets.token_hex(8), photos=[])
    await turn.say(
        _(
            "Let's write your report. It takes six short steps; "
            "you can review everything before it is sent. Stop at any time with “✖ Cancel”."
        ),
        reply_markup=keyboards.cancel_only(),
    )
    if station_id is not None:
        station = await get_station(turn.session, station_id)
        if station is not None:
            await turn.state.update_data(station_id=station_id)
            await turn.say(
                _("Station: <b>{name}</b> (from the QR code).").format(
                    name=escape(display_name(station, turn.locale))
                )
            )
            await ask_category(turn)
            return
    await ask_station(turn)


async def open_report(turn: Turn) -> None:
    """Start a report, or offer to resume the one already open."""
    if await in_report(turn.state):
        await turn.say(
            _("You have a report that is not sent yet."),
            reply_markup=keyboards.resume_or_discard(),
        )
        return
    await start_report(turn)


async def ask_station(turn: Turn) -> None:
    """Step 1: the station."""
    await turn.state.set_state(ReportForm.station)
    stations = await list_stations(turn.session)
    await turn.say(
        step_title(1, _("Which liaison station should take up your issue?")),
        reply_markup=keyboards.station_choice(stations, turn.locale),
    )


async def ask_category(turn: Turn) -> None:
    """Step 2: the category."""
    await turn.state.set_state(ReportForm.category)
    categories = await list_categories(turn.session)
    await turn.say(
        step_title(2, _("What is it about?")),
        reply_markup=keyboards.category_choice(categories, turn.locale),
    )


async def ask_description(turn: Turn) -> None:
    """Step 3: the description."""
    await turn.state.set_state(ReportForm.description)
    await turn.say(
        step_title(
            3,
            _(
                "Describe the problem: what is wrong, where exactly, since when. "
                "{minimum} to {maximum} characters."
            ).format(minimum=limits.DESCRIPTION_MIN, maximum=limits.DESCRIPTION_MAX),
        ),
        reply_markup=keyboards.cancel_only(),
    )


async def ask_photos(turn: Turn) -> None:
    """Step 4: up to three photos."""
    await turn.state.set_state(ReportForm.photos)
    data = await turn.state.get_data()
    count = len(data.get("photos", []))
    text = _("Send up to {maximum} photos of the problem, or skip this step.").format(
        maximum=limits.MAX_PHOTOS
    )
    if count:
        text += "\n" + _("You have added {count} so far.").format(count=count)
    await turn.say(step_title(4, text), reply_markup=keyboards.photo_step(has_photos=count > 0))


async def ask_location(turn: Turn) -> None:
    """Step 5: where exactly, optional."""
    await turn.state.set_state(ReportForm.location)
    await turn.say(
        step_title(
            5,
            _("Where exactly is it? Share the location with the button below, or skip."),
        ),
        reply_markup=keyboards.share_location(skippable=True),
    )


async def ask_contact(turn: Turn) -> None:
    """Step 6: anonymous or with a phone number."""
    await turn.state.set_state(ReportForm.contact)
    await turn.say(
        step_title(
            6,
            _(
                "May the people handling your case call you?\n"
                "Anonymous: you follow the case here; nobody learns who you are."
            ),
        ),
        reply_markup=keyboards.contact_choice(),
    )


async def ask_phone(turn: Turn) -> None:
    """The phone number, with the consent it implies."""
    await turn.state.set_state(ReportForm.phone)
    await turn.say(
        _(
            "Share your number with the button below, or type it.\n\n"
            "<b>Consent:</b> by sending your number you agree that the committee's staff and "
            "the person handling this case may use it to contact you about this case, and for "
            "nothing else. Nobody else will see it."
        ),
        reply_markup=keyboards.share_phone(),
    )


async def show_review(turn: Turn) -> None:
    """The whole draft, with edit, submit and discard buttons."""
    await turn.state.set_state(ReportForm.review)
    await turn.state.update_data(editing=False)
    data = await turn.state.get_data()
    await turn.say(_("Almost done."), reply_markup=ReplyKeyboardRemove())
    await turn.say(
        await render_review(turn.session, data, turn.locale),
        reply_markup=keyboards.review(data["draft"]),
    )


NEXT_STEP = {
    ReportForm.station.state: ask_category,
    ReportForm.category.state: ask_description,
    ReportForm.description.state: ask_photos,
    ReportForm.photos.state: ask_location,
    ReportForm.location.state: ask_contact,
    ReportForm.contact.state: show_review,
    ReportForm.phone.state: show_review,
}

ASK_AGAIN = {
    ReportForm.station.state: ask_station,
    ReportForm.category.state: ask_category,
    ReportForm.description.state: ask_description,
    ReportForm.photos.state: ask_photos,
    ReportForm.location.state: ask_location,
    ReportForm.contact.state: ask_contact,
    ReportForm.phone.state: ask_phone,
    ReportForm.review.state: show_review,
}


async def advance(turn: Turn) -> None:
    """Go to the next step, or back to the review when the resident was editing one part."""
    current = await turn.state.get_state()
    data = await turn.state.get_data()
    if data.get("editing"):
        await show_review(turn)
        return
    step = NEXT_STEP.get(current or "", show_review)
    await step(turn)


async def ask_again(turn: Turn) -> None:
    """Repeat the question of the current step (after a detour, a restart or a resume)."""
    current = await turn.state.get_state()
    step = ASK_AGAIN.get(current or "")
    if step is None:
        await start_report(turn)
        return
    await step(turn)


async def in_report(state: FSMContext) -> bool:
    """Whether a draft is open in this chat."""
    current = await state.get_state()
    return current is not None and current.startswith(f"{ReportForm.__full_group_name__}:")
