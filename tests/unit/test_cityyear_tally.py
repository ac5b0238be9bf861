"""The city-year's reminder rule: on time within the planner's slack, or after an outage."""

from __future__ import annotations

import datetime as dt

from bench.cityyear_run import outage_windows
from bench.cityyear_tally import reminder_deadline

DUE = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)
SLACK = dt.timedelta(hours=1)


def test_without_an_outage_the_slack_is_the_deadline() -> None:
    assert reminder_deadline(DUE, SLACK, []) == DUE + SLACK


def test_a_reminder_due_while_no_worker_ran_counts_from_its_return() -> None:
    outage = (DUE - dt.timedelta(hours=5), DUE + dt.timedelta(hours=10))
    assert reminder_deadline(DUE, SLACK, [outage]) == outage[1] + SLACK


def test_an_outage_starting_within_the_slack_also_moves_the_deadline() -> None:
    outage = (DUE + dt.timedelta(minutes=30), DUE + dt.timedelta(hours=3))
    assert reminder_deadline(DUE, SLACK, [outage]) == outage[1] + SLACK


def test_an_outage_elsewhere_changes_nothing() -> None:
    before = (DUE - dt.timedelta(days=2), DUE - dt.timedelta(days=1))
    after = (DUE + dt.timedelta(days=1), DUE + dt.timedelta(days=2))
    assert reminder_deadline(DUE, SLACK, [before, after]) == DUE + SLACK


def test_only_a_lone_workers_kill_is_an_outage() -> None:
    report = {"fault": "worker killed", "restart_seconds": 6.0, "at": "2026-03-10T20:00+08:00"}
    storm = {"fault": "429 storm", "at": "2026-03-09T19:50+08:00"}
    ((start, end),) = outage_windows([report, storm], speed=10_000, workers=1)
    assert end - start == dt.timedelta(seconds=60_000)
    assert start < dt.datetime.fromisoformat(report["at"]) < end
    assert outage_windows([report], speed=10_000, workers=3) == []
