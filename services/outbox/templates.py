"""Template messages: what a notice shows when the message itself may not go.

On the WeChat service account a resident can be sent a free-form message only within 48 hours
of their own last message; outside that window only a pre-approved template message reaches
them. A template is configured per notice kind (``LIAISON_WECHAT_TEMPLATES``): its id and, for
each of its keys, the name of the fact that fills it. The notice carries its facts
(:attr:`services.outbox.queue.Outgoing.facts`), plain text in the resident's language:

``case``
    the case number as the resident sees it (``2026-000123``);
``title``
    a short summary: the category and the first words of the report;
``status``
    the case's status as residents read it ("已受理");
``time``
    when it happened, local time in the committee's zone, ``YYYY-MM-DD HH:MM``;
``station``
    the liaison station the case went to;
``text``
    the notice itself as plain text, shortened.

A fact may be missing (a notice about no case has no ``case``): a template naming a missing
fact is not used, and the notice waits for the window like one with no template.

WeChat limits each value by the type its key names (``thing1``: 20 characters,
``character_string2``: 32, ``phrase3``: 5...): a longer value is shortened with "…" here,
since the platform refuses the whole message otherwise.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

# The facts a resident's notice may carry, as documented above.
FACTS = ("case", "title", "status", "time", "station", "text")
# Longest value WeChat takes for a key, by the type its name starts with.
LIMITS: dict[str, int] = {
    "thing": 20,
    "character_string": 32,
    "phrase": 5,
    "number": 32,
    "letter": 32,
    "symbol": 5,
    "amount": 20,
    "car_number": 8,
    "name": 10,
    "phone_number": 17,
    "time": 30,
    "date": 30,
    "const": 20,
}
# A key of no known type (a classic template's "first", "keyword1", "remark").
DEFAULT_LIMIT = 200
TEXT_LIMIT = 200
_KEY_TYPE = re.compile(r"^([a-z_]+?)\d*$")
_TAG = re.compile(r"<[^>]+>")


class TemplateSpec(Protocol):
    """One configured template (``bot.settings.WeChatTemplate`` is one)."""

    @property
    def template_id(self) -> str:
        """The platform's id of the approved template."""
        ...

    @property
    def fields(self) -> Mapping[str, str]:
        """The template's keys, each with the name of the fact that fills it."""
        ...

    @property
    def url(self) -> str | None:
        """Where tapping the message leads, if anywhere."""
        ...


@dataclass(frozen=True)
class TemplateMessage:
    """A template message ready for :class:`bot.channels.budget.TemplateSender`."""

    template_id: str
    data: dict[str, str]
    url: str | None = None


def limit_of(key: str) -> int:
    """The longest value WeChat takes for a template key, by the type its name starts with."""
    match = _KEY_TYPE.match(key)
    if match is None:
        return DEFAULT_LIMIT
    return LIMITS.get(match.group(1), DEFAULT_LIMIT)


def fit(value: str, limit: int) -> str:
    """``value`` on one line, cut to ``limit`` characters with "…" marking the cut."""
    flat = " ".join(value.split())
    return flat if len(flat) <= limit else flat[: max(limit - 1, 0)] + "…"


def plain_text(message_html: str, *, limit: int = TEXT_LIMIT) -> str:
    """A message's HTML as plain text on one line, shortened: the ``text`` fact."""
    return fit(html.unescape(_TAG.sub(" ", message_html)), limit)


def template_message(
    templates: Mapping[str, TemplateSpec], *, kind: str, facts: Mapping[str, str]
) -> TemplateMessage | None:
    """The template message standing in for a notice of ``kind``; None when none can.

    None when no template is configured for the kind, or when it names a fact the notice
    does not have (or has empty): a template with a blank field would say nothing useful.
    """
    spec = templates.get(kind)
    if spec is None:
        return None
    data: dict[str, str] = {}
    for key, fact in spec.fields.items():
        value = facts.get(fact, "").strip()
        if not value:
            return None
        data[key] = fit(value, limit_of(key))
    return TemplateMessage(template_id=spec.template_id, data=data, url=spec.url)
