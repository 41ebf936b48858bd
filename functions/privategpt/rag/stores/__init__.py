"""The vector store the settings name, one per process and configuration; each implementation is imported only
when chosen (the embedded one needs numpy and usearch, OpenSearch's opensearch-py)."""

from __future__ import annotations

import threading

from privategpt.rag.types import VectorStore
from privategpt.settings import Settings

_stores: dict[str, VectorStore] = {}
_lock = threading.Lock()


def store_for(settings: Settings) -> VectorStore:
    key = settings.model_dump_json()
    with _lock:
        store = _stores.get(key)
        if store is None:
            store = _open(settings)
            _stores[key] = store
    return store


def _open(settings: Settings) -> VectorStore:
    if settings.vector_store == "opensearch":
        from privategpt.rag.stores.opensearch import OpenSearchStore

        return OpenSearchStore(settings)
    from privategpt.rag.stores.embedded import EmbeddedStore

    return EmbeddedStore(settings)


def close_stores() -> None:
    """Close every store this process opened (the embedded store saves its graphs); used at shutdown and by tests."""
    with _lock:
        stores = list(_stores.values())
        _stores.clear()
    for store in stores:
        store.close()
