"""Hybrid fusion: min-max normalisation and the weighted arithmetic mean, as OpenSearch's normalization-processor."""

from __future__ import annotations

import pytest

from privategpt.rag.fusion import MIN_SCORE, SINGLE_RESULT_SCORE, fuse, min_max
from privategpt.rag.types import Hit


def hit(chunk: str, score: float) -> Hit:
    return Hit(chunk_id=chunk, document_id="doc", text=f"text of {chunk}", filename="f.txt", score=score)


def scores(hits: list[Hit]) -> list[tuple[str, float]]:
    return [(h.chunk_id, round(h.score, 6)) for h in hits]


def test_min_max_scales_to_zero_one_with_the_lowest_kept_above_zero() -> None:
    assert min_max([10.0, 6.0, 2.0]) == [1.0, 0.5, MIN_SCORE]
    assert min_max([-0.2, -0.6]) == [1.0, MIN_SCORE]
    assert min_max([3.0, 3.0]) == [SINGLE_RESULT_SCORE, SINGLE_RESULT_SCORE]
    assert min_max([]) == []


def test_fused_score_is_the_weighted_mean_and_a_missing_side_scores_zero() -> None:
    keyword = [hit("a", 12.0), hit("b", 7.0), hit("c", 2.0)]  # BM25: a=1, b=0.5, c=0.001
    vector = [hit("b", 0.9), hit("d", 0.5)]  # cosine: b=1, d=0.001
    fused = fuse(keyword, vector, keyword_weight=0.5, vector_weight=0.5, top_k=10)
    assert scores(fused) == [("b", 0.75), ("a", 0.5), ("d", 0.0005), ("c", 0.0005)]


def test_weights_are_normalised_like_opensearchs() -> None:
    keyword = [hit("a", 5.0), hit("b", 1.0)]
    vector = [hit("b", 0.8), hit("a", 0.2)]
    # weights 1 and 3 act as 0.25 and 0.75
    fused = fuse(keyword, vector, keyword_weight=1.0, vector_weight=3.0, top_k=2)
    assert scores(fused) == [("b", round(0.25 * MIN_SCORE + 0.75, 6)), ("a", round(0.25 + 0.75 * MIN_SCORE, 6))]
    only_keyword = fuse(keyword, vector, keyword_weight=1.0, vector_weight=0.0, top_k=2)
    assert [h.chunk_id for h in only_keyword] == ["a", "b"]


def test_top_k_and_ties_keep_the_vector_order_first() -> None:
    vector = [hit("v1", 0.9), hit("v2", 0.1)]
    keyword = [hit("k1", 4.0), hit("k2", 1.0)]
    fused = fuse(keyword, vector, keyword_weight=0.5, vector_weight=0.5, top_k=3)
    assert [h.chunk_id for h in fused] == ["v1", "k1", "v2"]
    assert fuse([], [], keyword_weight=0.5, vector_weight=0.5, top_k=3) == []


def test_a_hit_keeps_its_fields_and_gets_the_fused_score() -> None:
    original = Hit(chunk_id="x", document_id="d", text="t", filename="f.pdf", score=17.0, page=3, heading="H", index=4)
    (fused,) = fuse([original], [], keyword_weight=0.5, vector_weight=0.5, top_k=1)
    assert fused == Hit(
        chunk_id="x", document_id="d", text="t", filename="f.pdf", score=0.5, page=3, heading="H", index=4
    )


@pytest.mark.parametrize(("keyword_weight", "vector_weight"), [(0.0, 0.0), (-1.0, 1.0)])
def test_weights_must_be_usable(keyword_weight: float, vector_weight: float) -> None:
    with pytest.raises(ValueError, match="weights"):
        fuse([hit("a", 1.0)], [], keyword_weight=keyword_weight, vector_weight=vector_weight, top_k=1)
