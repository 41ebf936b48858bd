"""Retrieved sources: the user's document chunks that best match the question, numbered for citation.

Retrieval starts as soon as the question is known (alongside the conversation's read); the contributor then
takes at most ``PGPT_RAG_CONTEXT_FRACTION`` of what the system prompt and the new message left, adding sources in
rank order while they fit. The model is asked to cite them as [n]; the numbers are the ``n`` of the reply's
``sources``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from privategpt.chat.contributors.base import Part
from privategpt.llm.types import ChatMessage, ModelInfo
from privategpt.rag.types import Hit, SearchMode
from privategpt.settings import Settings

if TYPE_CHECKING:
    from privategpt.llm.service import LLMService

INSTRUCTIONS = (
    "Answer from the numbered sources below, taken from the user's documents. After each statement that uses a "
    "source, cite it as [n] (several as [1][3]). If the sources do not hold the answer, say so, and do not cite "
    "a source for anything it does not say."
)
NOTHING_FOUND = (
    "The user's documents were searched for this question and nothing relevant was found. If the answer depends "
    "on those documents, say that they do not contain it."
)


@dataclass(frozen=True)
class RagRequest:
    """The ``rag`` option of a message: which documents, how many chunks, which search."""

    document_ids: tuple[str, ...] | None = None
    top_k: int | None = None
    mode: SearchMode | None = None

    def view(self) -> dict[str, Any]:
        ids = list(self.document_ids) if self.document_ids is not None else None
        return {"document_ids": ids, "top_k": self.top_k, "mode": self.mode}

    @classmethod
    def from_view(cls, view: dict[str, Any]) -> RagRequest:
        ids = view.get("document_ids")
        return cls(tuple(ids) if ids is not None else None, view.get("top_k"), view.get("mode"))


@dataclass(frozen=True)
class Source:
    n: int
    document_id: str
    filename: str
    page: int | None
    chunk_id: str
    score: float
    snippet: str

    def view(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "document_id": self.document_id,
            "filename": self.filename,
            "page": self.page,
            "chunk_id": self.chunk_id,
            "score": self.score,
            "snippet": self.snippet,
        }

    @classmethod
    def from_view(cls, view: dict[str, Any]) -> Source:
        return cls(**{name: view[name] for name in cls.__dataclass_fields__})


def retrieve(settings: Settings, owner_id: str, request: RagRequest, query: str) -> asyncio.Task[list[Hit]]:
    """Start the search now (the caller goes on reading the conversation); the contributor awaits it."""
    from privategpt.rag import search  # the search stack loads with the first turn that asks for it

    return asyncio.ensure_future(
        search.search(
            settings,
            owner_id,
            query=query,
            top_k=request.top_k or settings.rag_default_top_k,
            mode=request.mode or settings.rag_default_mode,
            document_ids=request.document_ids,
        )
    )


@contextmanager
def cancelled_on_error(search: asyncio.Task[list[Hit]] | None) -> Iterator[None]:
    """A search started early is cancelled when the turn fails before it is awaited (no orphan task)."""
    try:
        yield
    except BaseException:
        if search is not None:
            search.cancel()
        raise


@dataclass(frozen=True)
class Sources:
    hits: Awaitable[list[Hit]]
    settings: Settings

    async def contribute(self, llm: LLMService, model: ModelInfo, budget: int) -> Part:
        hits = await self.hits
        if not hits:
            note = ChatMessage("system", NOTHING_FOUND)
            return Part("sources", (note,), llm.count_message(model, note), sources=())
        share = int(budget * self.settings.rag_context_fraction)
        blocks: list[str] = []
        chosen: list[Source] = []
        used = llm.count_message(model, ChatMessage("system", INSTRUCTIONS))
        for hit in hits:
            block = _block(len(chosen) + 1, hit)
            size = llm.count_message(model, ChatMessage("system", block))  # a few tokens high: safe
            if used + size > share:
                break
            blocks.append(block)
            chosen.append(self._source(len(chosen) + 1, hit))
            used += size
        if not chosen:
            return Part("sources", (), 0, sources=())
        message = ChatMessage("system", "\n\n".join([INSTRUCTIONS, *blocks]))
        return Part("sources", (message,), llm.count_message(model, message), sources=tuple(chosen))

    def _source(self, n: int, hit: Hit) -> Source:
        snippet = " ".join(hit.text.split())
        limit = self.settings.rag_snippet_chars
        if len(snippet) > limit:
            snippet = snippet[: limit - 1].rstrip() + "…"
        return Source(n, hit.document_id, hit.filename, hit.page, hit.chunk_id, round(hit.score, 6), snippet)


def _block(n: int, hit: Hit) -> str:
    where = hit.filename + (f", page {hit.page}" if hit.page is not None else "")
    if hit.heading:
        where += f", under “{hit.heading}”"
    return f"[{n}] ({where})\n{hit.text.strip()}"
