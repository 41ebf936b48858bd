from __future__ import annotations

import asyncio

from privategpt.chat.contributors import Part, RagRequest, Source, Sources
from privategpt.chat.contributors.sources import INSTRUCTIONS, NOTHING_FOUND, cancelled_on_error
from privategpt.rag.types import Hit
from privategpt.settings import Settings
from tests.chat.contributors.counting import MODEL, OVERHEAD, counting_llm, words
from tests.conftest import make_settings


def hit(n: int, text: str, *, page: int | None = 1, heading: str | None = None) -> Hit:
    return Hit(f"doc{n}:{n:06d}", f"doc{n}", text, f"file{n}.pdf", score=1.0 / n, page=page, heading=heading)


async def _ready(hits: list[Hit]) -> list[Hit]:
    return hits


def run(hits: list[Hit], budget: int, settings: Settings | None = None) -> Part:
    async def go() -> Part:
        return await Sources(_ready(hits), settings or make_settings(rag_context_fraction=0.5)).contribute(
            counting_llm(), MODEL, budget
        )

    return asyncio.run(go())


def test_sources_are_numbered_in_rank_order_and_cited_by_number() -> None:
    part = run([hit(1, "alpha facts", heading="Intro"), hit(2, "beta facts", page=None)], 1000)
    assert part.slot == "sources"
    assert part.sources is not None
    assert [(s.n, s.document_id, s.page) for s in part.sources] == [(1, "doc1", 1), (2, "doc2", None)]
    (message,) = part.messages
    assert message.role == "system"
    assert message.content.startswith(INSTRUCTIONS)
    assert "[1] (file1.pdf, page 1, under “Intro”)\nalpha facts" in message.content
    assert "[2] (file2.pdf)\nbeta facts" in message.content
    assert part.tokens == OVERHEAD + len(message.content.split())


def test_sources_take_at_most_their_share_of_the_budget() -> None:
    hits = [hit(n, words(40)) for n in range(1, 11)]
    budget = 400
    part = run(hits, budget, make_settings(rag_context_fraction=0.5))
    assert part.sources is not None
    assert 0 < len(part.sources) < 10
    assert part.tokens <= budget * 0.5
    wider = run(hits, budget, make_settings(rag_context_fraction=1.0))
    assert wider.sources is not None
    assert len(wider.sources) > len(part.sources)


def test_nothing_found_tells_the_model_so() -> None:
    part = run([], 1000)
    assert part.sources == ()
    assert [m.content for m in part.messages] == [NOTHING_FOUND]


def test_no_room_means_no_sources_message() -> None:
    part = run([hit(1, words(500))], 100)
    assert part.sources == ()
    assert part.messages == ()
    assert part.tokens == 0


def test_snippets_are_short_and_on_one_line() -> None:
    settings = make_settings(rag_snippet_chars=20)
    part = run([hit(1, "line one\n\nline   two and a good deal more text")], 1000, settings)
    assert part.sources is not None
    snippet = part.sources[0].snippet
    assert len(snippet) <= 20
    assert snippet.endswith("…")
    assert "\n" not in snippet
    assert snippet.startswith("line one line two")


def test_views_round_trip() -> None:
    source = Source(3, "d", "f.md", None, "d:000001", 0.5, "s")
    assert Source.from_view(source.view()) == source
    request = RagRequest(("a", "b"), 4, "keyword")
    assert RagRequest.from_view(request.view()) == request
    assert RagRequest.from_view(RagRequest().view()) == RagRequest()


async def _never() -> list[Hit]:
    await asyncio.sleep(10)
    return []


def test_a_search_started_early_is_cancelled_when_the_turn_fails() -> None:
    async def go() -> bool:
        started = asyncio.create_task(_never())
        try:
            with cancelled_on_error(started):
                raise LookupError("conversation not found")
        except LookupError:
            pass
        await asyncio.sleep(0)
        return started.cancelled()

    assert asyncio.run(go())
