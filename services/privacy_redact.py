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


def mobiles_in(text: str | None) -> set[str]:
    """The mobile numbers written in a text, as written and as bare digits."""
    found: set[str] = set()
    for match in MOBILE.finditer(text or ""):
        written = match.group(0)
        found.add(written)
        found.add(re.sub(r"\D", "", written).removeprefix("86")[-11:])
    return found


def redact(text: str, phones: Iterable[str]) -> str:
    """The text with every given phone number (with or without +86) cut out."""
    variants = {v for phone in phones for v in (phone, phone.removeprefix("+86")) if len(v) >= 6}
    # Longest first, so "+86 139…" goes whole rather than leaving its prefix behind.
    for variant in sorted(variants, key=len, reverse=True):
        text = text.replace(variant, REDACTED)
    return text


def _variants(phones: Iterable[str]) -> list[str]:
    return sorted(
        {v for phone in phones for v in (phone, phone.removeprefix("+86")) if len(v) >= 6},
        key=len,
        reverse=True,
    )


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
