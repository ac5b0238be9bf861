"""How outcomes read on the administrators' desk: the cards, and the refusals' words."""

from __future__ import annotations

import datetime as dt

from aiogram.utils.i18n import gettext as _

from handlers.notices.outcomes import (
    adoption_name,
    department_name,
    recipient_name,
)
from handlers.texts import escape, local_time, shorten
from services.errors import DomainError
from services.outcomes.feedback import SuggestionEnd
from services.outcomes.views import OutcomeCard
from services.reports.pipeline_labels import stage_label


def source_line(card: OutcomeCard, tz: dt.tzinfo) -> str:
    """Where the outcome came from."""
    if card.meeting is not None:
        return _("From the meeting: {title} ({when})").format(
            title=escape(card.meeting.title), when=local_time(card.meeting.starts_at, tz)
        )
    if card.report is not None:
        return _("From the social-conditions report: {title}").format(
            title=escape(card.report.title)
        )
    return _("From a research report of {date}").format(date=card.research_on or "—")


def outcome_text(card: OutcomeCard, *, tz: dt.tzinfo) -> str:
    """An outcome's card: its origin, topic, members, cases and its suggestions' stages."""
    o = card.outcome
    lines = [
        _("<b>Outcome {number}</b> · {title}").format(number=o.number, title=escape(o.title)),
        source_line(card, tz),
    ]
    if o.topic:
        lines.append(_("Long-running topic: {topic}").format(topic=escape(o.topic)))
    if o.key:
        lines.append(_("⭐ Key outcome"))
    names = ", ".join(m.name for m in card.members) or "—"
    lines.append(_("Members who took part: {names}").format(names=escape(names)))
    if card.cases:
        cases = ", ".join(f"{c.issue.number}{' ✓' if c.told else ''}" for c in card.cases)
        lines.append(_("Residents' cases: {cases}").format(cases=cases))
    for end in card.ends:
        lines.append(
            f"{end.suggestion.position}. [{stage_label(end.suggestion.stage)}] "
            f"{escape(shorten(end.suggestion.text, 80))}"
        )
    return "\n".join(lines)


def suggestion_text(card: OutcomeCard, end: SuggestionEnd, *, locale: str, tz: dt.tzinfo) -> str:
    """A suggestion's card: its stage and what each stage recorded."""
    s = end.suggestion
    lines = [
        _("<b>Outcome {number}</b>, suggestion {position}").format(
            number=card.outcome.number, position=s.position
        ),
        f"<blockquote>{escape(s.text)}</blockquote>",
        _("Stage: {stage} (since {when})").format(
            stage=stage_label(s.stage), when=local_time(s.stage_at, tz)
        ),
    ]
    if s.submitted_to:
        lines.append(_("Submitted to {recipient}").format(recipient=recipient_name(s.submitted_to)))
    if s.review_by and s.review_on:
        lines.append(
            _("Instruction of {who} on {date}: {text}").format(
                who=escape(s.review_by),
                date=s.review_on.isoformat(),
                text=escape(s.review_text or ""),
            )
        )
    if s.due_at is not None:
        lines.append(_("Due: {when}").format(when=local_time(s.due_at, tz)))
    for answer in end.answers:
        h = answer.handling
        state = adoption_name(h.adoption) if h.answered_at else _("no answer yet")
        lines.append(
            f"· {escape(department_name(answer.department, locale))}"
            f"{_(' (lead)') if h.lead else ''}: {state}"
            + (f" — {escape(shorten(h.answer or '', 200))}" if h.answered_at else "")
        )
    if end.feedback:
        lines.append(_("Feedback: {text}").format(text=escape(end.feedback)))
    if s.lookback_on:
        lines.append(_("Look back on {date}").format(date=s.lookback_on.isoformat()))
    undo = [line for line in card.timeline if line.suggestion_id == s.id and line.kind == "undo"]
    if undo:
        lines.append(
            _("Last undone: {reason}").format(reason=escape(shorten(undo[-1].body or "", 120)))
        )
    return "\n".join(lines)


def unavailable() -> str:
    """An outcome that is unknown, or not for this chat."""
    return _("This outcome is not available.")


def admins_only() -> str:
    """Outcomes are for the office's administrators."""
    return _("Consultation outcomes are for the committee office's administrators.")


def error_text(error: DomainError) -> str:
    """A refusal in the reader's language."""
    params = dict(error.params)
    texts = {
        "outcome_stage_stale": _(
            "This card is out of date: the suggestion is at «{stage}» now. Here it is."
        ),
        "outcome_stage_skipped": _("A suggestion moves one stage at a time."),
        "outcome_move_by_departments": _(
            "The departments' answers move a suggestion to handled; staff cannot."
        ),
        "outcome_nothing_to_undo": _("There is no move to undo."),
        "outcome_undo_answered": _(
            "A department has answered already: the assignment cannot be undone."
        ),
        "outcome_undo_reason": _("Please write a reason of 2 to {maximum} characters."),
        "outcome_reviewer_length": _(
            "Please write who gave the instruction (2 to {maximum} characters)."
        ),
        "outcome_review_length": _("Please write the instruction (2 to {maximum} characters)."),
        "outcome_review_date": _("Please write a date that is not in the future, like 2026-11-18."),
        "outcome_feedback_length": _("Please write the feedback (2 to {maximum} characters)."),
        "outcome_due_past": _("The due date must be after today."),
        "outcome_department_unknown": _("This department is not available."),
        "pipeline_lead_missing": _("Please choose the lead department."),
        "outcome_title_length": _("Please write a title of 2 to {maximum} characters."),
        "outcome_topic_length": _("Please write a topic of at most {maximum} characters."),
        "outcome_suggestion_length": _("Each suggestion may be at most {maximum} characters."),
        "outcome_suggestions_count": _("Please give 1 to {maximum} suggestions."),
        "outcome_case_unknown": _("There is no case {number}."),
        "outcome_meeting_unknown": _("This meeting is not available."),
        "outcome_report_unknown": _("This report is not available."),
        "outcome_research_date": _(
            "Please write a date that is not in the future, like 2026-11-18."
        ),
    }
    text = texts.get(error.code)
    if text is None:
        return unavailable()
    if "stage" in params:
        params = {**params, "stage": stage_label(str(params["stage"]))}
    return text.format(**{k: escape(str(v)) for k, v in params.items()})
