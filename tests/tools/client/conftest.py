from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from privategpt.auth.principal import Principal
from privategpt.settings import Settings


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def settings_with(tmp_path: Path, servers: list[dict[str, Any]] | None, **overrides: Any) -> Settings:
    """Settings whose servers file lists ``servers`` (no file when None)."""
    path = None
    if servers is not None:
        path = tmp_path / "servers.yaml"
        path.write_text(yaml.safe_dump({"servers": servers}))
    return Settings(_env_file=None, tools_servers_file=path, **overrides)


PRINCIPAL = Principal(user_id="user-a", issuer="https://issuer.test", subject="a")
