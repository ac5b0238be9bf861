"""Words of the proposals desk: shelves, states, the card, and refusals of its services."""

from __future__ import annotations

import datetime as dt

from aiogram.utils.i18n import gettext as _

from handlers.texts import escape, local_date, local_time, shorten
from services.errors import DomainError
from services.proposals.review import split_review_note
from services.proposals.staff_views import ProposalCard
from services.translation import N_
from storage.models import Department, Sector

SHELF_LABELS = {
    "review": N_("📥 To review ({count})"),
    "unassigned": N_("🗂 Registered, not assigned ({count})"),
    "assigned": N_("🏢 With departments ({count})"),
    "overdue": N_("⏰ Overdue ({count})"),
    "answered": N_("💬 Answered, awaiting rating ({count})"),
    "closed": N_("📁 Closed ({count})"),
}
STATE_NAMES = {
    "submitted": N_("submitted, awaiting review"),
    "registered": N_("registered"),
    "not_registered": N_("not registered"),
    "assigned": N_("with departments"),
    "answered": N_("answered, awaiting the member's rating"),
    "rehandling": N_("handled again"),
    "closed": N_("closed"),
}
ADOPTIONS = {
    "adopted": N_("adopted"),
    "partly": N_("partly adopted"),
    "explained": N_("explained, not adopted"),
}
SATISFACTION = {
    "satisfied": N_("satisfied"),
    "basic": N_("basically satisfied"),
    "unsatisfied": N_("not satisfied"),
}
MARKS = {
    "": N_("none"),
    "excellent": N_("excellent"),
    "key": N_("key"),
    "excellent_key": N_("excellent and key"),
}
REFUSALS = {
    "out_of_scope": N_("Proposals are handled by the committee office's administrators."),
    "proposal_not_found": N_("This proposal is not available."),
    "proposal_not_submitted": N_("This proposal was decided already."),
    "proposal_reason_length": N_("Please write a reason of {minimum} to {maximum} characters."),
    "department_unknown": N_("That department is not available."),
    "pipeline_lead_missing": N_("Choose the lead department first."),
    "proposal_not_assignable": N_("Only a registered proposal can be assigned."),
    "proposal_answered_already": N_(
        "A department has answered already: the assignment can no longer be changed."
    ),
    "proposal_due_past": N_("The due date must lie in the future."),
    "proposal_no_suggestions": N_("This proposal has no suggestions to assign."),
    "proposal_not_registered": N_("Only a registered proposal can be marked or published."),
    "proposal_withdrawn": N_("This proposal was withdrawn."),
    "proposal_no_author": N_("This proposal has no member author to file a report for."),
    "year_closed": N_("The assessment of {year} is closed: marks can no longer change."),
}


def refusal(error: DomainError) -> str:
    """The localized sentence for a refusal of the desk's services."""
    template = REFUSALS.get(error.code)
    if template is None:
        return _("This proposal is not available.")
    return _(template).format(**error.params)


def stale_text() -> str:
    """A press on a card drawn for another state."""
    return _("This card is out of date: the proposal moved on. Here it is now.")


def named(thing: Department | Sector, locale: str) -> str:
    """A department's or sector's name in the reader's language."""
    return thing.name_zh if locale.startswith("zh") else thing.name_en


def _head(card: ProposalCard, locale: str) -> list[str]:
    p = card.proposal
    number = p.number or _("no number yet")
    lines = [
        f"<b>{escape(number)}</b> · {escape(p.title)}",
        _("State: {state}").format(state=_(STATE_NAMES.get(p.state, p.state))),
    ]
    if card.sector is not None:
        by = _("sector {sector}").format(sector=escape(named(card.sector, locale)))
        if card.author is not None:
            by += f" ({escape(card.author.name)})"
    else:
        by = escape(card.member.name) if card.member is not None else "?"
    lines.append(_("By: {who}").format(who=by))
    if card.cosigners:
        names = "、".join(
            escape(m.name) + ("" if state == "confirmed" else f" ({escape(state)})")
            for m, state in card.cosigners
        )
        lines.append(_("Co-signed by: {names}").format(names=names))
    return lines


def render_card(card: ProposalCard, *, locale: str, tz: dt.tzinfo, now: dt.datetime) -> str:
    """The whole card as HTML, user text escaped."""
    p = card.proposal
    lines = _head(card, locale)
    if p.situation:
        lines.append(f"<blockquote>{escape(shorten(p.situation, 600))}</blockquote>")
    if p.state == "not_registered":
        reason, _kind, _ident = split_review_note(p.review_note)
        lines.append(_("Not registered: {reason}").format(reason=escape(reason)))
    if card.departments:
        names = "、".join(
            escape(named(d, locale)) + (_(" (lead)") if lead else "")
            for d, lead in card.departments
        )
        lines.append(_("Departments: {names}").format(names=names))
    if p.due_at is not None:
        late = _(" · overdue") if p.due_at < now and p.state in ("assigned", "rehandling") else ""
        lines.append(_("Due: {date}").format(date=local_date(p.due_at, tz)) + late)
    for item in card.items:
        s = item.suggestion
        lines.append(f"\n<b>{s.position}.</b> {escape(shorten(s.text, 300))}")
        for view in item.handlings:
            h = view.handling
            if h.answered_at is None:
                lines.append(
                    _("  · {department}: waiting").format(
                        department=escape(named(view.department, locale))
                    )
                )
            else:
                lines.append(
                    _("  · {department} ({adoption}): {answer}").format(
                        department=escape(named(view.department, locale)),
                        adoption=_(ADOPTIONS.get(h.adoption or "", "-")),
                        answer=escape(shorten(h.answer or "", 200)),
                    )
                )
    if p.satisfaction:
        lines.append(
            _("Member's rating: {rating}").format(
                rating=_(SATISFACTION.get(p.satisfaction, p.satisfaction))
            )
        )
    lines.append(_("Year-end mark: {mark}").format(mark=_(MARKS.get(p.rating, p.rating))))
    lines.append(_("On the published list: yes") if p.public else _("On the published list: no"))
    if card.face_meetings:
        lines.append(_("Face-to-face meetings: {count}").format(count=len(card.face_meetings)))
    if card.timeline:
        last = card.timeline[-1]
        lines.append(_("Last move: {when}").format(when=local_time(last.created_at, tz)))
    return "\n".join(lines)
