"""The scaled clock: one calendar for every worker given the same start, speed and origin."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from bot.settings import Settings
from services.clock import ScaledClock, ShiftedClock, SystemClock

START = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
ORIGIN = dt.datetime(2030, 6, 1, 12, tzinfo=dt.UTC)


def test_the_scaled_clock_runs_speed_times_faster_from_its_origin() -> None:
    with time_machine.travel(ORIGIN, tick=False) as traveller:
        clock = ScaledClock(START, speed=3600, origin=ORIGIN)
        assert clock.now() == START
        traveller.shift(dt.timedelta(seconds=2))
        assert clock.now() == START + dt.timedelta(hours=2)


def test_two_workers_with_the_same_settings_read_the_same_time() -> None:
    with time_machine.travel(ORIGIN + dt.timedelta(seconds=10), tick=False):
        first = ScaledClock(START, speed=100, origin=ORIGIN)
        second = ScaledClock(START, speed=100, origin=ORIGIN)
        assert first.now() == second.now() == START + dt.timedelta(seconds=1000)


def test_settings_choose_the_clock() -> None:
    assert isinstance(Settings(_env_file=None, clock_start=None).clock(), SystemClock)
    assert isinstance(Settings(_env_file=None, clock_start=START).clock(), ShiftedClock)
    scaled = Settings(_env_file=None, clock_start=START, clock_speed=50, clock_origin=ORIGIN)
    assert isinstance(scaled.clock(), ScaledClock)
    with pytest.raises(ValueError, match="clock_speed needs clock_start"):
        Settings(_env_file=None, clock_start=None, clock_speed=50).clock()


def test_an_origin_without_an_offset_is_refused() -> None:
    with pytest.raises(ValueError, match="clock_origin needs a UTC offset"):
        Settings(_env_file=None, clock_origin=dt.datetime(2030, 1, 1))
