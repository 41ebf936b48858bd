from __future__ import annotations

import math

import pytest
from bench.ir_metrics import average_precision, dedupe, mean, ndcg_at, recall_at

RANKING = ["a", "x", "b", "y", "c"]
RELEVANT = {"a", "b", "c", "d"}


def test_ndcg_discounts_by_log2_of_the_rank_and_divides_by_the_ideal_from_the_judgments() -> None:
    dcg = 1 / math.log2(2) + 1 / math.log2(4) + 1 / math.log2(6)  # a at 1, b at 3, c at 5
    ideal = sum(1 / math.log2(rank + 1) for rank in range(1, 5))  # four relevant documents, d never retrieved
    assert ndcg_at(5, RANKING, RELEVANT) == pytest.approx(dcg / ideal)
    assert ndcg_at(5, RANKING, RELEVANT) == pytest.approx(0.736590, abs=1e-6)


def test_ndcg_ideal_is_cut_at_k() -> None:
    assert ndcg_at(2, ["x", "a"], RELEVANT) == pytest.approx((1 / math.log2(3)) / (1 + 1 / math.log2(3)))
    assert ndcg_at(1, ["a"], RELEVANT) == 1.0
    assert ndcg_at(3, ["x", "y"], RELEVANT) == 0.0


def test_recall_counts_the_relevant_documents_within_k() -> None:
    assert recall_at(3, RANKING, RELEVANT) == 0.5
    assert recall_at(5, RANKING, RELEVANT) == 0.75
    assert recall_at(100, RANKING, RELEVANT) == 0.75


def test_average_precision_sums_the_precision_at_each_relevant_rank_over_all_relevant() -> None:
    assert average_precision(RANKING, RELEVANT) == pytest.approx((1 + 2 / 3 + 3 / 5) / 4)
    assert average_precision(RANKING, RELEVANT, cutoff=3) == pytest.approx((1 + 2 / 3) / 4)
    assert average_precision(["a", "b", "c", "d"], RELEVANT) == 1.0


def test_mean_leaves_out_queries_without_relevant_documents_and_counts_unanswered_ones_as_zero() -> None:
    qrels = {"q1": RELEVANT, "q2": {"z"}, "q3": set[str]()}
    run = {"q1": RANKING, "q3": ["z"]}
    assert mean(average_precision, run, qrels) == pytest.approx((1 + 2 / 3 + 3 / 5) / 4 / 2)
    assert mean(lambda ranking, relevant: ndcg_at(10, ranking, relevant), {}, qrels) == 0.0
    assert math.isnan(mean(average_precision, run, {"q3": set()}))


def test_dedupe_keeps_each_document_at_its_best_chunk() -> None:
    assert dedupe(["d2", "d1", "d2", "d3", "d1"]) == ["d2", "d1", "d3"]
