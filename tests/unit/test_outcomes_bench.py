"""The outcomes bench runs end to end at a small size and reports its JSON."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "outcomes.py"


def test_bench_runs_small(capsys: pytest.CaptureFixture[str]) -> None:
    spec = importlib.util.spec_from_file_location("bench_outcomes", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_outcomes"] = module
    spec.loader.exec_module(module)
    arguments = ["--proposals", "40", "--outcomes", "12", "--departments", "5", "--repeat", "1"]
    code = module.main(arguments)
    result = json.loads(capsys.readouterr().out)
    assert code == 0 and result["passed"] is True
    assert result["benchmark"] == "outcomes"
    assert result["counts"]["suggestion"] == 40 * 6 + 12 * 5
    assert result["list_sizes"]["problems"] == 40 * 6 + 12 * 5
    assert result["baseline_scan"]["median_ms"] > 0
    for key in ("chase_list", "year_lists", "chase_and_lists", "department_open_items"):
        assert result[key]["ratio_to_scan"] > 0
    assert result["chase_and_lists"]["target_ms"] == 1000.0
