"""Ranked-retrieval metrics as trec_eval defines them, for binary relevance judgments.

A run is one ranked list of document ids per query, best first (each id at most once); ``relevant`` is the set
of ids judged relevant for that query. ``mean`` averages a metric over the judged queries: a query without any
relevant document is left out (trec_eval evaluates only the queries its qrels name), a judged query the run
has nothing for counts as 0.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence, Set

Metric = Callable[[Sequence[str], Set[str]], float]


def ndcg_at(k: int, ranking: Sequence[str], relevant: Set[str]) -> float:
    """Gain 1 for a relevant document, discounted by log2(rank + 1); the ideal ranking puts all the relevant
    documents (at most k) first."""
    if not relevant:
        return 0.0
    dcg = sum(1.0 / math.log2(rank + 1) for rank, doc in enumerate(ranking[:k], start=1) if doc in relevant)
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(k, len(relevant)) + 1))
    return dcg / ideal


def recall_at(k: int, ranking: Sequence[str], relevant: Set[str]) -> float:
    if not relevant:
        return 0.0
    return sum(1 for doc in ranking[:k] if doc in relevant) / len(relevant)


def average_precision(ranking: Sequence[str], relevant: Set[str], cutoff: int = 1000) -> float:
    """The precision at the rank of each relevant document retrieved within ``cutoff``, summed, over all the
    relevant documents (those not retrieved contribute 0)."""
    if not relevant:
        return 0.0
    found = 0
    total = 0.0
    for rank, doc in enumerate(ranking[:cutoff], start=1):
        if doc in relevant:
            found += 1
            total += found / rank
    return total / len(relevant)


def mean(metric: Metric, run: Mapping[str, Sequence[str]], qrels: Mapping[str, Set[str]]) -> float:
    judged = [query for query, relevant in qrels.items() if relevant]
    if not judged:
        return float("nan")
    return sum(metric(run.get(query, ()), qrels[query]) for query in judged) / len(judged)


def dedupe(ids: Iterable[str]) -> list[str]:
    """The first occurrence of each id, in order: chunk hits (best first) to a document ranking in which each
    document stands at its best chunk's place."""
    return list(dict.fromkeys(ids))
