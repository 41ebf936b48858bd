from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

from privategpt.llm import encodings
from privategpt.llm.tokens import MESSAGE_OVERHEAD, REPLY_PRIMING, TokenCounter
from privategpt.llm.types import ChatMessage
from privategpt.settings import Settings
from tests.conftest import REPO_ROOT

# tiktoken's own expected SHA-256 of each rank file.
EXPECTED = {
    "o200k_base": "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
    "cl100k_base": "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
}


def test_baked_files_are_tiktokens_originals(tmp_path: Path) -> None:
    written = encodings.bake(REPO_ROOT / "node_modules" / "tiktoken", tmp_path)
    by_name = {p.name: p for p in written}
    for name, url in encodings.ENCODINGS.items():
        data = by_name[encodings.cache_file_name(url)].read_bytes()
        assert hashlib.sha256(data).hexdigest() == EXPECTED[name]


def test_known_counts(settings: Settings) -> None:
    counter = TokenCounter(settings)
    # From OpenAI's cookbook: cl100k_base encodes "tiktoken is great!" in 6 tokens.
    assert counter.count_text("openai", "gpt-4", "tiktoken is great!") == 6
    assert counter.count_text("openai", "gpt-4o", "hello world") == 2
    assert counter.count_text("openai", "gpt-4o", "") == 0
    assert counter.is_exact("openai", "gpt-4o") and not counter.is_exact("anthropic", "claude-sonnet-4-9")


def test_estimate_for_other_models_errs_high(settings: Settings) -> None:
    counter = TokenCounter(settings)
    text = "The quick brown fox jumps over the lazy dog. " * 20
    exact = counter.count_text("openai", "gpt-4", text)
    for provider, model in (("anthropic", "claude-sonnet-4-9"), ("ollama", "llama3.2"), ("openai", "llama3.2")):
        assert counter.count_text(provider, model, text) == -(-exact * settings.llm_token_estimate_factor // 1)


def test_message_framing(settings: Settings) -> None:
    counter = TokenCounter(settings)
    messages = (ChatMessage("system", "hello world"), ChatMessage("user", "hello world"))
    assert counter.count_messages("openai", "gpt-4o", messages) == REPLY_PRIMING + 2 * (MESSAGE_OVERHEAD + 2)


def test_counting_needs_no_network() -> None:
    """A fresh interpreter with every socket connect refused still counts (the baked files are used)."""
    code = (
        "import socket\n"
        "def refuse(*a, **k): raise OSError('network disabled in this test')\n"
        "socket.socket.connect = refuse\n"
        "socket.create_connection = refuse\n"
        "from privategpt.llm.tokens import TokenCounter\n"
        "from privategpt.settings import Settings\n"
        "c = TokenCounter(Settings(_env_file=None))\n"
        "print(c.count_text('openai', 'gpt-4o', 'hello world'),"
        " c.count_text('openai', 'gpt-4', 'tiktoken is great!'))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["2", "6"]
