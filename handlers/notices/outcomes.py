"""Notices about consultation outcomes, and the words for their stages, recipients, adoption.

Departments hear of a suggestion assigned to them; the members who took part hear of the
feedback; a resident whose case fed an outcome hears how it ended, with buttons to rate it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from aiogram.utils.i18n import gettext as _

from handlers.notices.buttons import button
from handlers.pipeline_callbacks import HandlingCB, OutcomeCB
from handlers.texts import escape, local_time, shorten
from handlers.timeline import stars
from services.outbox.queue import Outgoing
from services.outcomes.feedback import SuggestionEnd
from storage.enums import Stage
from storage.models import Department, Handling, Issue, Outcome, Suggestion


def recipient_name(recipient: str | None) -> str:
    """Where suggestions are submitted."""
    return {
        "party_committee": _("the party committee"),
        "government": _("the government"),
        "department": _("the departments"),
    }.get(recipient or "", recipient or "—")


def adoption_name(adoption: str | None) -> str:
    """How far a department adopted a suggestion."""
    return {
        "adopted": _("adopted in full"),
        "partly": _("partly adopted"),
        "explained": _("explained, not adopted"),
    }.get(adoption or "", _("no answer yet"))


def department_name(department: Department, locale: str) -> str:
    """A department's name in the reader's language."""
    return department.name_zh if locale.startswith("zh") else department.name_en


def ended_lines(ends: Sequence[SuggestionEnd], locale: str) -> list[str]:
    """Each suggestion: what the departments answered, how far adopted, and the feedback."""
    lines: list[str] = []
    for end in ends:
        lines.append(
            f"<b>{end.suggestion.position}.</b> {escape(shorten(end.suggestion.text, 200))}"
        )
        for answer in end.answers:
            if answer.handling.answered_at is None:
                continue
            lines.append(
                _("{department} ({adoption}): {answer}").format(
                    department=escape(department_name(answer.department, locale)),
                    adoption=adoption_name(answer.handling.adoption),
                    answer=escape(shorten(answer.handling.answer or "", 300)),
                )
            )
        if end.feedback:
            lines.append(_("Feedback: {text}").format(text=escape(shorten(end.feedback, 300))))
    return lines


class OutcomeNotices:
    """Outcome notices; ``KINDS`` maps a notice kind to the method that renders it."""

    tz: dt.tzinfo
    KINDS: Mapping[str, str] = {
        "outcome-assigned": "outcome_assigned",
        "outcome-fed-back": "outcome_fed_back",
        "outcome-told": "outcome_told",
    }

    def outcome_assigned(
        self, *, locale: str, outcome: Outcome, suggestion: Suggestion, handling: Handling
    ) -> Outgoing:
        """To a department: a suggestion of an outcome is assigned to it, with its due date."""
        assert suggestion.id is not None
        role = _("lead department") if handling.lead else _("co-department")
        text = "\n".join(
            [
                _(
                    "📌 Outcome {number} «{title}»: suggestion {position} is assigned to you "
                    "({role}), due {due}."
                ).format(
                    number=outcome.number,
                    title=escape(outcome.title),
                    position=suggestion.position,
                    role=role,
                    due=local_time(handling.due_at, self.tz),
                ),
                f"<blockquote>{escape(shorten(suggestion.text, 600))}</blockquote>",
                _("You receive this because your department handles this suggestion."),
            ]
        )
        data = HandlingCB(action="open", kind="s", id=suggestion.id, v=Stage.ASSIGNED)
        return Outgoing(text=text, buttons=[[button(_("Open to answer"), data)]])

    def outcome_fed_back(self, *, locale: str, outcome: Outcome, end: SuggestionEnd) -> Outgoing:
        """To a member who took part: a suggestion of the outcome was fed back."""
        lines = [
            _("📣 Outcome {number} «{title}»: suggestion {position} was fed back.").format(
                number=outcome.number,
                title=escape(outcome.title),
                position=end.suggestion.position,
            ),
            *ended_lines([end], locale),
            _("You receive this because you took part in the consultation it came from."),
        ]
        return Outgoing(text="\n".join(lines))

    def outcome_told(
        self, *, locale: str, outcome: Outcome, issue: Issue, ends: Sequence[SuggestionEnd]
    ) -> Outgoing:
        """To a resident: how the consultation their case fed ended; rate it."""
        assert outcome.id is not None
        lines = [
            _(
                "📣 Your case {case} fed the consultation «{title}» ({number}). "
                "Here is what was decided and by whom:"
            ).format(case=issue.number, title=escape(outcome.title), number=outcome.number),
            *ended_lines(ends, locale),
            _("How satisfied are you with how it ended? Tap the stars."),
            _("You receive this because your case was taken into this consultation."),
        ]
        row = [
            button(stars(count), OutcomeCB(action="rate", kind="o", id=outcome.id, v=str(count)))
            for count in range(1, 6)
        ]
        return Outgoing(text="\n".join(lines), buttons=[row[:3], row[3:]])
