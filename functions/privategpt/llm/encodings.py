"""tiktoken's encodings, baked in so that counting never downloads.

tiktoken fetches its rank files from the network on first use and caches them under
``TIKTOKEN_CACHE_DIR`` by the SHA-1 of their URL. The npm package ``tiktoken`` ships the same ranks; this
module writes them into that cache format (``make install`` runs it, and so does the layer build), and
tiktoken still checks each file against its expected SHA-256 when it loads it.

    python -m privategpt.llm.encodings [--from node_modules/tiktoken] [--to DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
from pathlib import Path

ENCODINGS = {
    "o200k_base": "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
    "cl100k_base": "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
}
PACKAGED_CACHE = Path(__file__).resolve().parent / "tiktoken_cache"


def cache_file_name(url: str) -> str:
    return hashlib.sha1(url.encode()).hexdigest()  # noqa: S324 - tiktoken's own cache key


def cache_dir(configured: Path | None) -> Path:
    return configured if configured is not None else PACKAGED_CACHE


def is_baked(directory: Path, name: str) -> bool:
    return (directory / cache_file_name(ENCODINGS[name])).is_file()


def use_cache(directory: Path) -> None:
    """Point tiktoken at the baked files (before its first load)."""
    os.environ["TIKTOKEN_CACHE_DIR"] = str(directory)


def ranks_file(npm_encoder: Path) -> bytes:
    """The npm encoder JSON (``bpe_ranks`` = "<tag> <first rank> <token> <token> …") as a .tiktoken file."""
    ranks = json.loads(npm_encoder.read_text())["bpe_ranks"]
    parts = ranks.split(" ")
    first = int(parts[1])
    return "".join(f"{token} {first + i}\n" for i, token in enumerate(parts[2:])).encode()


def bake(npm_package: Path, target: Path) -> list[Path]:
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name, url in ENCODINGS.items():
        path = target / cache_file_name(url)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(ranks_file(npm_package / "encoders" / f"{name}.json"))
        tmp.replace(path)
        written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--from", dest="source", type=Path, default=Path("node_modules/tiktoken"))
    parser.add_argument("--to", dest="target", type=Path, default=PACKAGED_CACHE)
    args = parser.parse_args()
    for path in bake(args.source, args.target):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
