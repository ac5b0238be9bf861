"""Settings: reminder timings (2d, 3h, 30m; bad values refused), the Bot API server."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from bot.settings import Settings, parse_durations
from services.reminders.settings import ReminderSettings


def test_defaults_are_the_committee_rules() -> None:
    assert Settings().reminders == ReminderSettings(
        meeting_before=(dt.timedelta(days=2), dt.timedelta(hours=2)),
        rate_after=(dt.timedelta(days=7), dt.timedelta(days=3)),
    )


def test_each_timing_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIAISON_MEETING_REMINDERS", "3h, 1d,30m")
    monkeypatch.setenv("LIAISON_MEETING_NUDGE", "12h")
    monkeypatch.setenv("LIAISON_MINIMUM_REMINDER_DAYS", "21,7,1")
    monkeypatch.setenv("LIAISON_RATE_REMINDERS", "2d")
    monkeypatch.setenv("LIAISON_UNASSIGNED_AFTER", "4h")
    monkeypatch.setenv("LIAISON_OVERDUE_STAFF_AFTER", "1d")
    reminders = Settings().reminders
    assert reminders.meeting_before == (
        dt.timedelta(days=1),
        dt.timedelta(hours=3),
        dt.timedelta(minutes=30),
    )
    assert reminders.nudge_before == dt.timedelta(hours=12)
    assert reminders.minimum_days_before_end == (21, 7, 1)
    assert reminders.rate_after == (dt.timedelta(days=2),)
    assert reminders.unassigned_after == dt.timedelta(hours=4)
    assert reminders.overdue_staff_after == dt.timedelta(days=1)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("LIAISON_MEETING_REMINDERS", "2 days"),
        ("LIAISON_MEETING_REMINDERS", "0h"),
        ("LIAISON_RATE_REMINDERS", ""),
        ("LIAISON_UNASSIGNED_AFTER", "24"),
        ("LIAISON_MINIMUM_REMINDER_DAYS", "14,0"),
        ("LIAISON_MINIMUM_REMINDER_DAYS", "x"),
    ],
)
def test_a_bad_timing_stops_the_start(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError):
        Settings()


def test_durations_are_sorted_longest_first() -> None:
    assert parse_durations("30m,2d,1h") == (
        dt.timedelta(days=2),
        dt.timedelta(hours=1),
        dt.timedelta(minutes=30),
    )


def test_the_bot_api_server(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().telegram_api.base == "https://api.telegram.org/bot{token}/{method}"
    monkeypatch.setenv("LIAISON_TELEGRAM_API_URL", "http://127.0.0.1:8081")
    remote = Settings().telegram_api
    assert remote.base.startswith("http://127.0.0.1:8081/") and not remote.is_local
    monkeypatch.setenv("LIAISON_TELEGRAM_API_LOCAL", "true")
    assert Settings().telegram_api.is_local
