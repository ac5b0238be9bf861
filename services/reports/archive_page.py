"""A member's yearly archive as one print-ready HTML page (A4, CJK fonts, no scripts).

Called where :mod:`services.translation` translates into the reader's language; ``locale``
picks the names kept in both languages. Every value from the database is escaped: titles,
summaries and leave reasons are typed by people. The page needs nothing from the network
(no fonts, no scripts), so it prints the same from a browser, a file or an archive folder.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from html import escape

from services.assessment.archive_types import Archive, ArchiveActivity
from services.assessment.attendance import ALL_KINDS
from services.assessment.ranking import points_text
from services.translation import gettext as _

FONTS = '"Noto Serif CJK SC", "Noto Sans CJK SC", serif'
STYLE = f"""
@page {{ size: A4; margin: 18mm 16mm; }}
body {{ font-family: {FONTS}; font-size: 11pt; line-height: 1.5; color: #111;
  max-width: 178mm; margin: 0 auto; padding: 8mm 0; }}
h1 {{ font-size: 18pt; margin: 0 0 2mm; }}
h2 {{ font-size: 13pt; margin: 7mm 0 2mm; border-bottom: 1px solid #444; }}
table {{ width: 100%; border-collapse: collapse; margin: 1mm 0; }}
th, td {{ border: 1px solid #999; padding: 1mm 2mm; text-align: left; vertical-align: top; }}
th {{ background: #eee; }}
td.n {{ text-align: right; white-space: nowrap; }}
.meta {{ color: #333; }}
.empty {{ color: #666; font-style: italic; }}
@media print {{
  body {{ padding: 0; max-width: none; }}
  h2 {{ break-after: avoid; }}
  tr {{ break-inside: avoid; }}
  th {{ -webkit-print-color-adjust: exact; print-color-adjust: exact; }}
}}
"""


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]], numeric: set[int]) -> str:
    """A table of already-escaped cells; ``numeric`` columns align right."""
    body = [
        "<tr>"
        + "".join(
            f'<td class="n">{cell}</td>' if index in numeric else f"<td>{cell}</td>"
            for index, cell in enumerate(row)
        )
        + "</tr>"
        for row in rows
    ]
    if not body:
        return f'<p class="empty">{escape(_("None this year."))}</p>'
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _date(day: dt.date) -> str:
    return day.isoformat()


def _points(value_c: int) -> str:
    return escape(points_text(value_c)) if value_c else "–"


def _state_label(state: str) -> str:
    labels = {
        "open": _("open (figures may still change)"),
        "closed": _("closed"),
        "published": _("published"),
    }
    return labels.get(state, state)


def _attendance_label(attendance: str | None) -> str:
    labels = {
        "attended": _("attended"),
        "excused": _("excused (leave)"),
        "absent": _("absent"),
    }
    return labels.get(attendance or "", _("not yet recorded"))


def _report_label(state: str) -> str:
    labels = {"submitted": _("submitted"), "accepted": _("adopted"), "returned": _("returned")}
    return labels.get(state, state)


def _rating_label(rating: str, withdrawn: bool) -> str:
    if withdrawn:
        return _("withdrawn")
    labels = {
        "excellent": _("excellent"),
        "key": _("key proposal"),
        "excellent_key": _("excellent key proposal"),
    }
    return labels.get(rating, _("not rated"))


def _summary(archive: Archive, locale: str) -> str:
    if archive.rank is not None and archive.group is not None:
        standing = _("Rank {rank} of {size} in {group}.").format(
            rank=archive.rank, size=archive.group_size, group=archive.group.name(locale)
        )
    else:
        standing = _("Not ranked this year.")
    figures = archive.attendance.get(ALL_KINDS)
    attendance = (
        _(
            "Attendance {rate:.0%} ({attended} attended, {excused} excused, {absent} absent)."
        ).format(
            rate=figures.attended_share,
            attended=figures.attended,
            excused=figures.excused,
            absent=figures.absent,
        )
        if figures is not None and figures.invited
        else _("No closed meetings this year.")
    )
    reached = _("{people} person-times reached; paired people reached: {names}.").format(
        people=archive.people_reached, names="、".join(archive.paired_reached) or _("none")
    )
    lines = [
        _("Total: {points} points.").format(points=points_text(archive.total_c)),
        standing,
        attendance,
        reached,
    ]
    if archive.excellent:
        lines.append(_("Decided an excellent member."))
    return "".join(f"<p>{escape(line)}</p>" for line in lines)


def _activity_rows(activities: Sequence[ArchiveActivity], locale: str) -> list[list[str]]:
    return [
        [
            _date(a.occurred_on),
            escape(a.kind.name(locale)),
            escape(a.summary),
            escape(a.place),
            str(a.people_count),
            escape("、".join(a.paired)),
            _points(a.points_c),
        ]
        for a in activities
    ]


def render(archive: Archive, locale: str) -> str:
    """The archive as a complete HTML document in ``locale``."""
    title = _("{year} performance record: {name}").format(
        year=archive.year, name=archive.member_name
    )
    sector = archive.sector.name(locale) if archive.sector else ""
    meta = _("Code {code} · Sector {sector} · Term {term} · Assessment {state}").format(
        code=archive.member_code,
        sector=sector,
        term=archive.term or "–",
        state=_state_label(archive.state),
    )
    activity_head = [_("Date"), _("Kind"), _("Summary"), _("Place"), _("People"),
                     _("Paired people"), _("Points")]  # fmt: skip
    sections = [
        (_("Summary"), _summary(archive, locale)),
        (
            _("Points by item"),
            _table(
                [_("Item"), _("Points")],
                [[escape(i.item.name(locale)), _points(i.points_c)] for i in archive.items],
                {1},
            ),
        ),
        (
            _("Liaison activities"),
            _table(activity_head, _activity_rows(archive.activities, locale), {4, 6}),
        ),
        (
            _("Training and research"),
            _table(activity_head, _activity_rows(archive.studies, locale), {4, 6}),
        ),
        (
            _("Meetings"),
            _table(
                [
                    _("Date"),
                    _("Meeting"),
                    _("Kind"),
                    _("Attendance"),
                    _("Leave reason"),
                    _("Points"),
                ],
                [
                    [
                        _date(m.starts_on),
                        escape(m.title),
                        escape(m.kind.name(locale)),
                        escape(_attendance_label(m.attendance)),
                        escape(m.leave_reason),
                        _points(m.points_c),
                    ]
                    for m in archive.meetings
                ],
                {5},
            ),
        ),
        (
            _("Social-conditions reports"),
            _table(
                [_("Date"), _("Title"), _("Outcome"), _("Note"), _("Points")],
                [
                    [
                        _date(r.submitted_on),
                        escape(r.title),
                        escape(_report_label(r.state)),
                        escape(r.note),
                        _points(r.points_c),
                    ]
                    for r in archive.reports
                ],
                {4},
            ),
        ),
        (
            _("Proposals"),
            _table(
                [_("Number"), _("Date"), _("Title"), _("Role"), _("Rating"), _("Points")],
                [
                    [
                        escape(p.number),
                        _date(p.submitted_on),
                        escape(p.title),
                        escape(_("lead proposer") if p.lead else _("co-signer")),
                        escape(_rating_label(p.rating, p.withdrawn)),
                        _points(p.points_c),
                    ]
                    for p in archive.proposals
                ],
                {5},
            ),
        ),
        (
            _("Recorded by the office"),
            _table(
                [_("Date"), _("Item"), _("Title"), _("Level"), _("Reference"), _("Points")],
                [
                    [
                        _date(e.occurred_on),
                        escape(e.item.name(locale)),
                        escape(e.title),
                        escape(e.level),
                        escape(e.reference),
                        _points(e.points_c),
                    ]
                    for e in archive.entries
                ],
                {5},
            ),
        ),
        (
            _("The six ones"),
            _table(
                [_("Item"), _("Done")],
                [
                    [escape(one.name(locale)), escape(_("yes") if done else _("no"))]
                    for one, done in archive.six_ones
                ],
                set(),
            ),
        ),
    ]
    body = "".join(f"<h2>{escape(heading)}</h2>{content}" for heading, content in sections)
    footer = _("Rules version {version}.").format(version=archive.rules_version)
    lang = "zh-CN" if locale.startswith("zh") else "en"
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>"
        f'<h1>{escape(title)}</h1><p class="meta">{escape(meta)}</p>{body}'
        f'<p class="meta">{escape(footer)}</p></body></html>'
    )


def refusal_page(message: str, locale: str) -> str:
    """A short page saying why an archive link does not open (expired or not genuine)."""
    lang = "zh-CN" if locale.startswith("zh") else "en"
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{escape(message)}</title><style>{STYLE}</style></head>"
        f"<body><p>{escape(message)}</p></body></html>"
    )
