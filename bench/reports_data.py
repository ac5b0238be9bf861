"""The cases ``bench/reports.py`` loads, and what every statistic must say of them.

100,000 cases (by default) from 2025-01-01 to "now" (2026-12-20, noon in Shanghai): stations
and categories unevenly busy, weekdays busier, about 3 % merged duplicates and 4 % not
accepted; the rest answered after a lognormal delay (median three days), 85 % resolved a few
days later, 2 % of those reopened; cases too young for their answer still new, accepted or
assigned; about half of the answered ones rated, mostly well. While generating, the expected
figures of this quarter and this year, and the size of the triage queue, are counted.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from services.reports.cases import Period
from storage.enums import IssueStatus
from storage.models import IssueCategory

TZ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 12, 20, 4, 0, tzinfo=dt.UTC)
FIRST = dt.datetime(2024, 12, 31, 16, 0, tzinfo=dt.UTC)  # 2025-01-01 in Shanghai
PERIODS = {
    "quarter": Period(dt.date(2026, 10, 1), dt.date(2027, 1, 1)),
    "year": Period.of_year(2026),
}
DAY = 86400.0

STATION_WEIGHTS = (30, 20, 15, 12, 10, 8, 5)
CATEGORY_WEIGHTS = {
    "parking": 20,
    "property": 18,
    "facilities": 14,
    "environment": 12,
    "childcare": 4,
    "education": 5,
    "health": 6,
    "elderly": 7,
    "food": 3,
    "jobs": 5,
    "other": 6,
}
RATING_WEIGHTS = (7, 8, 15, 25, 45)  # 1 to 5 stars
DESCRIPTIONS = (
    "小区门口违停严重，早晚高峰车辆无法通行。",
    "The street lights on the east lane have been out for two weeks.",
    "物业费上涨但服务没有改善，希望有关部门协调。",
    "Rubbish piles up behind the market every weekend.",
    "幼儿园入园难，希望增加普惠性学位。",
)


# --- the cases and what they must add up to ---------------------------------------------------


@dataclass
class Expected:
    """What one period's statistics must show, counted while the cases are generated."""

    period: Period
    statuses: Counter[str] = field(default_factory=Counter)
    stations: Counter[int] = field(default_factory=Counter)
    categories: Counter[int] = field(default_factory=Counter)
    answers: list[float] = field(default_factory=list)
    resolutions: list[float] = field(default_factory=list)
    on_time: int = 0
    late: int = 0
    overdue: int = 0
    ratings: Counter[int] = field(default_factory=Counter)
    solved: Counter[bool] = field(default_factory=Counter)

    def add(self, row: dict[str, Any]) -> None:
        """Count one case."""
        self.statuses[row["status"]] += 1
        self.stations[row["station_id"]] += 1
        self.categories[row["category_id"]] += 1
        if row["status"] == IssueStatus.DUPLICATE:
            return
        created, answered, due = row["created_at"], row["answered_at"], row["due_at"]
        if answered is not None:
            self.answers.append((answered - created).total_seconds())
            if answered <= due:
                self.on_time += 1
            else:
                self.late += 1
        elif due < NOW:
            self.overdue += 1
        if row["resolved_at"] is not None:
            self.resolutions.append((row["resolved_at"] - created).total_seconds())
        if row["rating"] is not None:
            self.ratings[row["rating"]] += 1
        if row["solved"] is not None:
            self.solved[row["solved"]] += 1


@dataclass
class Generated:
    """Expected figures by period, and the size of the triage queue."""

    periods: dict[str, Expected]
    waiting: int = 0
    waiting_at: Counter[int] = field(default_factory=Counter)


def _weighted(rng: random.Random, cumulative: list[float]) -> int:
    return bisect.bisect(cumulative, rng.random() * cumulative[-1])


def _cumulative(weights: Any) -> list[float]:
    total, result = 0.0, []
    for weight in weights:
        total += weight
        result.append(total)
    return result


