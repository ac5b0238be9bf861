"""Cutting a resident's phone numbers out of the texts the committee keeps.

A number can travel: the resident types it into a description, an assignee quotes it in a
request for more time, a member copies it into a social-conditions report, a notice to staff
carries it. On erasure every such copy goes.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import ConditionsReport, ConditionsReportIssue, IssueExtension, OutboxMessage

REDACTED = "[removed]"
# A mainland mobile number as people type it: 13912345678, 139 1234 5678, +86-139-1234-5678.
MOBILE = re.compile(r"(?<!\d)(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?!\d)")


def _digits(written: str) -> str:
    """A mobile number's 11 digits, however it was written."""
    return re.sub(r"\D", "", written).removeprefix("86")[-11:]


def mobiles_in(text: str | None) -> set[str]:
    """The mobile numbers written in a text, as written and as bare digits."""
    found: set[str] = set()
    for match in MOBILE.finditer(text or ""):
        written = match.group(0)
        found.add(written)
        found.add(_digits(written))
    return found


def _variants(phones: Iterable[str]) -> list[str]:
    """The numbers as given and as people commonly write them, longest first.

    Longest first, so "+86 139…" goes whole rather than leaving its prefix behind.
    """
    variants: set[str] = set()
    for phone in phones:
        variants |= {phone, phone.removeprefix("+86")}
        digits = _digits(phone)
        if MOBILE.fullmatch(digits):
            head, middle, tail = digits[:3], digits[3:7], digits[7:]
            for gap in (" ", "-"):
                variants.add(f"{head}{gap}{middle}{gap}{tail}")
    return sorted((v for v in variants if len(v) >= 6), key=len, reverse=True)


def redact(text: str, phones: Iterable[str]) -> str:
    """The text with every given phone number cut out, however it was written there."""
    phones = list(phones)
    digits = {_digits(phone) for phone in phones if MOBILE.fullmatch(_digits(phone))}
    if digits:
        # Every spelling of the same number, prefix and all: "+86 139-1234 5678".
        text = MOBILE.sub(
            lambda match: REDACTED if _digits(match.group(0)) in digits else match.group(0), text
        )
    for variant in _variants(phones):  # what the pattern does not know, a landline say
        text = text.replace(variant, REDACTED)
    return text


async def redact_desk_texts(
    session: AsyncSession, issue_ids: Collection[int], phones: Collection[str]
) -> None:
    """Cut the numbers out of the cases' extension requests, reports and queued notices."""
    variants = _variants(phones)
    if not variants or not issue_ids:
        return
    extensions = await session.execute(
        select(IssueExtension).where(col(IssueExtension.issue_id).in_(list(issue_ids)))
    )
    for extension in extensions.scalars():
        extension.reason = redact(extension.reason, variants)
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
        report.title = redact(report.title, variants)
        report.body = redact(report.body, variants)
        if report.staff_note:
            report.staff_note = redact(report.staff_note, variants)
    # Notices about the case went to staff and assignees too, not only to the resident.
    matching = or_(*(col(OutboxMessage.payload).contains(v, autoescape=True) for v in variants))
    rows = await session.execute(
        select(col(OutboxMessage.id), col(OutboxMessage.payload)).where(matching)
    )
    for row_id, payload in rows.all():
        await session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.id) == row_id)
            .values(payload=redact(payload, variants))
        )
    await session.flush()
