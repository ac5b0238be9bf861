"""Mobile numbers a resident typed into their own words are found and cut out on /forget."""

from __future__ import annotations

import pytest

from services.privacy_redact import REDACTED, mobiles_in, redact


@pytest.mark.parametrize(
    "written",
    ["13912345678", "139 1234 5678", "139-1234-5678", "+8613912345678", "+86-139-1234-5678"],
)
def test_a_mobile_number_as_people_write_it(written: str) -> None:
    text = f"楼道堆物，请联系我{written}。"
    found = mobiles_in(text)
    assert "13912345678" in found
    assert redact(text, found) == f"楼道堆物，请联系我{REDACTED}。"


@pytest.mark.parametrize(
    "text",
    [
        "门牌号 12345678901",
        "订单 1391234567",
        "编号 813912345678",
        "2026-11-20 会议",
        "电话 010-12345678",
    ],
)
def test_what_is_not_a_mobile_number_stays(text: str) -> None:
    assert mobiles_in(text) == set()
    assert redact(text, mobiles_in(text)) == text