def issue_rows(
    count: int, stations: list[int], categories: dict[str, IssueCategory], members: int, seed: int
) -> tuple[list[dict[str, Any]], Generated]:
    """Every case, in the order received, and what the statistics must say of them."""
    rng = random.Random(seed)
    span = (NOW - FIRST).total_seconds()
    moments: list[dt.datetime] = []
    while len(moments) < count:
        moment = FIRST + dt.timedelta(seconds=int(rng.random() * span))
        if moment.astimezone(TZ).weekday() < 5 or rng.random() < 0.4:
            moments.append(moment)
    moments.sort()
    station_cum = _cumulative(STATION_WEIGHTS[: len(stations)])
    codes = [code for code in CATEGORY_WEIGHTS if code in categories]
    category_cum = _cumulative(CATEGORY_WEIGHTS[code] for code in codes)
    rating_cum = _cumulative(RATING_WEIGHTS)
    generated = Generated({name: Expected(period) for name, period in PERIODS.items()})
    bounds = {name: period.bounds(TZ) for name, period in PERIODS.items()}
    numbers: Counter[int] = Counter()
    rows = []
    for index, created in enumerate(moments, start=1):
        category = categories[codes[_weighted(rng, category_cum)]]
        year = created.astimezone(TZ).year
        numbers[year] += 1
        row: dict[str, Any] = {
            "id": index,
            "number": f"{year}-{numbers[year]:06d}",
            "station_id": stations[_weighted(rng, station_cum)],
            "category_id": category.id,
            "description": rng.choice(DESCRIPTIONS),
            "channel": "web" if rng.random() < 0.15 else "telegram",
            "anonymous": rng.random() < 0.6,
            "created_at": created,
            "due_at": created + dt.timedelta(days=category.due_days),
            "assignee_member_id": None,
            "duplicate_of_id": None,
            "answered_at": None,
            "resolved_at": None,
            "rating": None,
            "solved": None,
            "rated_at": None,
        }
        _fate(row, rng, rating_cum, members, index)
        stamps = [row[key] for key in ("created_at", "answered_at", "resolved_at", "rated_at")]
        row["updated_at"] = max(stamp for stamp in stamps if stamp is not None)
        rows.append(row)
        for name, (start, end) in bounds.items():
            if start <= created < end:
                generated.periods[name].add(row)
        status = row["status"]
        unassigned = row["assignee_member_id"] is None
        if status in ("new", "reopened") or (status == "accepted" and unassigned):
            generated.waiting += 1
            generated.waiting_at[row["station_id"]] += 1
    return rows, generated


def _fate(
    row: dict[str, Any], rng: random.Random, rating_cum: list[float], members: int, index: int
) -> None:
    """Where a case stands at ``NOW``: its answer, resolution, rating and status."""
    created: dt.datetime = row["created_at"]
    roll = rng.random()
    if roll < 0.03 and index > 1:
        row["status"] = IssueStatus.DUPLICATE
        row["duplicate_of_id"] = rng.randrange(1, index)
        row["answered_at"] = _at(created, rng.uniform(0.05, 1.0), NOW)
        return
    if roll < 0.07:
        answered = _at(created, rng.uniform(0.2, 3.0), NOW)
        row["answered_at"] = answered
        row["status"] = IssueStatus.REJECTED if answered else IssueStatus.NEW
        return
    answer_days = rng.lognormvariate(math.log(3.0), 0.9)
    answered = _at(created, answer_days, NOW)
    if answered is None:
        age = (NOW - created).total_seconds() / DAY
        pick = rng.random()
        if age < 1 or pick < 0.1:
            row["status"] = IssueStatus.NEW
        elif pick < 0.3:
            row["status"] = IssueStatus.ACCEPTED
        else:
            row["status"] = IssueStatus.ASSIGNED
            row["assignee_member_id"] = rng.randrange(1, members + 1)
        return
    row["answered_at"] = answered
    row["status"] = IssueStatus.ANSWERED
    if rng.random() < 0.85:
        resolved = _at(answered, rng.lognormvariate(math.log(4.0), 0.7), NOW)
        if resolved is not None:
            row["resolved_at"] = resolved
            row["status"] = IssueStatus.RESOLVED
    if rng.random() < 0.55:
        rated = _at(row["resolved_at"] or answered, rng.uniform(0.1, 7.0), NOW)
        if rated is not None:
            stars = _weighted(rng, rating_cum) + 1
            row["rating"], row["rated_at"] = stars, rated
            if rng.random() < 0.8:
                row["solved"] = rng.random() < (0.85 if stars >= 4 else 0.3)
    if row["status"] == IssueStatus.RESOLVED and rng.random() < 0.02:
        row["status"], row["resolved_at"] = IssueStatus.REOPENED, None


def _at(start: dt.datetime, days: float, limit: dt.datetime) -> dt.datetime | None:
    """``days`` after ``start`` to the second, or None when that is after ``limit``."""
    moment = start + dt.timedelta(seconds=round(days * DAY))
    return moment if moment <= limit else None
