"""The activity dialog's steps: what each asks, which comes next, and the review."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiogram import BaseMiddleware
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import ReplyKeyboardRemove, TelegramObject
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from handlers import keyboards
from handlers.callbacks import ActResumeCB
from handlers.grid import Grid
from handlers.member import keyboards as member_keyboards
from handlers.states import ActivityForm
from handlers.texts import escape
from handlers.turn import Turn
from services.calendar import local_today
from services.clock import Clock
from services.members import activities
from services.members.profiles import MemberProfile
from services.members.rules import RuleBook, Rules
from services.reference.catalog import display_name, get_sector, get_station

STEPS = 8


@dataclass
class LogContext:
    """A turn of a member's conversation, with the member, today and the year's rules."""

    turn: Turn
    member: MemberProfile
    rules: Rules
    today: dt.date
    now: dt.datetime

    @property
    def state(self) -> FSMContext:
        """The member's dialog state."""
        return self.turn.state

    @property
    def session(self) -> AsyncSession:
        """The update's database session."""
        return self.turn.session


class LogContextMiddleware(BaseMiddleware):
    """Puts ``log`` (a LogContext) in the data of handlers that passed the member filter."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        """Build the context from the turn, the member and the clock."""
        member: MemberProfile | None = data.get("member")
        turn: Turn | None = data.get("turn")
        if member is not None and turn is not None:
            clock: Clock = data["clock"]
            rulebook: RuleBook = data["rulebook"]
            now = clock.now()
            today = local_today(now, turn.tz)
            data["log"] = LogContext(turn, member, rulebook.for_year(today.year), today, now)
        return await handler(event, data)


def step_title(number: int, text: str) -> str:
    """A prompt headed by its step number."""
    return _("<b>Step {number} of {total}</b> · {text}").format(
        number=number, total=STEPS, text=text
    )


async def start_entry(log: LogContext, **prefill: Any) -> None:
    """Open a fresh activity draft."""
    await log.state.clear()
    await log.state.update_data(draft=secrets.token_hex(8), photos=[], paired=[], **prefill)
    await log.turn.say(
        _("Let's log an activity. You can check everything before it is saved."),
        reply_markup=keyboards.cancel_only(),
    )
    await ask_kind(log)


async def open_entry(log: LogContext) -> None:
    """Start an entry, or offer to resume the one already open."""
    if await in_entry(log.state):
        await log.turn.say(
            _("You have an activity entry that is not saved yet."),
            reply_markup=member_keyboards.resume(),
        )
        return
    await start_entry(log)


async def offer_open_entry(log: LogContext, *, discard_text: str, discard: CallbackData) -> bool:
    """Whether an unsaved entry is open; if so, offer to continue it or to discard it.

    Anything that would replace the draft asks first, as the menu button does: "continue"
    goes back to the open entry, ``discard`` (labelled ``discard_text``) is the caller's own
    button that throws the entry away and goes on with what the member asked for.
    """
    if not await in_entry(log.state):
        return False
    buttons = Grid()
    buttons.button(text=_("▶ Continue the entry"), callback_data=ActResumeCB(action="continue"))
    buttons.button(text=discard_text, callback_data=discard)
    buttons.adjust(1)
    await log.turn.say(
        _("You have an activity entry that is not saved yet."), reply_markup=buttons.as_markup()
    )
    return True


async def ask_kind(log: LogContext) -> None:
    """Step 1: the kind."""
    await log.state.set_state(ActivityForm.kind)
    await log.turn.say(
        step_title(1, _("What kind of activity was it?")),
        reply_markup=member_keyboards.kinds(log.rules, log.turn.locale),
    )


async def ask_date(log: LogContext) -> None:
    """Step 2: the date."""
    await log.state.set_state(ActivityForm.date)
    earliest = activities.earliest_date(log.today)
    await log.turn.say(
        step_title(
            2,
            _(
                "When was it? Tap a button or type a date like {example} (from {earliest} on)."
            ).format(example=log.today.isoformat(), earliest=earliest.isoformat()),
        ),
        reply_markup=member_keyboards.dates(log.today),
    )


async def ask_sector(log: LogContext) -> None:
    """Step 3: the sector."""
    await log.state.set_state(ActivityForm.sector)
    await log.turn.say(
        step_title(3, _("Which sector's people took part?")),
        reply_markup=member_keyboards.own_sector(log.member.sector, log.turn.locale),
    )


async def ask_people(log: LogContext) -> None:
    """Step 4: people reached."""
    await log.state.set_state(ActivityForm.people)
    await log.turn.say(
        step_title(
            4,
            _(
                "How many people did you reach (person-times)? Type a number from {low} to {high}."
            ).format(low=activities.PEOPLE_MIN, high=activities.PEOPLE_MAX),
        ),
        reply_markup=keyboards.cancel_only(),
    )


async def ask_paired(log: LogContext) -> None:
    """Step 5: which paired people were reached; skipped when the member has none."""
    if not log.member.paired:
        await log.state.set_state(ActivityForm.paired)
        await advance(log)
        return
    await log.state.set_state(ActivityForm.paired)
    chosen = set((await log.state.get_data()).get("paired", []))
    await log.turn.say(
        step_title(
            5, _("Did it reach any of the people you are paired with? Tick them, then Done.")
        ),
        reply_markup=member_keyboards.paired(log.member.paired, chosen),
    )


async def ask_place(log: LogContext) -> None:
    """Step 6: the place, a station, or none."""
    await log.state.set_state(ActivityForm.place)
    await log.turn.say(
        step_title(6, _("Where was it? Choose a station, type the place, or skip.")),
        reply_markup=member_keyboards.places(log.member.stations, log.turn.locale),
    )


async def ask_summary(log: LogContext) -> None:
    """Step 7: the summary."""
    await log.state.set_state(ActivityForm.summary)
    await log.turn.say(
        step_title(
            7,
            _(
                "Summarise it: what was discussed, what people asked for. "
                "{low} to {high} characters."
            ).format(low=activities.SUMMARY_MIN, high=activities.SUMMARY_MAX),
        ),
        reply_markup=keyboards.cancel_only(),
    )


async def ask_photos(log: LogContext) -> None:
    """Step 8: up to five photos."""
    await log.state.set_state(ActivityForm.photos)
    count = len((await log.state.get_data()).get("photos", []))
    text = _("Send up to {maximum} photos of the activity, or skip this step.").format(
        maximum=activities.MAX_PHOTOS
    )
    if count:
        text += "\n" + _("You have added {count} so far.").format(count=count)
    await log.turn.say(step_title(8, text), reply_markup=keyboards.photo_step(has_photos=count > 0))


async def show_review(log: LogContext) -> None:
    """The whole entry, with edit, save and discard buttons."""
    await log.state.set_state(ActivityForm.review)
    await log.state.update_data(editing=False)
    data = await log.state.get_data()
    await log.turn.say(_("Almost done."), reply_markup=ReplyKeyboardRemove())
    await log.turn.say(
        await render_entry(log, data),
        reply_markup=member_keyboards.review(
            data["draft"], editing_entry=data.get("activity_id") is not None
        ),
    )


async def render_entry(log: LogContext, data: dict[str, Any]) -> str:
    """The draft as the member will check it; their text is escaped."""
    locale = log.turn.locale
    not_given = _("not given")
    kind = log.rules.kind(str(data.get("kind", "")))
    sector = await get_sector(log.session, data.get("sector_id") or 0)
    station = await get_station(log.session, data["station_id"]) if data.get("station_id") else None
    place = display_name(station, locale) if station else data.get("place") or not_given
    chosen = set(data.get("paired", []))
    paired = [person.name for person in log.member.paired if person.id in chosen]
    lines = [
        _("<b>Please check the activity</b>"),
        "",
        _("Kind: {value}").format(value=escape(display_name(kind, locale)) if kind else not_given),
        _("Date: {value}").format(value=data.get("day") or not_given),
        _("Sector: {value}").format(
            value=escape(display_name(sector, locale)) if sector else not_given
        ),
        _("People reached: {value}").format(value=data.get("people") or not_given),
        _("Paired people: {value}").format(
            value=escape("、".join(paired)) if paired else not_given
        ),
        _("Place: {value}").format(value=escape(place)),
        _("Photos: {value}").format(value=len(data.get("photos", [])) or not_given),
        "",
        _("Summary:"),
        f"<blockquote>{escape(str(data.get('summary', '')))}</blockquote>",
    ]
    return "\n".join(lines)


NEXT_STEP: dict[str | None, Callable[[LogContext], Awaitable[None]]] = {
    ActivityForm.kind.state: ask_date,
    ActivityForm.date.state: ask_sector,
    ActivityForm.sector.state: ask_people,
    ActivityForm.people.state: ask_paired,
    ActivityForm.paired.state: ask_place,
    ActivityForm.place.state: ask_summary,
    ActivityForm.summary.state: ask_photos,
    ActivityForm.photos.state: show_review,
}

ASK_AGAIN: dict[str | None, Callable[[LogContext], Awaitable[None]]] = {
    ActivityForm.kind.state: ask_kind,
    ActivityForm.date.state: ask_date,
    ActivityForm.sector.state: ask_sector,
    ActivityForm.people.state: ask_people,
    ActivityForm.paired.state: ask_paired,
    ActivityForm.place.state: ask_place,
    ActivityForm.summary.state: ask_summary,
    ActivityForm.photos.state: ask_photos,
    ActivityForm.review.state: show_review,
}


async def advance(log: LogContext) -> None:
    """The next step, or back to the review when the member was editing one part."""
    current = await log.state.get_state()
    if (await log.state.get_data()).get("editing"):
        await show_review(log)
        return
    await NEXT_STEP.get(current or "", show_review)(log)


async def ask_again(log: LogContext) -> None:
    """Repeat the question of the current step."""
    step = ASK_AGAIN.get(await log.state.get_state() or "")
    if step is None:
        await start_entry(log)
        return
    await step(log)


async def in_entry(state: FSMContext) -> bool:
    """Whether an activity draft is open in this chat."""
    current = await state.get_state()
    return current is not None and current.startswith(f"{ActivityForm.__full_group_name__}:")
