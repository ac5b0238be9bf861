"""The published handling list: public proposals, each item's answer and the member's rating.

What is public. The office publishes a proposal by marking it public (``Proposal.public``);
then every item of it is shown, because the list shows "each proposal's items with the
department's answer", and an item read alone, without its siblings, misleads.
``Suggestion.public`` is the flag of outcomes' suggestions, which have no proposal to carry
the choice, and is not read here. Only registered proposals are shown: a public flag left
on a draft or a refused proposal publishes nothing.

What a visitor reads. The number, the title, the proposing member's name and sector (or the
sector, for a sector's proposal), each item with its lead department's standing answer and
how far it was adopted, and the member's satisfaction. Nothing else about people: not the
situation text, not the member's reasons, not co-signers, not who answered.

A plain HTML page without scripts, in the visitor's language; every value is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from html import escape

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import col

from services.reports.pipeline_labels import adoption_label, department_name, satisfaction_label
from services.translation import gettext as _
from storage.enums import REGISTERED_PROPOSAL_STATES
from storage.models import Department, Handling, Member, Proposal, Sector, Suggestion

# Where the web server serves the page; the station card links to it.
HANDLING_PATH = "/handling"


def handling_link(base_url: str, locale: str) -> str:
    """The page's address for a reader of ``locale`` (``base_url`` is ``LIAISON_PUBLIC_URL``)."""
    return f"{base_url.rstrip('/')}{HANDLING_PATH}?lang={locale}"


@dataclass(frozen=True)
class PublicItem:
    """One item and its lead department's standing answer, if there is one yet."""

    position: int
    text: str
    department_zh: str | None = None
    department_en: str | None = None
    answer: str | None = None
    adoption: str | None = None


@dataclass(frozen=True)
class PublicProposal:
    """A public proposal as the page shows it."""

    number: str
    title: str
    proposer: str | None
    sector_zh: str
    sector_en: str
    satisfaction: str | None
    items: tuple[PublicItem, ...]


def _registered() -> list[str]:
    return [str(state) for state in REGISTERED_PROPOSAL_STATES]


async def published_years(session: AsyncSession) -> list[int]:
    """The years that have a public proposal, most recent first."""
    query = (
        select(col(Proposal.year))
        .where(col(Proposal.public).is_(True), col(Proposal.state).in_(_registered()))
        .group_by(col(Proposal.year))
        .order_by(col(Proposal.year).desc())
    )
    return list((await session.execute(query)).scalars())


async def public_proposals(session: AsyncSession, *, year: int) -> list[PublicProposal]:
    """The year's public, registered proposals by number, with their items and answers."""
    sector = aliased(Sector)
    query = (
        select(
            col(Proposal.id),
            col(Proposal.number),
            col(Proposal.title),
            col(Member.name),
            col(sector.name_zh),
            col(sector.name_en),
            col(Proposal.satisfaction),
        )
        .outerjoin(Member, col(Member.id) == col(Proposal.member_id))
        .outerjoin(
            sector,
            col(sector.id) == func.coalesce(col(Proposal.sector_id), col(Member.sector_id)),
        )
        .where(
            col(Proposal.year) == year,
            col(Proposal.public).is_(True),
            col(Proposal.state).in_(_registered()),
        )
        .order_by(col(Proposal.number), col(Proposal.id))
    )
    heads = list(await session.execute(query))
    ids = [row[0] for row in heads]
    items: dict[int, list[tuple[int, int, str]]] = {}
    answers: dict[int, tuple[int, PublicItem]] = {}
    if ids:
        rows = await session.execute(
            select(
                col(Suggestion.id),
                col(Suggestion.proposal_id),
                col(Suggestion.position),
                col(Suggestion.text),
            ).where(col(Suggestion.proposal_id).in_(ids))
        )
        for sid, pid, position, text in rows:
            items.setdefault(pid or 0, []).append((position, sid or 0, text))
        handled = await session.execute(
            select(
                col(Handling.suggestion_id),
                col(Handling.round),
                col(Department.name_zh),
                col(Department.name_en),
                col(Handling.answer),
                col(Handling.adoption),
            )
            .join(Department, col(Department.id) == col(Handling.department_id))
            .join(Suggestion, col(Suggestion.id) == col(Handling.suggestion_id))
            .where(
                col(Suggestion.proposal_id).in_(ids),
                col(Handling.lead).is_(True),
                col(Handling.answered_at).is_not(None),
            )
        )
        for sid, round_, name_zh, name_en, answer, adoption in handled:
            # The latest round's answer stands.
            if sid not in answers or answers[sid][0] < round_:
                answers[sid] = (round_, PublicItem(0, "", name_zh, name_en, answer, adoption))
    found = []
    for pid, number, title, proposer, sector_zh, sector_en, satisfaction in heads:
        shown = []
        for position, sid, text in sorted(items.get(pid or 0, [])):
            answered = answers.get(sid)
            blank = PublicItem(position, text)
            shown.append(
                blank if answered is None else replace(answered[1], position=position, text=text)
            )
        found.append(
            PublicProposal(
                number or "",
                title,
                proposer,
                sector_zh or "",
                sector_en or "",
                satisfaction,
                tuple(shown),
            )
        )
    return found


