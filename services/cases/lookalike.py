"""At report time: open cases that look like the report being written ("me too").

A draft looks like an open case (:data:`storage.enums.OPEN_STATUSES`) when both are at the
same station, in the same category, within :data:`RADIUS_M` metres when both have a
location, and their words are alike: the Dice coefficient of their jieba words (the search
terms every case already keeps in ``issue_search``, see :mod:`storage.search_terms`), with
function words left out, reaches :data:`THRESHOLD`. The threshold was chosen on the labelled
sample of ``bench/lookalike.py``: it keeps precision high, since a wrong suggestion costs the
resident a tap while a missed one costs nothing but a second case.

The candidates are read by the station-and-status index and their words come precomputed
from ``issue_search``; a case stored since the last indexing has its words cut here, in
memory, and not written (this runs in the resident's read).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.privacy.redact import mobiles_in, redact
from services.reference.catalog import distance_km
from storage.enums import OPEN_STATUSES
from storage.models import Issue, IssueSearch, IssueSupport
from storage.search_terms import index_terms

RADIUS_M = 250.0
THRESHOLD = 0.3
MOST = 3
# Words that say nothing about the problem; without them two unrelated complaints written
# in the same voice ("我们小区的……了") would look alike.
_STOP_TEXT = (
    "的 了 是 在 有 和 也 都 就 我 我们 你 你们 他 他们 很 不 这 那 这个 那个 个 一 一个 吗 呢 啊 "
    "吧 被 把 还 又 没 没有 请 希望 问题 反映 现在 已经 一直 什么 怎么 非常 麻烦 谢谢 能 要 会 "
    "给 对 到 让 说 好 多 里 上 下 "
    "the a an at on in of to by is are was it and or for with from this that my our we i"
)
STOP_WORDS = frozenset(_STOP_TEXT.split())


@dataclass(frozen=True)
class Lookalike:
    """An open case a draft looks like; ``distance_m`` when both have a location.

    From :func:`find_lookalikes` the description has its phone numbers cut out: it is shown
    to a resident who did not write it.
    """

    issue_id: int
    number: str
    status: str
    description: str
    score: float
    distance_m: float | None


def words_of(terms: str) -> frozenset[str]:
    """The words of stored search terms that say something about the problem."""
    return frozenset(word for word in terms.split() if word not in STOP_WORDS)


def draft_words(description: str) -> frozenset[str]:
    """A draft's words, cut as a stored case's are."""
    return words_of(index_terms(description))


def similarity(left: frozenset[str], right: frozenset[str]) -> float:
    """The Dice coefficient of two sets of words: 1 for the same words, 0 for none shared."""
    if not left or not right:
        return 0.0
    return 2 * len(left & right) / (len(left) + len(right))


def distance_m(
    lat1: float | None, lon1: float | None, lat2: float | None, lon2: float | None
) -> float | None:
    """Metres between two points on the ground; None unless both are given."""
    if lat1 is None or lon1 is None or lat2 is None or lon2 is None:
        return None
    return distance_km(lat1, lon1, lat2, lon2) * 1000


@dataclass(frozen=True)
class Candidate:
    """An open case of the draft's station and category, with its words."""

    issue_id: int
    number: str
    status: str
    description: str
    latitude: float | None
    longitude: float | None
    words: frozenset[str]


async def candidates(
    session: AsyncSession,
    *,
    station_id: int,
    category_id: int,
    resident_id: int | None,
    precomputed: bool = True,
) -> list[Candidate]:
    """Open cases a draft could look like: not the resident's own, nor one they follow.

    ``precomputed=False`` cuts every case's words afresh: the baseline the bench measures.
    """
    stmt = (
        select(
            col(Issue.id),
            col(Issue.number),
            col(Issue.status),
            col(Issue.description),
            col(Issue.latitude),
            col(Issue.longitude),
            col(IssueSearch.terms),
        )
        .outerjoin(IssueSearch, col(IssueSearch.issue_id) == col(Issue.id))
        .where(
            col(Issue.station_id) == station_id,
            col(Issue.status).in_(sorted(OPEN_STATUSES)),
            col(Issue.category_id) == category_id,
        )
    )
    if resident_id is not None:
        followed = select(col(IssueSupport.issue_id)).where(
            col(IssueSupport.resident_id) == resident_id
        )
        stmt = stmt.where(
            (col(Issue.resident_id).is_(None)) | (col(Issue.resident_id) != resident_id),
            col(Issue.id).not_in(followed),
        )
    found = []
    for issue_id, number, status, description, lat, lon, terms in await session.execute(stmt):
        stored = terms if precomputed and terms is not None else index_terms(description)
        assert issue_id is not None
        found.append(Candidate(issue_id, number, status, description, lat, lon, words_of(stored)))
    return found


def rank(
    found: list[Candidate],
    *,
    words: frozenset[str],
    latitude: float | None,
    longitude: float | None,
    threshold: float = THRESHOLD,
    most: int = MOST,
) -> list[Lookalike]:
    """The best ``most`` candidates alike enough and near enough, most alike first."""
    kept: list[Lookalike] = []
    for candidate in found:
        metres = distance_m(latitude, longitude, candidate.latitude, candidate.longitude)
        if metres is not None and metres > RADIUS_M:
            continue
        score = similarity(words, candidate.words)
        if score >= threshold:
            kept.append(
                Lookalike(
                    candidate.issue_id,
                    candidate.number,
                    candidate.status,
                    candidate.description,
                    score,
                    metres,
                )
            )
    kept.sort(key=lambda item: (-item.score, item.issue_id))
    return kept[:most]


def redacted(text: str) -> str:
    """Another resident's words as a stranger may read them: phone numbers cut out."""
    return redact(text, mobiles_in(text))


async def find_lookalikes(
    session: AsyncSession,
    *,
    station_id: int,
    category_id: int,
    description: str,
    latitude: float | None = None,
    longitude: float | None = None,
    resident_id: int | None = None,
) -> list[Lookalike]:
    """Up to three open cases the draft looks like, most alike first (see the module)."""
    found = await candidates(
        session, station_id=station_id, category_id=category_id, resident_id=resident_id
    )
    if not found:
        return []
    best = rank(found, words=draft_words(description), latitude=latitude, longitude=longitude)
    return [replace(item, description=redacted(item.description)) for item in best]
