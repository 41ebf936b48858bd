"""Searching one owner's documents: the service behind ``POST /api/documents/search`` and the chat's sources.

The embedder and the vector store load with the first search (never on the API's import path). Both are
synchronous and CPU- or network-bound: they run in the thread pool, as the DynamoDB reads do. An owner with
no documents (or none left of those asked for) gets ``[]`` from one DynamoDB read, without loading anything.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.concurrency import run_in_threadpool

from privategpt.rag.types import Hit, SearchMode
from privategpt.settings import Settings
from privategpt.storage import documents


async def search(
    settings: Settings,
    owner_id: str,
    *,
    query: str,
    top_k: int,
    mode: SearchMode,
    document_ids: Sequence[str] | None = None,
) -> list[Hit]:
    """The owner's best ``top_k`` chunks for ``query``, best first, only among ``document_ids`` when given.

    Ids that are not the owner's, or of documents being deleted, are left out (so is a hit of a document
    deleted while the search ran); callers that must refuse foreign ids check them first."""
    if document_ids is not None:
        wanted = sorted(await run_in_threadpool(documents.existing, owner_id, document_ids))
        if not wanted:
            return []
    elif not await run_in_threadpool(documents.has_any, owner_id):
        return []
    else:
        wanted = None
    return await run_in_threadpool(_search, settings, owner_id, query, top_k, mode, wanted)


def _search(
    settings: Settings, owner_id: str, query: str, top_k: int, mode: SearchMode, document_ids: list[str] | None
) -> list[Hit]:
    from privategpt.rag.embeddings import embedder_for
    from privategpt.rag.stores import store_for

    vector = None if mode == "keyword" else embedder_for(settings).embed_query(query)
    hits = store_for(settings).search(
        owner_id, text=query, vector=vector, top_k=top_k, mode=mode, document_ids=document_ids
    )
    found = {hit.document_id for hit in hits}
    if not found:
        return []
    remaining = documents.existing(owner_id, found)  # a document deleted meanwhile: its chunks may linger
    return [hit for hit in hits if hit.document_id in remaining]
