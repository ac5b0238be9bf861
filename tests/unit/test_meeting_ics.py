"""The meeting's .ics file opens in calendar apps: RFC 5545 lines, a stable UID, UTC times."""

from __future__ import annotations

import datetime as dt

from icalendar import Calendar

from services.meetings.invitations import ics
from storage.models import Meeting

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
CREATED = dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC)
STARTS = dt.datetime(2026, 11, 20, 14, 30, tzinfo=SHANGHAI)


def meeting(**extra: object) -> Meeting:
    values: dict[str, object] = {
        "id": 17,
        "kind": "bimonthly",
        "title": "双月协商座谈会：老旧小区加装电梯的资金分摊、业主意见征集与后续维护责任的落实",
        "starts_at": STARTS,
        "ends_at": STARTS + dt.timedelta(hours=2),
        "venue": "Committee hall, 3rd floor; room 301",
        "agenda": "1. Opening\n2. Residents' views, then the departments answer",
        "checkin_code": "123456",
        "checkin_token": "t" * 24,
        "created_at": CREATED,
    }
    values.update(extra)
    return Meeting.model_validate(values)


def test_long_lines_are_folded_at_75_octets() -> None:
    text = ics(meeting())
    lines = text.split("\r\n")
    assert text.endswith("END:VCALENDAR\r\n") and lines[-1] == ""
    assert all(len(line.encode()) <= 75 for line in lines)
    # The long Chinese title needed folding: continuation lines start with a space.
    assert any(line.startswith(" ") for line in lines)
    event = Calendar.from_ical(text).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == meeting().title
    assert str(event["LOCATION"]) == "Committee hall, 3rd floor; room 301"
    assert str(event["DESCRIPTION"]).splitlines()[1].startswith("2. Residents'")


def test_what_calendar_apps_need() -> None:
    text = ics(meeting())
    event = Calendar.from_ical(text).walk("VEVENT")[0]
    assert str(event["UID"]) == "meeting-17@liaison-bot"
    assert event.decoded("DTSTAMP") == CREATED
    assert event.decoded("SEQUENCE") == 0
    # Times travel in UTC ("Z"), so every app shows the committee's 14:30 in its own zone.
    assert "DTSTART:20261120T063000Z" in text and "DTEND:20261120T083000Z" in text
    assert event.decoded("DTSTART") == STARTS
    assert "VERSION:2.0" in text and "PRODID:" in text


def test_a_cancelled_meeting_supersedes_the_invitation() -> None:
    event = Calendar.from_ical(ics(meeting(cancelled_at=CREATED))).walk("VEVENT")[0]
    assert event.decoded("SEQUENCE") == 1 and str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == "meeting-17@liaison-bot"
