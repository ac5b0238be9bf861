"""The simulated year, drawn from one seed: the people, the cases, the meetings, the faults.

Everything here is decided before the app starts, from ``random.Random(seed)`` alone, so two
runs with the same seed (on one topology or another) ask the app the same things: the counts
that do not depend on timing (cases reported, routed, answered, rated, reopened, members'
activities, meeting answers, broadcasts) must come out the same.

Rhythms. A case's moment is drawn from a daily profile (quiet at night, a morning and an
evening peak) and a weekly one (weekends at 60 %). About 20 % of reports carry a photo, 30 % a
location, 5 % repeat an earlier open case at the same station in the same category in almost
the same words (the app may offer "me too"). Station staff (a few desks per station) look at a
case after 1 to 30 bot hours (5 % wait past the 24-hour reminder); 45 % go to a department, 40
% to a member serving at the station, both with seven days to answer, 15 % get the office's own
answer. Assignees answer within their due date (70 %), 7.3 to 10.5 days after the assignment
(12 %: late, or past the staff's escalation two days after the due date), only after the
overdue reminder (8 %), ask for more time (5 %) or hand the case back (5 %). 60 % of answered
residents rate; one rating in ten says "not solved" and reopens the case. Members log an
activity in a quarter (85 %), only after the minimum reminder (10 %) or never (5 %); they
answer meeting invitations at once (80 %: attend or ask for leave) or only after the nudge, and
those attending check in.

Not driven yet: the broadcast moments are drawn but no staff member sends them (the broadcast
dialog is not walked, so "broadcasts delivered exactly once" holds over zero broadcasts), and
the cases meant for the web chat (``Case.web``) are reported on Telegram.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

LOCAL = dt.timezone(dt.timedelta(hours=8))
STATIONS = (
    ("xq-jingde", "Jingde Street"),
    ("xq-fengming", "Fengming Jiayuan"),
    ("xq-mancun", "Mancun New Village"),
    ("jf-beian", "Bei'an"),
    ("jf-yuehai", "Yuehai Wanjia"),
    ("jf-tianxiachuan", "Jingneng Tianxiachuan"),
    ("xx-university", "Xixia University"),
)
CATEGORIES = (
    "Parking and traffic",
    "Property management",
    "Public facilities",
    "Sanitation and pollution",
    "Kindergartens and childcare",
    "Education",
    "Health care",
    "Elderly care",
    "Food and drug safety",
    "Jobs and social security",
)
DEPARTMENTS = (
    ("housing", "Housing and Urban"),
    ("traffic-police", "Traffic Police"),
    ("education", "Education Bureau"),
    ("health", "Health Commission"),
    ("civil-affairs", "Civil Affairs"),
    ("market-regulation", "Market Regulation"),
    ("ecology", "Ecology and Environment"),
    ("hr-social-security", "Human Resources and Social"),
)
# Imported by the office (``liaison departments import``): more departments share the load, as
# in a real city, and keep each handler's chat under Telegram's one message a second.
EXTRA_DEPARTMENTS = tuple(
    (f"district-{number}", f"District Office {number}") for number in range(1, 9)
)
SECTORS = ("education", "medicine", "economy", "culture", "welfare", "sci-tech", "women", "cdl")
GROUPS = ("standing", "local", "local", "local", "nonlocal", "hkmo")
MEETING_KINDS = ("plenary", "standing", "bimonthly", "thematic", "sector", "talk-it-over")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建文"
PLACES = ("gate 3", "building 12", "the east entrance", "the market", "block B", "the school")
PROBLEMS = (
    "the street lamp has been broken for a week",
    "cars block the fire lane every night",
    "rubbish is not collected on time",
    "the water pipe leaks into the stairwell",
    "the playground slide is cracked",
    "noise from the construction site after 10 pm",
)
HOUR_WEIGHTS = (1, 1, 1, 1, 1, 2, 4, 8, 12, 14, 13, 10, 8, 10, 12, 12, 11, 10, 9, 10, 9, 7, 4, 2)


@dataclass(frozen=True)
class Member:
    """One member of the roster, and how they keep their duties."""

    code: str
    name: str
    sector: str
    group: str
    station: str
    chat_id: int
    diligence: str  # "prompt", "reminded", "never"


@dataclass(frozen=True)
class Case:
    """One resident's report and everything that will happen to it."""

    index: int
    at: dt.datetime
    resident_chat: int
    station: int
    category: int
    text: str
    photo: bool
    location: tuple[float, float] | None
    web: bool  # meant for the web chat; reported on Telegram until that driver exists
    triage_delay: dt.timedelta
    route: str  # "department", "member", "office"
    department: int
    assignee_member: int  # index into the roster; staff pick among the station's members
    behaviour: str  # "on-time", "late", "after-reminder", "more-time", "hand-back"
    answer_delay: dt.timedelta
    rating: int | None
    reopen: bool


