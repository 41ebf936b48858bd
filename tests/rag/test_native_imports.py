"""The native libraries of RAG load together in either order (usearch 2.26 crashed onnxruntime's import)."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    "order",
    [("usearch.index", "onnxruntime", "tokenizers"), ("onnxruntime", "tokenizers", "usearch.index")],
)
def test_native_modules_import_in_any_order(order: tuple[str, ...]) -> None:
    code = "; ".join(f"import {name}" for name in order)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, (order, done.returncode, done.stderr[-2000:])
