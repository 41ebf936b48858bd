"""Hybrid search: one list from a keyword list and a vector list, the way OpenSearch's ``normalization-processor``
fuses them (``min_max`` normalisation, ``arithmetic_mean`` combination with weights), so the embedded store and
OpenSearch rank alike.

Each list's scores are scaled to [0, 1] by its own min and max (BM25 and cosine are not comparable as they are);
the lowest score of a list becomes ``MIN_SCORE`` rather than 0, so being found at all beats being absent, and a
list whose scores are all equal scores ``SINGLE_RESULT_SCORE``. A hit missing from a list scores 0 there. The fused
score is the weighted arithmetic mean over both lists (the weights normalised to add up to 1).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from privategpt.rag.types import Hit

# OpenSearch's constants (neural-search, ScoreNormalizationTechnique.MIN_MAX)
MIN_SCORE = 0.001
SINGLE_RESULT_SCORE = 1.0


def min_max(scores: Sequence[float]) -> list[float]:
    if not scores:
        return []
    low, high = min(scores), max(scores)
    if high == low:
        return [SINGLE_RESULT_SCORE] * len(scores)
    return [((score - low) / (high - low)) or MIN_SCORE for score in scores]


def fuse(
    keyword: Sequence[Hit], vector: Sequence[Hit], *, keyword_weight: float, vector_weight: float, top_k: int
) -> list[Hit]:
    """The best ``top_k`` of both lists by fused score (``Hit.score``), best first; ties keep the vector list's
    order, then the keyword list's."""
    total = keyword_weight + vector_weight
    if keyword_weight < 0 or vector_weight < 0 or total <= 0:
        raise ValueError("hybrid weights must be non-negative and not both zero")
    weights = (vector_weight / total, keyword_weight / total)
    fused: dict[str, float] = {}
    first_seen: dict[str, Hit] = {}
    for hits, weight in ((vector, weights[0]), (keyword, weights[1])):
        for hit, normalised in zip(hits, min_max([hit.score for hit in hits]), strict=True):
            fused[hit.chunk_id] = fused.get(hit.chunk_id, 0.0) + weight * normalised
            first_seen.setdefault(hit.chunk_id, hit)
    order = {chunk: position for position, chunk in enumerate(first_seen)}
    best = sorted(fused, key=lambda chunk: (-fused[chunk], order[chunk]))[:top_k]
    return [replace(first_seen[chunk], score=fused[chunk]) for chunk in best]