@dataclass(frozen=True)
class Meeting:
    """A meeting set up by the office, and when its invitees answer."""

    index: int
    kind: str
    start: dt.datetime
    title: str


@dataclass
class Scenario:
    """The whole simulated period."""

    seed: int
    start: dt.datetime
    end: dt.datetime
    last_case_at: dt.datetime
    members: list[Member] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    meetings: list[Meeting] = field(default_factory=list)
    broadcasts: list[dt.datetime] = field(default_factory=list)
    staff_chats: dict[int, list[int]] = field(default_factory=dict)
    department_chats: dict[str, list[int]] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        """What the scenario asks for, by kind: the same for every topology."""
        return {
            "cases": len(self.cases),
            "web_chat_cases_reported_on_telegram": sum(case.web for case in self.cases),
            "members": len(self.members),
            "meetings": len(self.meetings),
            "broadcasts": len(self.broadcasts),
        }


# The office's administrator ("liaison staff add"), who sends the broadcasts.
ADMIN_CHAT = 990_001
ADMIN_NAME = "王芳"


def member_roster(rng: random.Random, count: int) -> list[Member]:
    """``count`` members with unique names, spread over sectors, groups and stations."""
    names: set[str] = set()
    members = []
    for index in range(count):
        while True:
            name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=2))
            if name not in names:
                names.add(name)
                break
        diligence = rng.choices(("prompt", "reminded", "never"), (85, 10, 5))[0]
        members.append(
            Member(
                code=f"CY{index + 1:04d}",
                name=name,
                sector=SECTORS[index % len(SECTORS)],
                group=rng.choice(GROUPS),
                station=STATIONS[index % len(STATIONS)][0],
                chat_id=2_000_000 + index,
                diligence=diligence,
            )
        )
    return members


def case_moments(
    rng: random.Random, start: dt.datetime, days: int, count: int
) -> list[dt.datetime]:
    """``count`` moments over ``days`` local days with daily and weekly rhythms, sorted."""
    day_weights = [
        0.6 if (start + dt.timedelta(days=day)).astimezone(LOCAL).weekday() >= 5 else 1.0
        for day in range(days)
    ]
    moments = []
    for day, hour in zip(
        rng.choices(range(days), day_weights, k=count),
        rng.choices(range(24), HOUR_WEIGHTS, k=count),
        strict=True,
    ):
        offset = dt.timedelta(days=day, hours=hour, seconds=rng.randrange(3600))
        moments.append(start + offset)
    return sorted(moments)


