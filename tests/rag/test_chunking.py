"""The chunker's properties, over many seeded random documents, and its rules on small examples."""

from __future__ import annotations

import random
import re
from itertools import groupby, pairwise

import pytest

from privategpt.rag import chunking
from privategpt.rag.errors import DocumentRejected
from privategpt.rag.types import Chunk, ParsedDocument, Section, chunk_id
from privategpt.settings import Settings
from tests.conftest import make_settings

DOCUMENT = "doc-1"
OWNER = "owner-1"
FILENAME = "file.txt"
OVERLAP_SLACK_TOKENS = 2  # the overlap is measured in the run's tokenisation; alone its ends may count differently
RANDOM_DOCUMENTS = 100


def run(parsed: ParsedDocument, settings: Settings) -> list[Chunk]:
    return chunking.split(parsed, document_id=DOCUMENT, owner_id=OWNER, filename=FILENAME, settings=settings)


def count(text: str, settings: Settings) -> int:
    return len(chunking.encoding(settings).encode_ordinary(text))


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


# --- random documents -----------------------------------------------------------------------------------------


def random_word(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.03:  # a "word" longer than a chunk: only token slices can cut it
        return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(rng.randint(150, 400)))
    if kind < 0.08:
        return "".join(rng.choice("日本語の文章です中文字") for _ in range(rng.randint(1, 30)))
    if kind < 0.12:
        return rng.choice(["café", "naïve", "Ærøskøbing", "😀👍", "über", "façade"])
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(1, 10)))


def random_text(rng: random.Random) -> str:
    paragraphs = []
    for _ in range(rng.randint(1, 4)):
        lines = []
        for _ in range(rng.randint(1, 4)):
            sentences = []
            for _ in range(rng.randint(1, 4)):
                words = [random_word(rng) for _ in range(rng.randint(1, 25))]
                sentences.append(" ".join(words) + rng.choice([".", "!", "?", ".", "", "。"]))
            lines.append(rng.choice([" ", "  ", " \t"]).join(sentences))
        paragraphs.append("\n".join(lines))
    return rng.choice(["\n\n", "\n \n", "\n\n\n"]).join(paragraphs)


def random_document(rng: random.Random) -> ParsedDocument:
    sections = []
    page: int | None = rng.choice([None, 1])
    for _ in range(rng.randint(1, 6)):
        if page is not None and rng.random() < 0.5:
            page += 1
        heading = rng.choice([None, "Intro", "Results", "Méthodes"])
        sections.append(Section(text=random_text(rng), page=page, heading=heading))
    return ParsedDocument(sections=sections, pages=page)


