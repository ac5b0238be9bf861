"""My progress: the quarter, the year's person-times and pace, the six ones, paired people."""

from __future__ import annotations

from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from handlers.member.context import LogContext
from handlers.texts import escape
from services.members.progress import Pace, Progress, member_progress
from services.reference.catalog import display_name


def pace_label(pace: Pace) -> str:
    """How the year's person-times stand."""
    return {
        Pace.MET: _("✅ yearly minimum reached"),
        Pace.AHEAD: _("ahead of pace"),
        Pace.ON_TRACK: _("on track"),
        Pace.BEHIND: _("⚠️ behind pace"),
    }[pace]


def render_progress(progress: Progress, log: LogContext) -> str:
    """The progress card."""
    locale = log.turn.locale
    quarter = progress.quarter
    mark = "✅" if progress.quarter_met else "⚠️"
    lines = [
        _("<b>My progress</b> · {name}").format(name=escape(log.member.member.name)),
        "",
        _("<b>{year} Q{number}</b> ({start} – {end}), {days} days left").format(
            year=quarter.year,
            number=quarter.number,
            start=quarter.start.isoformat(),
            end=quarter.end.isoformat(),
            days=progress.days_left,
        ),
        _("{mark} Liaison activities this quarter: {done} (minimum {minimum})").format(
            mark=mark, done=progress.quarter_activities, minimum=progress.quarter_minimum
        ),
        "",
        _("<b>{year}</b>").format(year=quarter.year),
        _("Person-times: {done} of {target} — {pace}").format(
            done=progress.year_person_times,
            target=progress.year_minimum,
            pace=pace_label(progress.pace),
        ),
        "",
        _("<b>Six ones</b>"),
    ]
    for item, done in progress.six_ones:
        lines.append(f"{'✅' if done else '⬜'} {escape(display_name(item, locale))}")
    if progress.paired or progress.paired_expected:
        lines += [
            "",
            _("<b>Paired people</b> · {listed} of {expected}").format(
                listed=len(progress.paired), expected=progress.paired_expected
            ),
        ]
        for contact in progress.paired:
            when = (
                _("last contacted {date}").format(date=contact.last_contact.isoformat())
                if contact.last_contact
                else _("not contacted yet")
            )
            lines.append(f"• {escape(contact.person.name)} — {when}")
    if progress.recent:
        lines += ["", _("<b>Latest activities</b>")]
        for activity in progress.recent:
            kind = log.rules.kind(activity.kind)
            lines.append(
                _("{date} · {kind} · {people} people").format(
                    date=activity.occurred_on.isoformat(),
                    kind=escape(display_name(kind, locale) if kind else activity.kind),
                    people=activity.people_count,
                )
            )
    return "\n".join(lines)


async def show_progress(message: Message, log: LogContext) -> None:
    """Send the progress card."""
    progress = await member_progress(
        log.session,
        member_id=log.member.id,
        rules=log.rules,
        today=log.today,
        tz=log.turn.tz,
    )
    await message.answer(render_progress(progress, log))
