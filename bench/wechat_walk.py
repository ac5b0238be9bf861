"""The residents of ``bench/wechat.py``: the report flow on the service account, and its cost.

A WeChat resident walks the flow step by step: it posts one callback, then waits until the
message the step must bring (the passive reply or a customer-service message) was recorded
for it, and reads the menu link it taps next from what it received. What the account spent is
read from the fake's records: every message recorded for a resident between one of its
callbacks and the next belongs to that step, which is how WeChat counts too (each message a
person sends renews the count). The same flow on Telegram is in ``bench/wechat_telegram.py``.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fakes.wechat_server import FakeWeChat, Sent
from fakes.wechat_user import WeChatUser, menu_token

SYLLABLES = ("ba", "ko", "mi", "tu", "re", "sa", "no", "li", "fe", "da", "gu", "ho", "pe", "vi")
PHOTO = b"\xff\xd8\xff\xe0 bench photo of the fire lane"
LATITUDE, LONGITUDE = 38.49, 106.24
CASE_NUMBER = re.compile(r"\b\d{4}-\d{6}\b")
# The step whose answer carries the case number: the report is complete once it arrived.
SUBMIT = "submit"
MY_ISSUES = "my issues"


@dataclass(frozen=True)
class Step:
    """One thing a resident does, and a fragment of the answer it waits for."""

    name: str
    kind: str  # "event", "say", "tap", "photo", "location"
    value: str
    expect: str


# The report flow as a resident walks it on either channel, then one read of "my issues".
FLOW = (
    Step("start", "event", "subscribe", "Welcome"),
    Step("report", "say", "📝 Report an issue", "Step 1 of 6"),
    Step("station", "tap", "Bei'an", "Step 2 of 6"),
    Step("category", "tap", "Parking", "Step 3 of 6"),
    Step("text", "say", "", "Step 4 of 6"),
    Step("photo", "photo", "", "Photo 1 of 3 added."),
    Step("photos done", "tap", "Done", "Step 5 of 6"),
    Step("location", "location", "", "Step 6 of 6"),
    Step("contact", "tap", "anonymous", "Please check your report"),
    Step(SUBMIT, "tap", "Submit", "Your case number is"),
    Step(MY_ISSUES, "say", "📋 My issues", "My issues:"),
)
REPORT_STEPS = len(FLOW) - 1


def description(rng: random.Random) -> str:
    """A report text of made-up words, so that no two reports look alike.

    Alike texts at one station and category would bring the "is it one of these?" card
    (``services.cases.lookalike``) and a step the Telegram baseline does not take.
    """
    words = ("".join(rng.choices(SYLLABLES, k=4)) for _ in range(10))
    return " ".join(words).capitalize() + "."


class StepError(Exception):
    """A step's answer never came, or a menu link the flow needs was missing."""


