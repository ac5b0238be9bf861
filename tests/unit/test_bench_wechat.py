"""The WeChat bench runs end to end at a small size and reports its JSON."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "wechat.py"


def test_bench_runs_small(capsys: pytest.CaptureFixture[str]) -> None:
    spec = importlib.util.spec_from_file_location("bench_wechat", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_wechat"] = module
    spec.loader.exec_module(module)
    # Two residents at ten callbacks a second walk about three flows in the three seconds.
    arguments = ["--rate", "10", "--seconds", "3", "--population", "2", "--telegram-reports", "1"]
    code = module.main(arguments)
    result = json.loads(capsys.readouterr().out)
    assert code == 0 and result["targets_met"] is True, result
    assert result["benchmark"] == "wechat"
    assert result["callbacks"] == 30 and result["answered_within_4_5s_share"] == 1.0
    assert result["reports_completed_under_load"] >= 1
    assert result["reports_completed"] >= 3  # the two warm-up walks too
    assert result["telegram_reports"] == 1 and result["telegram_messages_per_report"] > 0
    assert result["max_cs_per_step"] <= 2 and result["cs_sends_refused"] == 0
    assert result["step_failures"] == 0 and result["errors_logged"] == 0
    assert set(result["cs_per_step_max"]) >= {"start", "submit", "my issues"}
