"""Notices about topics and the plan: a proposer hears the decision, members hear of the plan."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from aiogram.utils.i18n import gettext as _

from handlers.texts import escape, local_time
from services.cases.facts import TITLE_LIMIT
from services.outbox.queue import Outgoing
from services.outbox.templates import fit, plain_text
from storage.enums import TopicState
from storage.models import Topic


class TopicNotices:
    """Topic notices; ``KINDS`` maps a notice kind to the method that renders it."""

    tz: dt.tzinfo

    KINDS: Mapping[str, str] = {
        "topic-decided": "topic_decided",
        "plan-published": "plan_published",
    }

    def topic_decided(self, *, locale: str, topic: Topic, reason: str = "") -> Outgoing:
        """To the proposer: their topic was shortlisted, or declined and why."""
        title = escape(topic.title)
        if topic.state == TopicState.DECLINED:
            text = _(
                "💡 The topic you suggested, “{title}”, was not taken up this time.\n"
                "Reason: {reason}\nThank you for suggesting it."
            ).format(title=title, reason=escape(reason))
        else:
            text = _(
                "💡 The topic you suggested, “{title}”, is on the shortlist for the year's "
                "consultation plan. Thank you."
            ).format(title=title)
        status = _("Declined") if topic.state == TopicState.DECLINED else _("Shortlisted")
        facts = {
            "title": fit(topic.title, TITLE_LIMIT),
            "status": status,
            "time": local_time(topic.updated_at, self.tz),
            "text": plain_text(text),
        }
        return Outgoing(text=text, facts=facts)

    def plan_published(self, *, locale: str, year: int, version: int) -> Outgoing:
        """To every member: the year's consultation plan was published."""
        if version > 1:
            text = _(
                "🗓 The {year} consultation plan was revised and published again. "
                "Send /plan to read it."
            )
        else:
            text = _("🗓 The {year} consultation plan is published. Send /plan to read it.")
        return Outgoing(text=text.format(year=year))
