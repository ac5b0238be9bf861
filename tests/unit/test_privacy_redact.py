"""Mobile numbers a resident typed into their own words are found and cut out on /forget."""

from __future__ import annotations

import pytest

from services.privacy.redact import REDACTED, mobiles_in, redact


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


@pytest.mark.parametrize(
    "written", ["139 1234 5678", "139-1234-5678", "+86-139-1234-5678", "+86 139-1234 5678"]
)
def test_the_residents_number_goes_however_someone_else_wrote_it(written: str) -> None:
    # Staff or an assignee may quote the consented number in their own spelling.
    text = f"已致电居民 {written}，约定周五上门。其他人 13700001111 不受影响。"
    assert redact(text, {"+8613912345678"}) == (
        f"已致电居民 {REDACTED}，约定周五上门。其他人 13700001111 不受影响。"
    )
