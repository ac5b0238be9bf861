"""Reminders of proposals and outcome suggestions: to departments, administrators, members.

Each says why it came and opens what to act on: a department's reminder opens its open item,
a look back opens the look back card, a member's rating request carries the three ratings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from aiogram.utils.i18n import gettext as _

from handlers.notices.buttons import Button, button
from handlers.pipeline_callbacks import HandlingCB, OutcomeCB, ProposalCB
from handlers.texts import escape, local_date
from services.outbox.queue import Outgoing
from services.pipeline.chase import ChaseList
from services.pipeline.lookback import LookbackItem
from services.pipeline.quality import QualityItem
from services.pipeline.versions import proposal_version
from services.reference.catalog import display_name
from services.reminders.pipeline import HandlingDue
from services.reports.pipeline_labels import stage_label
from storage.enums import Satisfaction
from storage.models import Department, Proposal

# The chase list names this many of each kind in the chat; the office has the full lists.
SHOWN = 10


def satisfaction_label(value: str) -> str:
    """A rating of handling, in words."""
    labels: dict[str, str] = {
        Satisfaction.SATISFIED: _("😊 Satisfied"),
        Satisfaction.BASIC: _("🙂 Basically satisfied"),
        Satisfaction.UNSATISFIED: _("🙁 Not satisfied"),
    }
    return labels.get(value, value)


def rating_buttons(action: str, kind: str, item_id: int, prefix: str = "") -> list[list[Button]]:
    """One button per rating, each carrying the value (after ``prefix``) in ``v``."""
    return [
        [
            button(
                satisfaction_label(value),
                OutcomeCB(action=action, kind=kind, id=item_id, v=f"{prefix}{value}"),
            )
        ]
        for value in Satisfaction
    ]


def _item_name(kind: str, number: str, title: str) -> str:
    if kind == "p":
        return _("proposal {number} “{title}”").format(number=number, title=escape(title))
    return _("outcome suggestion {number} “{title}”").format(number=number, title=escape(title))


class PipelineReminderNotices:
    """Pipeline reminders; ``tz`` is the committee's time zone."""

    tz: dt.tzinfo
    KINDS: Mapping[str, str] = {
        "pipeline-due-soon": "pipeline_due_soon",
        "pipeline-overdue": "pipeline_overdue",
        "pipeline-chase": "pipeline_chase",
        "pipeline-rate-remind": "pipeline_rate_remind",
        "pipeline-lookback-due": "pipeline_lookback_due",
        "pipeline-lookback-rate": "pipeline_lookback_rate",
        "pipeline-quality-rate": "pipeline_quality_rate",
    }

    def _to_department(self, text: str, item: HandlingDue) -> Outgoing:
        why = _("You receive this because your department handles it.")
        return Outgoing(text=f"{text}\n{why}", buttons=self._open_item(item))

    def _open_item(self, item: HandlingDue) -> list[list[Button]]:
        return [[button(_("Open the item"), HandlingCB(action="open", kind=item.kind, id=item.id))]]

    def pipeline_due_soon(self, *, locale: str, item: HandlingDue) -> Outgoing:
        """To a department's handlers: an answer is due within days."""
        text = _("⏳ Your answer on {item} is due on {date}.").format(
            item=_item_name(item.kind, item.number, item.title),
            date=local_date(item.due_at, self.tz),
        )
        return self._to_department(text, item)

    def pipeline_overdue(self, *, locale: str, item: HandlingDue) -> Outgoing:
        """To a department's handlers: the due date has passed."""
        text = _(
            "⚠️ Your answer on {item} was due on {date} and is overdue. Please answer, "
            "or ask for more time."
        ).format(
            item=_item_name(item.kind, item.number, item.title),
            date=local_date(item.due_at, self.tz),
        )
        return self._to_department(text, item)

    def pipeline_chase(self, *, locale: str, chase: ChaseList, period: int, year: int) -> Outgoing:
        """To administrators as a chase period opens: what is stuck and who is late."""
        lines = [_("📋 Chase list, period {period} of {year}.").format(period=period, year=year)]
        if chase.empty:
            lines.append(_("Nothing is stuck and no department is late."))
        if chase.stuck:
            lines.append(
                _("<b>Outcome suggestions stuck: {count}</b>").format(count=len(chase.stuck))
            )
            lines += [
                _("• {number}-{position}: {stage} since {date}").format(
                    number=row.number,
                    position=row.position,
                    stage=stage_label(row.stage),
                    date=local_date(row.stage_at, self.tz),
                )
                for row in chase.stuck[:SHOWN]
            ]
        if chase.waiting:
            lines.append(
                _("<b>Proposals waiting for the office: {count}</b>").format(
                    count=len(chase.waiting)
                )
            )
            lines += [
                _("• {name}: {state} since {date}").format(
                    name=escape(row.number or row.title),
                    state=stage_label(row.state),
                    date=local_date(row.since, self.tz),
                )
                for row in chase.waiting[:SHOWN]
            ]
        if chase.departments:
            lines.append(
                _("<b>Departments past their due date: {count}</b>").format(
                    count=len(chase.departments)
                )
            )
            lines += [
                _(
                    "• {name}: {proposals} proposals, {suggestions} suggestions, oldest due {date}"
                ).format(
                    name=escape(row.name_en if locale == "en" else row.name_zh),
                    proposals=row.proposals,
                    suggestions=row.suggestions,
                    date=local_date(row.oldest_due, self.tz),
                )
                for row in chase.departments[:SHOWN]
            ]
        lines.append(_("You receive this as an administrator, as each chase period opens."))
        return Outgoing(text="\n".join(lines))

    def pipeline_rate_remind(self, *, locale: str, proposal: Proposal) -> Outgoing:
        """To the proposing member: the answer waits for their rating."""
        assert proposal.id is not None
        text = _(
            "⭐ Proposal {number} “{title}” was answered. Please rate how it was handled: "
            "your rating closes it, or sends it back once for re-handling."
        ).format(number=proposal.number or "", title=escape(proposal.title))
        rate = ProposalCB(action="rate", id=proposal.id, v=proposal_version(proposal))
        return Outgoing(text=text, buttons=[[button(_("⭐ Rate the handling"), rate)]])

    def pipeline_lookback_due(self, *, locale: str, item: LookbackItem) -> Outgoing:
        """To the lead department: a look back has come due."""
        text = "\n".join(
            (
                _(
                    "🔁 Look back on {item}: it was handled a while ago. Please confirm whether "
                    "the measure still holds, with a short note."
                ).format(item=_item_name(item.kind, item.number, item.title)),
                _("You receive this because your department led the handling."),
            )
        )
        opens = OutcomeCB(action="lookback", kind=item.kind, id=item.id, v="due")
        return Outgoing(text=text, buttons=[[button(_("Open the look back"), opens)]])

    def pipeline_lookback_rate(
        self, *, locale: str, item: LookbackItem, holds: bool, note: str
    ) -> Outgoing:
        """To the members who took part: the department's word, and their rating again."""
        said = _("The measure still holds.") if holds else _("The measure no longer holds.")
        text = "\n".join(
            (
                _("🔁 Look back on {item}. The department says: {said}").format(
                    item=_item_name(item.kind, item.number, item.title), said=said
                ),
                f"<blockquote>{escape(note)}</blockquote>",
                _("How satisfied are you with it now?"),
            )
        )
        return Outgoing(text=text, buttons=rating_buttons("lbrate", item.kind, item.id))

    def pipeline_quality_rate(
        self, *, locale: str, item: QualityItem, department: Department
    ) -> Outgoing:
        """To a member who took part: rate one department's handling of a key item."""
        text = "\n".join(
            (
                _("🏅 Quality evaluation of {item}: how did {department} handle it?").format(
                    item=_item_name(item.kind, item.number, item.title),
                    department=escape(display_name(department, locale)),
                ),
                _("You receive this because you took part in it."),
            )
        )
        return Outgoing(
            text=text,
            buttons=rating_buttons("qrate", item.kind, item.id, prefix=f"{item.department_id}."),
        )