def draw_cases(
    rng: random.Random, moments: list[dt.datetime], members: list[Member], residents: int
) -> list[Case]:
    """One case per moment; a few repeat an earlier one in almost the same words."""
    cases: list[Case] = []
    for index, moment in enumerate(moments):
        station, category = rng.randrange(len(STATIONS)), rng.randrange(len(CATEGORIES))
        text = f"At {rng.choice(PLACES)}, {rng.choice(PROBLEMS)} (report {index + 1})."
        if cases and rng.random() < 0.05:
            earlier = cases[rng.randrange(max(0, len(cases) - 50), len(cases))]
            station, category = earlier.station, earlier.category
            text = earlier.text.replace("(report", "(again, report")
        behaviour = rng.choices(
            ("on-time", "late", "after-reminder", "more-time", "hand-back"), (70, 12, 8, 5, 5)
        )[0]
        late = behaviour in ("late", "after-reminder")
        served = [i for i, m in enumerate(members) if m.station == STATIONS[station][0]]
        rated = rng.random() < 0.6
        cases.append(
            Case(
                index=index,
                at=moment,
                resident_chat=1_000_000 + rng.randrange(residents),
                station=station,
                category=category,
                text=text,
                photo=rng.random() < 0.2,
                location=(39.9 + rng.random() / 50, 116.4 + rng.random() / 50)
                if rng.random() < 0.3
                else None,
                web=rng.random() < 0.1,
                triage_delay=dt.timedelta(
                    hours=rng.choices((1, 2, 4, 8, 12, 20, 30), (20, 20, 20, 15, 10, 10, 5))[0]
                ),
                route=rng.choices(("department", "member", "office"), (45, 40, 15))[0],
                department=rng.randrange(len(DEPARTMENTS) + len(EXTRA_DEPARTMENTS)),
                assignee_member=rng.choice(served) if served else 0,
                behaviour=behaviour,
                answer_delay=dt.timedelta(
                    days=rng.uniform(11, 13) if late else rng.uniform(0.2, 6)
                ),
                rating=rng.choices((5, 4, 3, 2, 1), (40, 30, 15, 10, 5))[0] if rated else None,
                reopen=rated and rng.random() < 0.1,
            )
        )
    return cases


def build(seed: int, *, scale: str, cases: int, members: int) -> Scenario:
    """The scenario for a year (2026) or a month (March 2026, a quarter's end included)."""
    rng = random.Random(seed)
    if scale == "year":
        start, days, meetings, broadcasts = dt.datetime(2026, 1, 1, tzinfo=LOCAL), 365, 60, 12
    else:
        start, days, meetings, broadcasts = dt.datetime(2026, 3, 1, tzinfo=LOCAL), 31, 5, 2
    case_days = max(1, days - 18)  # every case can be due, late and escalated before the end
    roster = member_roster(rng, members)
    per_station = max(1, min(8, cases // 250))
    moments = case_moments(rng, start, case_days, cases)
    scenario = Scenario(
        seed=seed,
        start=start,
        end=start + dt.timedelta(days=days),
        last_case_at=moments[-1] if moments else start,
        members=roster,
        cases=draw_cases(rng, moments, roster, max(1, cases // 3)),
        staff_chats={
            station: [900_000 + 100 * station + desk for desk in range(per_station)]
            for station in range(len(STATIONS))
        },
        department_chats={
            code: [300_000 + number]
            for number, (code, _name) in enumerate(DEPARTMENTS + EXTRA_DEPARTMENTS)
        },
    )
    for index in range(meetings):
        day = start + dt.timedelta(days=7 + (index + 0.5) * (days - 10) / meetings)
        moment = day.replace(hour=14, minute=30, second=0, microsecond=0)
        kind = MEETING_KINDS[index % len(MEETING_KINDS)]
        # Two digits: "meeting 1" must not name "meeting 13" too when a member looks for it.
        title = f"{kind} meeting {index + 1:02d}"
        scenario.meetings.append(Meeting(index, kind, moment, title))
    for index in range(broadcasts):
        day = start + dt.timedelta(days=(index + 0.3) * days / broadcasts)
        scenario.broadcasts.append(day.replace(hour=10, minute=0, second=0, microsecond=0))
    return scenario
