"""Phone numbers as residents type them, read by phonenumbers."""

from __future__ import annotations

import pytest

from services.cases.limits import normalize_phone
from services.errors import DomainError


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("13900139000", "13900139000"),
        ("139 0013 9000", "13900139000"),
        ("１３９００１３９０００", "13900139000"),  # full-width digits from a Chinese keyboard
        ("(010) 1234-5678", "01012345678"),
        ("021-6432 1234", "02164321234"),
        ("+86 138-0013-8000", "+8613800138000"),
        ("＋86 13800138000", "+8613800138000"),
        ("+1 415 555 2671", "+14155552671"),
    ],
)
def test_a_number_is_kept_as_it_is_dialled(typed: str, kept: str) -> None:
    assert normalize_phone(typed) == kept


@pytest.mark.parametrize(
    "typed",
    ["call me", "12345", "1390013900", "+86 138 0013 80001234", "", "1" * 40, "+999 1234567"],
)
def test_what_cannot_be_a_number_is_refused(typed: str) -> None:
    with pytest.raises(DomainError) as refused:
        normalize_phone(typed)
    assert refused.value.code == "phone_invalid"
