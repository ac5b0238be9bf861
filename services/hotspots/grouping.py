"""Grouping reports about the same problem, without knowing how many problems there are.

Reports are first split into buckets (one category in one area); inside a bucket each report
is a TF-IDF vector of its words and character 2-3-grams (IDF over the whole month, so words
every report of the month uses weigh little) and two reports are neighbours when the cosine
distance of their vectors is at most ``threshold``. The groups are the clusters of an
average-linkage agglomerative clustering cut at that distance: unlike the connected components
of the neighbour graph, a chain of pairwise-similar reports does not merge two problems.
bench/hotspots.py measures the options on a labelled sample; the figures are in the README.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy.sparse import csr_matrix, hstack
from scipy.sparse.csgraph import connected_components
from sklearn.cluster import AgglomerativeClustering, MiniBatchKMeans
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import cosine_distances
from sklearn.neighbors import radius_neighbors_graph
from sklearn.preprocessing import normalize

Method = Literal["average", "components"]
Features = Literal["words", "chars", "both"]


@dataclass(frozen=True)
class GroupingParameters:
    """How reports are grouped; kept with every run."""

    method: Method = "average"
    features: Features = "both"
    threshold: float = 0.88
    min_size: int = 3
    # Average linkage holds a bucket's n × n distances in memory; a bucket larger than this is
    # first cut into parts of about this size by k-means, and each part is clustered alone.
    largest_bucket: int = 3000


def _identity(words: Sequence[str]) -> Sequence[str]:
    return words


def vectorize(
    word_lists: Sequence[Sequence[str]], texts: Sequence[str], features: Features
) -> csr_matrix:
    """One L2-normalised TF-IDF row per report: of its words, its character 2-3-grams, or both.

    Side by side, words catch the problem's terms and n-grams the words jieba cut apart
    differently in two wordings.
    """
    parts = []
    if features in ("words", "both"):
        words = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, dtype=np.float32)
        parts.append(words.fit_transform(word_lists))
    if features in ("chars", "both"):
        chars = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 3), sublinear_tf=True, dtype=np.float32
        )
        parts.append(chars.fit_transform(texts))
    return csr_matrix(normalize(hstack(parts).tocsr()))


def _labels(matrix: csr_matrix, parameters: GroupingParameters) -> np.ndarray:
    """A group label per row of one bucket."""
    rows = matrix.shape[0]
    if rows == 1:
        return np.zeros(1, dtype=int)
    if parameters.method == "components":
        graph = radius_neighbors_graph(
            matrix, radius=parameters.threshold, metric="cosine", include_self=False
        )
        return np.asarray(connected_components(graph, directed=False)[1])
    distances = cosine_distances(matrix)
    clustering = AgglomerativeClustering(
        n_clusters=None,
        metric="precomputed",
        linkage="average",
        distance_threshold=parameters.threshold,
    )
    return np.asarray(clustering.fit_predict(distances))


def _parts(matrix: csr_matrix, rows: list[int], largest: int) -> list[list[int]]:
    """The bucket's rows, in parts of about ``largest`` rows of like texts (k-means)."""
    if len(rows) <= largest:
        return [rows]
    parts = -(-len(rows) // largest)
    kmeans = MiniBatchKMeans(n_clusters=parts, random_state=0, n_init=3, batch_size=2048)
    labels = kmeans.fit_predict(matrix[rows])
    split: dict[int, list[int]] = {}
    for row, label in zip(rows, labels, strict=True):
        split.setdefault(int(label), []).append(row)
    return list(split.values())


def group(
    matrix: csr_matrix, buckets: Sequence[Hashable], parameters: GroupingParameters
) -> list[list[int]]:
    """The groups of at least ``min_size`` rows, as row numbers, largest first.

    Rows are only grouped with rows of the same bucket.
    """
    by_bucket: dict[Hashable, list[int]] = {}
    for row, bucket in enumerate(buckets):
        by_bucket.setdefault(bucket, []).append(row)
    groups: list[list[int]] = []
    parts = [
        part
        for rows in by_bucket.values()
        for part in _parts(matrix, rows, parameters.largest_bucket)
    ]
    for rows in parts:
        if len(rows) < parameters.min_size:
            continue
        labels = _labels(matrix[rows], parameters)
        members: dict[int, list[int]] = {}
        for row, label in zip(rows, labels, strict=True):
            members.setdefault(int(label), []).append(row)
        groups += [m for m in members.values() if len(m) >= parameters.min_size]
    groups.sort(key=lambda m: (-len(m), m[0]))
    return groups


def pair_scores(groups: Sequence[Sequence[int]], truth: Sequence[Hashable]) -> dict[str, float]:
    """Pairwise precision and recall of "same problem" pairs.

    Precision: of the pairs put in one group, the share that truly are one problem. Recall: of
    the true pairs, the share put in one group.
    """
    predicted = 0
    correct = 0
    for members in groups:
        labels = [truth[row] for row in members]
        predicted += len(labels) * (len(labels) - 1) // 2
        counts: dict[Hashable, int] = {}
        for label in labels:
            counts[label] = counts.get(label, 0) + 1
        correct += sum(n * (n - 1) // 2 for n in counts.values())
    sizes: dict[Hashable, int] = {}
    for label in truth:
        sizes[label] = sizes.get(label, 0) + 1
    actual = sum(n * (n - 1) // 2 for n in sizes.values())
    return {
        "precision": round(correct / predicted, 4) if predicted else 0.0,
        "recall": round(correct / actual, 4) if actual else 0.0,
    }
