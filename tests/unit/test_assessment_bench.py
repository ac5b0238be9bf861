"""The assessment bench runs end to end at a tiny size and reports its JSON."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "assessment.py"


def test_bench_runs_small(capsys: pytest.CaptureFixture[str]) -> None:
    spec = importlib.util.spec_from_file_location("bench_assessment", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_assessment"] = module
    spec.loader.exec_module(module)
    code = module.main(["--members", "30", "--records", "1500", "--repeat", "1"])
    result = json.loads(capsys.readouterr().out)
    assert code == 0 and result["passed"] is True
    assert result["benchmark"] == "assessment"
    assert result["ledger_lines"] > 0 and result["checked_members"] >= 2
    for key in ("baseline_scan", "whole_year", "member_score"):
        assert key in result
    assert result["whole_year"]["ratio_to_scan"] > 0