def random_settings(rng: random.Random) -> Settings:
    limit = rng.choice([17, 24, 40, 64, 128])
    return make_settings(chunk_tokens=limit, chunk_overlap_tokens=rng.choice([0, 1, 4, limit // 4, limit // 2]))


def check_run(text: str, chunks: list[Chunk], overlap: int, settings: Settings) -> None:
    """The chunks of one page-and-heading run cover its words in order, each after the first starting with a
    tail (at most about ``overlap`` tokens) of the one before."""
    expected = squeeze(text)
    covered = squeeze(chunks[0].text)
    assert expected.startswith(covered)
    for before, chunk in pairwise(chunks):
        new = squeeze(chunk.text)
        shared = [
            k
            for k in range(min(len(covered), len(new)), -1, -1)
            if covered.endswith(new[:k]) and expected.startswith(new[k:], len(covered))
        ]
        assert shared, f"chunk {chunk.index} does not continue the text"
        if overlap:
            assert shared[0] > 0, f"chunk {chunk.index} does not overlap chunk {before.index}"
            # the shortest repeated prefix: a lower bound, but repetitive text cannot inflate it
            tail = min(j for j in range(1, len(chunk.text) + 1) if before.text.endswith(chunk.text[:j]))
            assert count(chunk.text[:tail], settings) <= overlap + OVERLAP_SLACK_TOKENS
        covered += new[shared[0] :]
    assert covered == expected


@pytest.mark.parametrize("seed", range(RANDOM_DOCUMENTS))
def test_random_documents(seed: int) -> None:
    rng = random.Random(seed)
    parsed = random_document(rng)
    settings = random_settings(rng)
    chunks = run(parsed, settings)

    assert [c.index for c in chunks] == list(range(len(chunks)))
    assert [c.chunk_id for c in chunks] == [chunk_id(DOCUMENT, i) for i in range(len(chunks))]
    assert all((c.document_id, c.owner_id, c.filename) == (DOCUMENT, OWNER, FILENAME) for c in chunks)
    for chunk in chunks:
        assert chunk.text and chunk.text == chunk.text.strip()
        assert chunk.token_count == count(chunk.text, settings) <= settings.chunk_tokens

    runs = [
        (key, "\n\n".join(s.text for s in group))
        for key, group in groupby(parsed.sections, lambda s: (s.page, s.heading))
    ]
    runs = [(key, text) for key, text in runs if text.strip()]
    chunk_runs = [(key, list(group)) for key, group in groupby(chunks, lambda c: (c.page, c.heading))]
    assert [key for key, _ in chunk_runs] == [key for key, _ in runs]  # one page and one heading per chunk
    overlap = min(settings.chunk_overlap_tokens, settings.chunk_tokens // 2)
    for (_, text), (_, run_chunks) in zip(runs, chunk_runs, strict=True):
        check_run(text, run_chunks, overlap, settings)

    assert run(parsed, settings) == chunks  # deterministic


# --- the rules, on small examples -----------------------------------------------------------------------------

SETTINGS = make_settings(chunk_tokens=40, chunk_overlap_tokens=8)


def test_small_sections_of_one_page_and_heading_merge_but_never_across() -> None:
    parsed = ParsedDocument(
        sections=[
            Section("First bit.", page=1, heading="A"),
            Section("Second bit.", page=1, heading="A"),
            Section("Third bit.", page=1, heading="B"),
            Section("Fourth bit.", page=2, heading="B"),
        ],
        pages=2,
    )
    chunks = run(parsed, SETTINGS)
    assert [(c.text, c.page, c.heading) for c in chunks] == [
        ("First bit.\n\nSecond bit.", 1, "A"),
        ("Third bit.", 1, "B"),
        ("Fourth bit.", 2, "B"),
    ]


def test_paragraphs_are_kept_whole_when_they_fit() -> None:
    paragraphs = [" ".join(f"p{i}w{j}" for j in range(8)) for i in range(6)]
    chunks = run(
        ParsedDocument(sections=[Section("\n\n".join(paragraphs))]),
        make_settings(chunk_tokens=60, chunk_overlap_tokens=0),
    )
    for chunk in chunks:
        assert all(part in paragraphs for part in chunk.text.split("\n\n"))


def test_overlap_starts_at_a_sentence_when_one_starts_in_the_tail() -> None:
    text = " ".join(f"Sentence number {i} has a few plain words in it." for i in range(12))
    chunks = run(ParsedDocument(sections=[Section(text)]), make_settings(chunk_tokens=40, chunk_overlap_tokens=16))
    assert len(chunks) > 2
    for chunk in chunks[1:]:
        assert chunk.text.startswith("Sentence number"), chunk.text


def test_overlap_without_sentences_starts_at_a_word() -> None:
    words = [f"w{i:03d}" for i in range(200)]
    chunks = run(ParsedDocument(sections=[Section(" ".join(words))]), SETTINGS)
    for chunk in chunks:
        assert all(word in words for word in chunk.text.split())


def test_text_without_spaces_is_cut_into_token_slices() -> None:
    rng = random.Random(1)
    text = "".join(rng.choice("abcdefghij") for _ in range(3000)) + "".join(
        rng.choice("語文章日本") for _ in range(500)
    )
    chunks = run(ParsedDocument(sections=[Section(text)]), SETTINGS)
    assert len(chunks) > 10
    assert all(0 < c.token_count <= SETTINGS.chunk_tokens for c in chunks)
    check_run(text, chunks, 8, SETTINGS)


def test_whitespace_only_sections_make_no_chunks() -> None:
    assert run(ParsedDocument(sections=[Section("  \n\n "), Section("")]), SETTINGS) == []


def test_an_overlap_setting_above_half_a_chunk_is_capped() -> None:
    settings = make_settings(chunk_tokens=20, chunk_overlap_tokens=500)
    chunks = run(ParsedDocument(sections=[Section(" ".join(f"w{i}" for i in range(300)))]), settings)
    assert all(c.token_count <= 20 for c in chunks) and len(chunks) > 10


def test_too_many_chunks_is_refused() -> None:
    settings = make_settings(chunk_tokens=20, chunk_overlap_tokens=0, ingest_max_chunks=5)
    parsed = ParsedDocument(
        sections=[Section(" ".join(f"word{i}." for i in range(30)), heading=f"H{h}") for h in range(3)]
    )
    with pytest.raises(DocumentRejected) as caught:
        run(parsed, settings)
    assert caught.value.code == "too_large"
    assert "more than 5 chunks" in caught.value.reason


def test_exactly_the_chunk_limit_is_accepted() -> None:
    parsed = ParsedDocument(sections=[Section(f"Section {i}.", heading=f"H{i}") for i in range(5)])
    assert len(run(parsed, make_settings(ingest_max_chunks=5))) == 5


def test_a_heading_with_no_text_of_its_own_opens_the_next_run_on_its_page() -> None:
    parsed = ParsedDocument(
        sections=[
            Section("Project Heron", page=1, heading="Project Heron"),
            Section("Launch", page=1, heading="Launch"),
            Section("Launch\n\nThe phrase is PURPLE-OTTER-42.", page=1, heading="Launch"),
            Section("Appendix", page=1, heading="Appendix"),  # the last run: kept, nothing follows it
            Section("Budget", page=2, heading="Budget"),
            Section("Eleven thousand euros.", page=3, heading="Budget"),
        ]
    )
    chunks = run(parsed, SETTINGS)
    assert [(c.page, c.heading, c.text) for c in chunks] == [
        (1, "Launch", "Project Heron\n\nLaunch\n\nLaunch\n\nThe phrase is PURPLE-OTTER-42."),
        (1, "Appendix", "Appendix"),  # the next run is on another page: a heading is never moved across pages
        (2, "Budget", "Budget"),
        (3, "Budget", "Eleven thousand euros."),
    ]
