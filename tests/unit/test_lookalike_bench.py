"""The look-alike bench runs end to end at a small size and reports its JSON."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "lookalike.py"


def test_bench_runs_small(capsys: pytest.CaptureFixture[str]) -> None:
    spec = importlib.util.spec_from_file_location("bench_lookalike", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_lookalike"] = module
    spec.loader.exec_module(module)
    code = module.main(["--cases", "300", "--queries", "10"])
    result = json.loads(capsys.readouterr().out)
    assert code == 0 and result["passed"] is True
    assert result["benchmark"] == "lookalike" and result["open_cases"] == 300
    assert result["baseline_scan"]["p50_ms"] > 0
    assert result["lookalike_check"]["ratio_to_scan_p95"] > 0
    assert result["drafts_with_suggestions"] > 0
    quality = result["quality"]
    assert quality["reports"] > 40 and quality["precision"] >= 0.9
    assert result["quality_sweep"][0]["threshold"] == 0.2
