"""Cutting a resident's phone numbers out of the texts the committee keeps.

A number can travel: the resident types it into a description, an assignee quotes it in a
request for more time, a member copies it into a social-conditions report, a notice to staff
carries it. On erasure every such copy goes.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable

import phonenumbers
from phonenumbers import Leniency, PhoneNumber, PhoneNumberFormat, PhoneNumberMatcher
from phonenumbers import PhoneNumberType as NumberType
from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import ConditionsReport, ConditionsReportIssue, IssueExtension, OutboxMessage

REDACTED = "[removed]"
# Numbers without a country prefix are read as the committee's: mainland China.
REGION = "CN"
_MOBILE_TYPES = frozenset({NumberType.MOBILE, NumberType.FIXED_LINE_OR_MOBILE})
# Shorter "numbers" are too likely to be something else (a room, an amount) to cut blindly.
_SHORTEST = 6

_Key = tuple[int | None, int | None]


def _key(number: PhoneNumber) -> _Key:
    return number.country_code, number.national_number


def _parse(phone: str) -> PhoneNumber | None:
    """The number a stored or typed phone string stands for, None when it is not one."""
    try:
        number = phonenumbers.parse(phone, REGION)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_possible_number(number) else None


def _matches(text: str) -> list[phonenumbers.PhoneNumberMatch]:
    # VALID, not POSSIBLE: a date, an order number or a house number must not look like a phone.
    return list(PhoneNumberMatcher(text, REGION, leniency=Leniency.VALID))


def mobiles_in(text: str | None) -> set[str]:
    """The mobile numbers written in a text, as written and as bare national digits."""
    found: set[str] = set()
    for match in _matches(text or ""):
        if phonenumbers.number_type(match.number) in _MOBILE_TYPES:
            found.add(match.raw_string)
            found.add(str(match.number.national_number))
    return found


def _variants(phones: Iterable[str]) -> list[str]:
    """The numbers as given and as people commonly write them, longest first.

    Longest first, so "+86 139…" goes whole rather than leaving its prefix behind. Needed
    for what the matcher does not recognise as a valid number (a short local landline).
    """
    variants: set[str] = set()
    for phone in phones:
        variants |= {phone, re.sub(r"\D", "", phone)}
        number = _parse(phone)
        if number is None:
            continue
        national = str(number.national_number)
        variants.add(national)
        for style in (PhoneNumberFormat.E164, PhoneNumberFormat.INTERNATIONAL):
            international = phonenumbers.format_number(number, style)
            variants |= {international, international.replace(" ", "-")}
            variants.add("00" + international.removeprefix("+"))
        written = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
        variants |= {written, written.replace(" ", "-"), written.replace("-", " ")}
        if len(national) == 11:  # a mainland mobile: 3-4-4, however it is spaced
            head, middle, tail = national[:3], national[3:7], national[7:]
            for gap in (" ", "-"):
                variants.add(f"{head}{gap}{middle}{gap}{tail}")
    return sorted((v for v in variants if len(v) >= _SHORTEST), key=len, reverse=True)


def redact(text: str, phones: Iterable[str]) -> str:
    """The text with every given phone number cut out, however it was written there.

    "+86 139-1234 5678", "0086 13912345678" and "139 1234 5678" are one number: every
    spelling the phone-number parser reads as one of ``phones`` goes, prefix and all.
    """
    phones = list(phones)
    keys = {_key(number) for number in map(_parse, phones) if number is not None}
    if keys:
        pieces: list[str] = []
        done = 0
        for match in _matches(text):
            if _key(match.number) in keys:
                pieces += [text[done : match.start], REDACTED]
                done = match.end
        text = "".join(pieces) + text[done:]
    for variant in _variants(phones):  # what the matcher does not know, a landline say
        text = text.replace(variant, REDACTED)
    return text


def _tails(phones: Collection[str]) -> set[str]:
    """The last four digits of each number: every spelling of it ends with them."""
    return {digits[-4:] for digits in (re.sub(r"\D", "", p) for p in phones) if len(digits) >= 4}


async def redact_desk_texts(
    session: AsyncSession, issue_ids: Collection[int], phones: Collection[str]
) -> None:
    """Cut the numbers out of the cases' extension requests, reports and queued notices."""
    tails = _tails(phones)
    if not tails or not issue_ids:
        return
    extensions = await session.execute(
        select(IssueExtension).where(col(IssueExtension.issue_id).in_(list(issue_ids)))
    )
    for extension in extensions.scalars():
        extension.reason = redact(extension.reason, phones)
    reports = await session.execute(
        select(ConditionsReport).where(
            col(ConditionsReport.id).in_(
                select(col(ConditionsReportIssue.report_id)).where(
                    col(ConditionsReportIssue.issue_id).in_(list(issue_ids))
                )
            )
        )
    )
    for report in reports.scalars():
        report.title = redact(report.title, phones)
        report.body = redact(report.body, phones)
        if report.staff_note:
            report.staff_note = redact(report.staff_note, phones)
    # Notices about the case went to staff and assignees too, not only to the resident.
    # The database narrows them down by the numbers' last digits; redact decides.
    matching = or_(*(col(OutboxMessage.payload).contains(t, autoescape=True) for t in tails))
    rows = await session.execute(
        select(col(OutboxMessage.id), col(OutboxMessage.payload)).where(matching)
    )
    for row_id, payload in rows.all():
        cleaned = redact(payload, phones)
        if cleaned == payload:
            continue
        await session.execute(
            update(OutboxMessage).where(col(OutboxMessage.id) == row_id).values(payload=cleaned)
        )
    await session.flush()
