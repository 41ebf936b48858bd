"""The shapes every RAG part agrees on: parsed text, chunks, search hits, and the embedder and store interfaces.

Everything here is plain data or a Protocol (no numpy at import): the API's cold path imports this module,
the heavy parts (onnxruntime, opensearch-py, the embedded index) load where they are used.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    Vectors = NDArray[np.float32]  # shape (n, dimension), L2-normalised rows

SearchMode = Literal["vector", "keyword", "hybrid"]
SEARCH_MODES: tuple[SearchMode, ...] = ("vector", "keyword", "hybrid")


@dataclass(frozen=True)
class Section:
    """A run of text as a parser found it: the page it is on (1-based; None where a format has no pages) and
    the heading it sits under (the nearest one, None before the first)."""

    text: str
    page: int | None = None
    heading: str | None = None


@dataclass(frozen=True)
class ParsedDocument:
    sections: list[Section]
    pages: int | None = None  # pages of a paged format (PDF); None for the others
    content_type: str | None = None  # what the content was found to be (``parse`` sets it)


@dataclass(frozen=True)
class Chunk:
    """One piece of a document as it is indexed. ``chunk_id`` is the same on every ingestion of the same
    document (``<document_id>:<index>``), so a redelivered message overwrites rather than duplicates."""

    chunk_id: str
    document_id: str
    owner_id: str
    index: int
    text: str
    filename: str
    page: int | None = None
    heading: str | None = None
    token_count: int = 0


def chunk_id(document_id: str, index: int) -> str:
    return f"{document_id}:{index:06d}"


@dataclass(frozen=True)
class Hit:
    """A chunk found by a search, with its score in that search's scale (higher is better)."""

    chunk_id: str
    document_id: str
    text: str
    filename: str
    score: float
    page: int | None = None
    heading: str | None = None
    index: int = 0


class Embedder(Protocol):
    """Text to vectors. ``model_id`` names the vector space (an index built by one model is useless to
    another); vectors are L2-normalised, so a dot product is the cosine."""

    @property
    def model_id(self) -> str: ...

    @property
    def dimension(self) -> int: ...

    def embed_documents(self, texts: Sequence[str]) -> Vectors: ...

    def embed_query(self, text: str) -> Vectors: ...  # shape (dimension,)


class VectorStore(Protocol):
    """Where chunks and their vectors live, always searched within one owner's chunks."""

    def ensure_index(self, model_id: str, dimension: int) -> None:
        """Create the index for this embedding space, or check that the existing one was built by the same
        model and dimension (``IndexMismatch`` if not)."""

    def upsert(self, chunks: Sequence[Chunk], vectors: Vectors) -> None: ...

    def delete_document(self, owner_id: str, document_id: str) -> None:
        """Every chunk of the document gone; a document with none is not an error."""

    def search(
        self,
        owner_id: str,
        *,
        text: str,
        vector: Vectors | None,
        top_k: int,
        mode: SearchMode,
        document_ids: Sequence[str] | None = None,
    ) -> list[Hit]:
        """The owner's best ``top_k`` chunks (only among ``document_ids`` when given), best first.
        ``vector`` is the embedded ``text``; it may be None for ``keyword``."""

    def count(self, owner_id: str, document_id: str | None = None) -> int: ...

    def close(self) -> None: ...
