"""The words of a member's record: the year card, item and line labels, past years.

Shared by the member's own "📁 My record" and the administrators' view of anyone's record,
so both read the same figures in the same words.
"""

from __future__ import annotations

import datetime as dt

from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.texts import escape, local_date, shorten
from services.assessment.attendance import ALL_KINDS, member_attendance
from services.assessment.line_sources import LineSource
from services.assessment.ranking import points_text
from services.assessment.record import PastYear
from services.assessment.scores import member_score
from services.assessment.standings import ensure_current
from services.assessment.types import LedgerLine, MemberScore
from services.meetings.invitations import meeting_kind
from services.members.progress import member_progress
from services.members.rules import Rules
from services.reference.catalog import display_name


def no_assessment_text(year: int) -> str:
    """The year's rules have no assessment section."""
    return _("There is no duty assessment for {year}, so there is no record to show.").format(
        year=year
    )


def item_name(rules: Rules, code: str, locale: str) -> str:
    """An item's name under the year's rules (its code when the rules no longer know it)."""
    assert rules.assessment is not None
    item = next((i for i in rules.assessment.member_items if i.code == code), None)
    return item.name(locale) if item else code


def group_name(rules: Rules, code: str, locale: str) -> str:
    """A member group's name under the year's rules."""
    assert rules.assessment is not None
    group = next((g for g in rules.assessment.member_groups if g.code == code), None)
    if group is None:
        return code
    return group.name_zh if locale.startswith("zh") else group.name_en


def _when(on: dt.date | dt.datetime | None, tz: dt.tzinfo) -> str:
    if isinstance(on, dt.datetime):
        return local_date(on, tz)
    return on.isoformat() if on else ""


def source_words(source: LineSource, rules: Rules, locale: str, tz: dt.tzinfo) -> str:
    """Where a line came from, in words (not escaped)."""
    when = _when(source.on, tz)
    title = shorten(source.title, 40)
    if not source.found:
        return _("a record no longer available")
    if source.kind == "activity":
        kind = rules.kind(source.code)
        name = display_name(kind, locale) if kind else source.code
        return _("activity: {kind}, {date}").format(kind=name, date=when)
    if source.kind == "invitation":
        meeting = meeting_kind(source.code)
        name = display_name(meeting, locale) if meeting else source.code
        return _("meeting “{title}” ({kind}), {date}").format(title=title, kind=name, date=when)
    if source.kind == "report":
        return _("social-conditions report “{title}”").format(title=title)
    if source.kind == "proposal":
        return _("proposal {number} “{title}”").format(number=source.number, title=title)
    if source.kind == "cosign":
        return _("co-signed proposal {number} “{title}”").format(number=source.number, title=title)
    if source.kind == "entry":
        return _("office entry “{title}”, {date}").format(title=title, date=when)
    return source.kind


def line_label(
    line: LedgerLine, source: LineSource, rules: Rules, locale: str, tz: dt.tzinfo
) -> str:
    """One line on a button: its date, its source, its points."""
    return _("{date} · {source} · {points} pts").format(
        date=line.occurred_on.isoformat(),
        source=source_words(source, rules, locale, tz),
        points=points_text(line.points_c),
    )


def _standing(score: MemberScore, rules: Rules, locale: str) -> list[str]:
    lines = [_("Total so far: <b>{points}</b> points").format(points=points_text(score.total_c))]
    if score.rank is None:
        lines.append(_("Not ranked this year."))
        return lines
    lines.append(
        _("Rank {rank} of {size} in {group}").format(
            rank=score.rank,
            size=score.group_size,
            group=escape(group_name(rules, score.group_code, locale)),
        )
    )
    if score.cut_c is not None:
        gap = score.total_c - score.cut_c
        where = (
            _("{points} above it").format(points=points_text(gap))
            if gap > 0
            else _("at it")
            if gap == 0
            else _("{points} below it").format(points=points_text(-gap))
        )
        lines.append(
            _(
                "Pool for excellent member: top {size}, cut at {cut} points — you are {where}"
            ).format(size=score.pool_size, cut=points_text(score.cut_c), where=where)
        )
    return lines


async def year_card(
    session: AsyncSession,
    *,
    member_id: int,
    name: str,
    rules: Rules,
    today: dt.date,
    locale: str,
    tz: dt.tzinfo,
) -> tuple[str, MemberScore | None]:
    """The year so far as one text, and the score (None when the year has no assessment)."""
    year = today.year
    if rules.assessment is None:
        return no_assessment_text(year), None
    await ensure_current(session, year=year, rules=rules, tz=tz)
    score = await member_score(session, member_id=member_id, year=year, rules=rules, tz=tz)
    progress = await member_progress(session, member_id=member_id, rules=rules, today=today, tz=tz)
    attendance = await member_attendance(session, member_id=member_id, years=[year], tz=tz)
    lines = [
        _("<b>My record</b> · {name} · {year}").format(name=escape(name), year=year),
        "",
        *_standing(score, rules, locale),
        "",
        _("<b>Six ones</b>"),
    ]
    lines += [
        f"{'✅' if done else '⬜'} {escape(display_name(item, locale))}"
        for item, done in progress.six_ones
    ]
    lines += ["", _("<b>Attendance</b> (attended / excused / absent)")]
    for kind, figures in sorted(attendance.items()):
        if kind == ALL_KINDS:
            continue
        meeting = meeting_kind(kind)
        label = display_name(meeting, locale) if meeting else kind
        lines.append(f"{escape(label)}: {figures.attended} / {figures.excused} / {figures.absent}")
    if len(attendance) == 1:
        lines.append(_("No meeting closed yet this year."))
    if not score.items:
        lines += ["", _("No points yet this year.")]
    return "\n".join(lines), score


def past_text(years: list[PastYear], locale: str) -> str:
    """Closed and published years, each read with the rules it was closed with."""
    if not years:
        return _("No closed year in your record yet.")
    lines = [_("<b>Past years</b>")]
    for past in years:
        result = past.result
        rank = (
            _("rank {rank} of {size} in {group}").format(
                rank=result.rank, size=result.group_size, group=escape(past.group_name(locale))
            )
            if result.rank is not None
            else _("not ranked")
        )
        decision = {
            True: _("decided excellent"),
            False: _("not decided excellent"),
            None: _("no decision yet"),
        }[result.excellent]
        pool = _("in the pool") if result.in_pool else _("not in the pool")
        lines.append(
            _("{year}: {points} points, {rank}, {pool}, {decision}").format(
                year=result.year,
                points=points_text(result.total_c),
                rank=rank,
                pool=pool,
                decision=decision,
            )
        )
    return "\n".join(lines)
