"""The hotspots bench runs end to end at a small size and reports its JSON."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "hotspots.py"


def test_bench_runs_small(capsys: pytest.CaptureFixture[str]) -> None:
    spec = importlib.util.spec_from_file_location("bench_hotspots", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_hotspots"] = module
    spec.loader.exec_module(module)
    code = module.main(["--cases", "300", "--hotline", "600", "--places", "2", "--sample", "6",
                          "--open-cases", "200", "--queries", "10"])  # fmt: skip
    result = json.loads(capsys.readouterr().out)
    assert code == 0 and result["passed"] is True
    assert result["benchmark"] == "hotspots"
    assert result["counts"] == {"issue": 300, "hotline_record": 600}
    assert result["baseline_segmentation"]["seconds"] > 0
    assert result["monthly_run"]["ratio_to_segmentation"] > 0
    assert result["monthly_run"]["target_seconds"] == 60.0
    quality = result["grouping_quality"]
    assert quality["problems"] == 20 and 0 < quality["precision"] <= 1
    assert sum(option["default"] for option in quality["options"]) == 1
    check = result["report_time_check"]
    assert check["open_cases"] == 200 and check["lookalike_check"]["ratio_to_scan_p95"] > 0
