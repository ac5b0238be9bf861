"""Every spelling of a resident's number is found and cut out: spaced, dashed, +86, 0086."""

from __future__ import annotations

import pytest

from services.privacy.redact import REDACTED, mobiles_in, redact


@pytest.mark.parametrize(
    "written",
    [
        "0086 139 1234 5678",
        "008613912345678",
        "(+86) 139 1234 5678",
        "+86 139 1234 5678",
        "86 139-1234-5678",
        "1391234 5678",
        "139 12345678",
    ],
)
def test_more_spellings_of_a_mobile_number(written: str) -> None:
    text = f"请联系我 {written} 谢谢"
    found = mobiles_in(text)
    assert "13912345678" in found and written in found
    assert redact(text, found) == f"请联系我 {REDACTED} 谢谢"


@pytest.mark.parametrize(
    "written",
    ["0086 139 1234 5678", "0086-139-1234-5678", "+86 (139) 1234-5678", "139.1234.5678"],
)
def test_a_stored_number_goes_however_it_was_quoted(written: str) -> None:
    text = f"已致电 {written}；其他人 13700001111 不受影响。"
    assert redact(text, {"13912345678"}) == f"已致电 {REDACTED}；其他人 13700001111 不受影响。"


@pytest.mark.parametrize("written", ["010-12345678", "(010) 1234 5678", "+86 10 1234 5678"])
def test_a_landline_given_as_the_contact_number(written: str) -> None:
    # A landline is no mobile to look for, but a number the resident gave still goes.
    text = f"居委会电话 {written}。"
    assert mobiles_in(text) == set()
    assert redact(text, {"01012345678"}) == f"居委会电话 {REDACTED}。"


def test_numbers_inside_json_are_cut_as_well() -> None:
    # Audit entries and notices are JSON; an escaped Chinese letter ends in digits.
    text = '{"text": "\\u621113912345678"}'
    assert "13912345678" not in redact(text, {"+8613912345678"})
