from __future__ import annotations

import pytest

from tests.rag.ingest.helpers import ingest_embeddings
from tests.support.fake_embeddings import FakeEmbeddings

__all__ = ["ingest_embeddings"]


@pytest.fixture(autouse=True)
def _fresh_embeddings(ingest_embeddings: FakeEmbeddings) -> None:
    ingest_embeddings.reset()
