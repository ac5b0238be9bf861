"""``bench/updates.py --workers``, with tiny numbers: real workers on PostgreSQL and Redis.

One ``liaison run`` worker, then two, answer twenty residents walking the report flow over
their webhooks; the JSON must say every chat got exactly one issue, nothing was left in the
inbox and no worker logged an error. Speed is not judged here, and the reference on SQLite is
left out: starting a worker is most of the time this takes.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import missing, worker_redis_url

ROOT = Path(__file__).resolve().parents[2]
RESIDENTS = 20
# Under the suite's 120 s a test, so that a run that overstays says where it was.
TIMEOUT = 110


def test_workers_mode_answers_every_resident_once() -> None:
    postgres = os.environ.get("LIAISON_TEST_POSTGRES_URL")
    if not postgres or not os.environ.get("LIAISON_TEST_REDIS_URL"):
        missing("LIAISON_TEST_POSTGRES_URL and LIAISON_TEST_REDIS_URL are needed")
        return
    process = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "bench" / "updates.py"),
            "--workers",
            "2",
            "--residents",
            str(RESIDENTS),
            "--database",
            str(postgres),
            "--redis",
            worker_redis_url(),
            "--no-sqlite",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # Its own process group: a run that overstays is ended with its workers and fake.
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        pytest.fail(f"the bench did not finish within {TIMEOUT} s:\n{stderr[-3000:]}")
    # 1 is a missed speed target, which a busy test machine may well miss.
    assert process.returncode in (0, 1), stderr[-3000:]
    result = json.loads(stdout)
    assert result["mode"] == "workers"
    assert result["one_issue_per_chat"] is True, stderr[-3000:]
    assert result["correct"] is True, json.dumps(result["configurations"], indent=1)
    assert set(result["configurations"]) == {"postgresql_1_worker", "postgresql_2_workers"}
    for name, run in result["configurations"].items():
        assert "error" not in run, (name, run)
        assert run["left_unhandled"] == 0, name
        assert run["errors_logged"] == 0, (name, run["first_errors"])
        # Eight steps each, and a ninth press when a look-alike case was shown.
        assert RESIDENTS * 8 <= run["updates"] <= RESIDENTS * 9, name
    assert result["rate_n_workers"] > 0
    assert result["ratio_n_to_1"] is not None
    assert result["aiogram_alone"]["updates_per_second"] > 0