class CountingWeChat(FakeWeChat):
    """The fake WeChat server, with what it recorded indexed by person and waitable per person.

    ``FakeWeChat.sent_to`` scans every record; at fifty callbacks a second for half a minute
    that scan, repeated by every waiting resident on every record, would cost the load
    generator more than the app it measures.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.by_person: dict[str, list[Sent]] = defaultdict(list)
        self._person_changed: dict[str, asyncio.Event] = defaultdict(asyncio.Event)

    def record(self, item: Sent) -> None:
        """Note a message sent, and wake whoever waits for its recipient."""
        super().record(item)
        self.by_person[item.openid].append(item)
        self._person_changed[item.openid].set()

    async def wait_for_person(
        self, openid: str, check: Callable[[list[Sent]], bool], *, timeout: float
    ) -> None:
        """Wait until ``check`` holds on what ``openid`` received, woken by its records only."""
        changed = self._person_changed[openid]
        async with asyncio.timeout(timeout):
            while not check(self.by_person[openid]):
                changed.clear()
                await changed.wait()

    def refused_sends(self) -> int:
        """Customer-service sends the fake refused (45015, 45047): calls less messages recorded."""
        calls = sum(1 for name, _ in self.calls if name == "custom_send")
        accepted = sum(1 for item in self.sent if not item.passive and item.kind != "template")
        return calls - accepted


@dataclass
class Resident:
    """A person on the service account walking the flow; its steps' costs as it goes."""

    user: WeChatUser
    msg_ids: itertools.count[int]
    description: str
    step: int = 0
    # Index into the person's records where the current step began.
    mark: int = 0
    case_number: str | None = None
    # Per step walked: (name, customer-service messages, passive replies, templates).
    costs: list[tuple[str, int, int, int]] = field(default_factory=list)

    @property
    def fake(self) -> CountingWeChat:
        """The server the person talks to."""
        fake = self.user.fake
        assert isinstance(fake, CountingWeChat)
        return fake

    @property
    def done(self) -> bool:
        """Whether the whole flow was walked."""
        return self.step >= len(FLOW)

    def close_step(self) -> None:
        """Count what the person received since the current step began, as that step's cost."""
        if self.step == 0:
            return
        received = self.fake.by_person[self.user.openid][self.mark :]
        cs = sum(1 for item in received if not item.passive and item.kind != "template")
        passive = sum(1 for item in received if item.passive)
        templates = sum(1 for item in received if item.kind == "template")
        self.costs.append((FLOW[self.step - 1].name, cs, passive, templates))

    async def send(self) -> bool:
        """Post the next step's callback; whether its answer carried the passive reply.

        WeChat is answered "success" (or nothing) when the app's deadline passed: the reply
        then follows as customer-service messages.
        """
        self.close_step()
        step = FLOW[self.step]
        self.mark = len(self.fake.by_person[self.user.openid])
        status, text = await self.user.post(self._body(step))
        if status != 200:
            raise StepError(f"{self.user.openid} {step.name}: HTTP {status}")
        return text not in ("", "success")

    async def settle(self, timeout: float) -> None:
        """Wait for the answer the step must bring; then the person may take the next one."""
        step = FLOW[self.step]
        openid = self.user.openid

        def arrived(received: list[Sent]) -> bool:
            return any(step.expect in item.text for item in received[self.mark :])

        try:
            await self.fake.wait_for_person(openid, arrived, timeout=timeout)
        except TimeoutError:
            last = [item.text[:80] for item in self.fake.by_person[openid][self.mark :]]
            raise StepError(f"{openid} {step.name}: no {step.expect!r} in {last}") from None
        if step.name == SUBMIT:
            for item in self.fake.by_person[openid][self.mark :]:
                if match := CASE_NUMBER.search(item.text):
                    self.case_number = match.group()
        self.step += 1

    def _body(self, step: Step) -> dict[str, Any]:
        user, msg_id = self.user, next(self.msg_ids)
        if step.kind == "event":
            return user.message("event", Event=step.value, EventKey="")
        if step.kind == "say":
            text = step.value or self.description
            return user.message("text", Content=text, MsgId=msg_id)
        if step.kind == "photo":
            media_id = self.fake.add_media(PHOTO)
            return user.message("image", PicUrl="http://x/p.jpg", MediaId=media_id, MsgId=msg_id)
        if step.kind == "location":
            return user.message(
                "location",
                Location_X=LATITUDE,
                Location_Y=LONGITUDE,
                Scale=15,
                Label="gate 3",
                MsgId=msg_id,
            )
        token = self._menu_token(step.value)
        return user.message("text", Content=step.value, bizmsgmenuid=token, MsgId=msg_id)

    def _menu_token(self, label: str) -> str:
        # The newest message carrying the link: a step may answer in more than one message.
        for item in reversed(self.fake.by_person[self.user.openid]):
            try:
                return menu_token(item.text, label)
            except AssertionError:
                continue
        raise StepError(f"{self.user.openid}: no menu link {label!r} received")


def wechat_costs(residents: list[Resident]) -> dict[str, Any]:
    """Customer-service messages per completed report, and the most any one step spent."""
    reports = [resident for resident in residents if resident.case_number is not None]
    per_report = [
        sum(cs for name, cs, _, _ in resident.costs if name != MY_ISSUES) for resident in reports
    ]
    passive = [
        sum(p for name, _, p, _ in resident.costs if name != MY_ISSUES) for resident in reports
    ]
    per_step: dict[str, int] = {}
    for resident in residents:
        for name, cs, _, _ in resident.costs:
            per_step[name] = max(per_step.get(name, 0), cs)
    steps = [cs for resident in residents for _, cs, _, _ in resident.costs]
    templates = sum(t for resident in residents for _, _, _, t in resident.costs)
    return {
        "reports_completed": len(reports),
        "distinct_case_numbers": len({resident.case_number for resident in reports}),
        "cs_messages_per_report": mean(per_report),
        "cs_messages_per_report_max": max(per_report, default=0),
        "passive_replies_per_report": mean(passive),
        "max_cs_per_step": max(per_step.values(), default=0),
        # Over every step walked, finished flows or not: a figure even when few reports end.
        "cs_per_step_mean": round(sum(steps) / len(steps), 3) if steps else None,
        "cs_per_step_max": per_step,
        "template_messages": templates,
    }


def mean(values: list[int]) -> float | None:
    """The mean, to two places; None for no values."""
    return round(sum(values) / len(values), 2) if values else None
