from __future__ import annotations

import random

import pytest

from privategpt.chat.tags import Content, Piece, TagParser, Thinking, UiTag, _merged

TEXT = (
    "Hi <think>let me see</think>Answer: 1 < 2 and <b>bold</b>. "
    '<card title="Paris" kind="city">Nice place</card> end <thin'
)
EXPECTED: list[Piece] = [
    Content("Hi "),
    Thinking("let me see"),
    Content("Answer: 1 < 2 and <b>bold</b>. "),
    UiTag(
        "card", {"title": "Paris", "kind": "city"}, "Nice place", '<card title="Paris" kind="city">Nice place</card>'
    ),
    Content(" end <thin"),
]


def _run(chunks: list[str], ui: frozenset[str] = frozenset({"card"}), limit: int = 20_000) -> list[Piece]:
    parser = TagParser(ui, limit)
    out: list[Piece] = []
    for chunk in chunks:
        out += parser.feed(chunk)
    return _merged(out + parser.flush())


def test_whole_text() -> None:
    assert _run([TEXT]) == EXPECTED


def test_split_at_every_single_byte() -> None:
    assert _run(list(TEXT)) == EXPECTED


@pytest.mark.parametrize("seed", range(200))
def test_split_anywhere(seed: int) -> None:
    rng = random.Random(seed)
    cuts = sorted(rng.sample(range(1, len(TEXT)), rng.randint(1, 25)))
    chunks = [TEXT[i:j] for i, j in zip([0, *cuts], [*cuts, len(TEXT)], strict=True)]
    assert _run(chunks) == EXPECTED


def test_unconfigured_tags_are_content() -> None:
    assert _run(['<chart a="1">x</chart>']) == [Content('<chart a="1">x</chart>')]


def test_unclosed_think_at_the_end_is_thinking() -> None:
    assert _run(["<think>still thinking"]) == [Thinking("still thinking")]


def test_overlong_ui_block_is_given_back_as_content() -> None:
    text = "<card>" + "x" * 50 + " and more"
    assert _run([text[:20], text[20:]], limit=10) == [Content(text)]
    assert _run(["<card>open but never closed"]) == [Content("<card>open but never closed")]
