"""Finding a case: by its number, the resident's phone, words of its description, or status.

Staff type a case number (``2026-000123``, or just ``123`` for that number in any year), a
phone number, or words. A case number matches exactly; a phone is read by phonenumbers, as it
is stored (E.164 or national digits), and matches the case's contact phone; anything else is
cut into words by jieba (:mod:`storage.search_terms`) and every word must occur in the case's
stored terms (``issue_search``), with ``LIKE``, so SQLite and PostgreSQL answer the same.
Results stay within the staff member's scope and come newest first, a page at a time. The
desk's own lists by status (assigned, answered) are the same query without words.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import phonenumbers
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.accounts.scope import StaffScope
from services.cases import limits
from services.cases.numbers import parse_number
from services.cases.search_index import index_new_cases
from services.errors import DomainError
from storage.enums import IssueStatus
from storage.models import Issue, IssueCategory, IssueSearch
from storage.search_terms import query_terms

QUERY_MAX = 100
RESULT_PAGE = 8
MAX_TERMS = 10
# Statuses the desk lists on their own, newest first.
LISTED_STATUSES = (IssueStatus.ASSIGNED, IssueStatus.ANSWERED)
_SEQUENCE_RE = re.compile(r"^\d{1,6}$")
_PHONE_RE = re.compile(r"^[+＋]?[\d\s\-()（）－]{7,}$")


@dataclass(frozen=True)
class CaseQuery:
    """What was asked for: ``kind`` is number, sequence, phone, words or status."""

    kind: str
    number: str = ""
    sequence: int = 0
    phones: tuple[str, ...] = ()
    terms: tuple[str, ...] = field(default=())
    status: str = ""

    @property
    def by_number(self) -> bool:
        """Whether a case number was typed: one match is the case itself."""
        return self.kind in ("number", "sequence")


@dataclass(frozen=True)
class FoundCase:
    """One case found, with its category for the list's label."""

    issue: Issue
    category: IssueCategory


@dataclass(frozen=True)
class FoundPage:
    """A page of what was found, newest first."""

    items: list[FoundCase]
    total: int
    page: int
    pages: int


def _phones(text: str) -> tuple[str, ...]:
    """A typed phone number in both forms cases keep it in; empty if it is not one."""
    try:
        number = phonenumbers.parse(text, limits.HOME_REGION)
    except phonenumbers.NumberParseException:
        return ()
    if not phonenumbers.is_valid_number(number):
        return ()
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return (e164, re.sub(r"\D", "", national))


def read_query(text: str) -> CaseQuery:
    """What staff typed, as a query; refused if empty, too long or without a word."""
    cleaned = limits.clean_text(text)
    if not cleaned:
        raise DomainError("search_empty")
    if len(cleaned) > QUERY_MAX:
        raise DomainError("search_too_long", maximum=QUERY_MAX, length=len(cleaned))
    number = parse_number(cleaned)
    if number is not None:
        return CaseQuery(kind="number", number=number)
    digits = re.sub(r"\s", "", cleaned)
    if _SEQUENCE_RE.match(digits) and int(digits) > 0:
        return CaseQuery(kind="sequence", sequence=int(digits))
    if _PHONE_RE.match(cleaned):
        phones = _phones(cleaned)
        if phones:
            return CaseQuery(kind="phone", phones=phones)
    terms = query_terms(cleaned)
    if not terms:
        raise DomainError("search_no_words")
    return CaseQuery(kind="words", terms=tuple(terms[:MAX_TERMS]))


def status_query(status: str) -> CaseQuery:
    """The cases of one listed status, newest first."""
    if status not in LISTED_STATUSES:
        raise DomainError("wrong_status", status=status)
    return CaseQuery(kind="status", status=status)


def _conditions(query: CaseQuery) -> list[Any]:
    """The WHERE clauses of ``query`` (scope apart)."""
    if query.kind == "number":
        return [col(Issue.number) == query.number]
    if query.kind == "sequence":
        return [col(Issue.number).like(f"____-{query.sequence:06d}")]
    if query.kind == "phone":
        return [col(Issue.contact_phone).in_(query.phones)]
    if query.kind == "status":
        return [col(Issue.status) == query.status]
    matching = select(col(IssueSearch.issue_id)).where(
        *(col(IssueSearch.terms).contains(term, autoescape=True) for term in query.terms)
    )
    return [col(Issue.id).in_(matching)]


async def find_cases(
    session: AsyncSession,
    *,
    scope: StaffScope,
    query: CaseQuery,
    page: int = 0,
    page_size: int = RESULT_PAGE,
) -> FoundPage:
    """A page of the cases within ``scope`` that match ``query``, newest first."""
    if query.kind == "words":
        await index_new_cases(session)
    where = [*_conditions(query), scope.issues_clause()]
    total = (
        await session.execute(select(func.count()).select_from(Issue).where(*where))
    ).scalar_one()
    pages = max(1, math.ceil(total / page_size))
    page = min(max(page, 0), pages - 1)
    rows = (
        await session.execute(
            select(Issue, IssueCategory)
            .join(IssueCategory, col(IssueCategory.id) == col(Issue.category_id))
            .where(*where)
            .order_by(col(Issue.created_at).desc(), col(Issue.id).desc())
            .offset(page * page_size)
            .limit(page_size)
        )
    ).all()
    items = [FoundCase(issue, category) for issue, category in rows]
    return FoundPage(items=items, total=total, page=page, pages=pages)