STYLE = """
body { font-family: "Noto Sans CJK SC", "PingFang SC", sans-serif; line-height: 1.55;
  color: #111; max-width: 46rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.1rem; margin: 1.6rem 0 .3rem; }
nav a { margin-right: .8rem; } .meta { color: #444; margin: 0 0 .4rem; }
ol { padding-left: 1.4rem; } li { margin: .5rem 0; }
.answer { margin: .2rem 0 0; padding: .3rem .6rem; border-left: 3px solid #999; }
.empty { color: #666; font-style: italic; }
"""


def _item_html(item: PublicItem, locale: str) -> str:
    if item.answer is None:
        waiting = _("Being handled.")
        answer = f'<p class="answer empty">{escape(waiting)}</p>'
    else:
        department = department_name(item.department_zh or "", item.department_en or "", locale)
        line = _("{department} · {adoption}").format(
            department=department, adoption=adoption_label(item.adoption)
        )
        answer = (
            f'<div class="answer"><p class="meta">{escape(line)}</p>'
            f"<p>{escape(item.answer)}</p></div>"
        )
    return f'<li value="{item.position}">{escape(item.text)}{answer}</li>'


def render(
    proposals: Sequence[PublicProposal], *, year: int, years: Sequence[int], locale: str
) -> str:
    """The page of ``year``: every public proposal, and links to the other published years."""
    title = _("Proposals and how they were handled, {year}").format(year=year)
    links = " ".join(
        f'<a href="?year={y}&amp;lang={escape(locale)}">{y}</a>' for y in years if y != year
    )
    sections = []
    for p in proposals:
        sector = p.sector_en if locale == "en" and p.sector_en else p.sector_zh
        by = (
            _("Proposed by {name} ({sector})").format(name=p.proposer, sector=sector)
            if p.proposer
            else _("Proposed by the sector {sector}").format(sector=sector)
        )
        rated = _("Member's rating of the handling: {rating}").format(
            rating=satisfaction_label(p.satisfaction)
        )
        items = "".join(_item_html(item, locale) for item in p.items)
        sections.append(
            f"<section><h2>{escape(p.number)} {escape(p.title)}</h2>"
            f'<p class="meta">{escape(by)}</p><ol>{items}</ol>'
            f'<p class="meta">{escape(rated)}</p></section>'
        )
    nothing = _("Nothing is published yet.")
    body = "".join(sections) or f'<p class="empty">{escape(nothing)}</p>'
    lang = "zh-CN" if locale.startswith("zh") else "en"
    nav = f"<nav>{links}</nav>" if links else ""
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>"
        f"<h1>{escape(title)}</h1>{nav}{body}</body></html>"
    )
