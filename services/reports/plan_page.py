"""The published consultation plan as a public page: what the committee will consult on.

A visitor reads the year's published plan: each planned topic's month, title, lead special
committee, form, and whether it is a key or a long-running topic. Nothing about who proposed
a topic. A plan changed since publication is not shown until published again, so the page
never shows a draft. A plain HTML page without scripts, in the visitor's language; every
value is escaped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from sqlalchemy.ext.asyncio import AsyncSession

from services.reports.handling_page import STYLE
from services.topics.plan import published_plan, published_topics
from services.translation import gettext as _

# Where the web server serves the page; the station card links to it.
PLAN_PATH = "/plan"


def plan_link(base_url: str, year: int, locale: str) -> str:
    """The page's address for ``year`` and a reader of ``locale``."""
    return f"{base_url.rstrip('/')}{PLAN_PATH}/{year}?lang={locale}"


@dataclass(frozen=True)
class PublicPlanEntry:
    """One planned topic as the page shows it."""

    month: int
    title: str
    description: str
    committee_zh: str
    committee_en: str
    form: str
    key: bool
    long_running: bool


@dataclass(frozen=True)
class PublicPlan:
    """The year's published plan."""

    year: int
    version: int
    published_at: dt.datetime | None
    entries: tuple[PublicPlanEntry, ...]


async def public_plan(session: AsyncSession, *, year: int) -> PublicPlan | None:
    """The year's plan if it stands published, else None."""
    plan = await published_plan(session, year=year)
    if plan is None:
        return None
    entries = tuple(
        PublicPlanEntry(
            month=p.item.month,
            title=p.topic.title,
            description=p.topic.description,
            committee_zh=p.committee.name_zh,
            committee_en=p.committee.name_en,
            form=p.item.form,
            key=p.item.key,
            long_running=p.topic.long_running,
        )
        for p in await published_topics(session, year=year)
    )
    return PublicPlan(year, plan.version, plan.published_at, entries)


def render_plan(
    plan: PublicPlan | None, *, year: int, locale: str, form_names: dict[str, str]
) -> str:
    """The page of ``year``; ``form_names`` names each consultation form in ``locale``."""
    title = _("Consultation plan {year}").format(year=year)
    if plan is None:
        nothing = _("The {year} consultation plan is not published yet.").format(year=year)
        body = f'<p class="empty">{escape(nothing)}</p>'
    else:
        rows = []
        for entry in plan.entries:
            committee = entry.committee_en if locale == "en" else entry.committee_zh
            marks = []
            if entry.key:
                marks.append(_("key topic"))
            if entry.long_running:
                marks.append(_("long-running topic"))
            mark = f' <span class="meta">({escape(", ".join(marks))})</span>' if marks else ""
            month = _("Month {month}").format(month=entry.month)
            rows.append(
                f"<section><h2>{escape(month)} · {escape(entry.title)}{mark}</h2>"
                f'<p class="meta">{escape(committee)} · '
                f"{escape(form_names.get(entry.form, entry.form))}</p>"
                + (f"<p>{escape(entry.description)}</p>" if entry.description else "")
                + "</section>"
            )
        version = _("Version {version}").format(version=plan.version)
        body = f'<p class="meta">{escape(version)}</p>' + "".join(rows)
    lang = "zh-CN" if locale.startswith("zh") else "en"
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>"
        f"<h1>{escape(title)}</h1>{body}</body></html>"
    )


def form_names_of(kinds: Sequence[tuple[str, str, str]], locale: str) -> dict[str, str]:
    """Each (code, name_zh, name_en) kind's name in ``locale``."""
    return {code: name_en if locale == "en" else name_zh for code, name_zh, name_en in kinds}
