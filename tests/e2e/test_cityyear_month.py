"""A month of the city committee through the real app: ``bench/cityyear.py --scale month``.

The benchmark runs as a subprocess (it starts ``liaison run`` itself, against the in-repo fake
Bot API, on SQLite, with a worker killed mid-delivery and a 429 storm during the month, at a
clock speed this machine keeps up with, so the planner keeps its period), and its
JSON is judged on the invariants that hold whatever the machine's speed: the cases that reached
the app fall in exactly one of the three shares (summing to 100 %), no reminder was lost, none
was sent twice beyond what was in flight at the kill, and the reminder rules were kept.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import missing
from tests.support.processes import liaison_script

ROOT = Path(__file__).resolve().parents[2]
MONTH = [
    "--scale", "month", "--topology", "single", "--seed", "7",
    "--cases", "40", "--members", "20", "--speed", "20000", "--drain", "15",
]  # fmt: skip


@pytest.mark.timeout(400)
def test_a_month_keeps_every_case_and_every_reminder(tmp_path: Path) -> None:
    if not liaison_script().exists():
        missing(f"the liaison console script is not installed at {liaison_script()}")
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "cityyear.py"), *MONTH, "--keep", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=380,
        check=False,
    )
    assert done.stdout, done.stderr[-3000:]
    month = json.loads(done.stdout)["topologies"]["single"]
    assert "error" not in month, month.get("error")
    in_flight = sum(fault.get("rows_sending_at_kill", 0) for fault in month["faults"])

    summary = {key: month[key] for key in ("done", "failures", "failure_samples", "faults")}
    # How many reports get through in the month depends on the machine's speed: that count is
    # reported, not asserted; what must hold for every case that reached the app is asserted.
    assert 0 < month["timing_free_counts"]["cases"] <= month["scenario"]["cases"], summary
    assert month["cases"]["cases"] == (
        sum(month["cases"]["counts"].values()) + month["cases"]["undecided_at_end"]
    )
    assert month["cases"]["shares_sum_percent"] == pytest.approx(100.0, abs=0.05)
    assert month["cases"]["reminder_rule_misses"] == {}
    assert month["reminders"]["planned"] > 0
    assert month["reminders"]["lost"] == 0, month["reminders"]
    assert month["reminders"]["sent_twice"] <= in_flight, month["reminders"]
    assert month["all_notices"]["lost"] == 0, month["all_notices"]
    assert month["done"].get("broadcast", 0) >= 1, summary
    assert month["broadcasts"]["planned"] > 0
    assert month["broadcasts"]["lost"] == 0, month["broadcasts"]
    assert month["broadcasts"]["sent_twice"] <= in_flight, month["broadcasts"]
    assert month["quarter_minimum"], month
    assert all(size > 0 for size in month["peak_memory_mib"].values())
