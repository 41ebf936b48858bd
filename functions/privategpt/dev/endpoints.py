"""Where the running ``privategpt dev`` serves its local services, for other local commands.

DynamoDB Local and moto get free ports each time ``dev`` starts, so ``dev`` writes them to
``<data dir>/dev.json`` while it runs (and removes the file when it stops); ``privategpt mcp --stdio``, started
by a desktop MCP client with a fixed command line, reads them from there.
"""

from __future__ import annotations

import json
from pathlib import Path

from privategpt.settings import Settings

FILE_NAME = "dev.json"
_FIELDS = ("dynamodb_endpoint", "aws_endpoint_url", "documents_bucket", "table_name")


def path(data_dir: Path) -> Path:
    return data_dir / FILE_NAME


def write(settings: Settings) -> Path:
    target = path(settings.data_dir.resolve())
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps({name: getattr(settings, name) for name in _FIELDS}))
    return target


def read(data_dir: Path) -> dict[str, str] | None:
    """The running ``dev``'s endpoints as settings overrides; None when it is not running there."""
    try:
        values = json.loads(path(data_dir).read_text())
    except (OSError, ValueError):
        return None
    return {name: str(values[name]) for name in _FIELDS if isinstance(values, dict) and values.get(name)}
