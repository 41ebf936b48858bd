"""The operator's external MCP servers: a YAML file (``PGPT_TOOLS_SERVERS_FILE``), validated when loaded.

::

    servers:
      - name: weather                   # ^[a-z0-9][a-z0-9_-]{0,31}$, unique, not the built-in server's name
        title: Weather                  # optional, shown in GET /api/tools
        transport: http                 # Streamable HTTP
        url: https://mcp.example.com/mcp
        headers: {X-Team: chat}         # optional, sent with every request
        headers_secret: prod/mcp/weather  # optional: a Secrets Manager secret whose JSON object holds headers
        allow_private_network: false    # true lets the URL resolve to loopback/private/link-local addresses
      - name: files
        transport: stdio                # local mode only (refused in Lambda)
        command: npx
        args: [-y, "@modelcontextprotocol/server-filesystem", /srv/shared]
        env: {LOG_LEVEL: warn}
        cwd: /srv
        enabled: true
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from privategpt.settings import Settings, running_in_lambda

SERVER_NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,31}$"
_SECRET_MAX_AGE_SECONDS = 300


class ServersFileError(ValueError):
    """The servers file cannot be read or does not validate; the message names the file and each problem."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _ServerBase(_Strict):
    name: str = Field(pattern=SERVER_NAME_PATTERN)
    title: str | None = None
    enabled: bool = True


class HttpServer(_ServerBase):
    transport: Literal["http"]
    url: str = Field(pattern=r"^https?://[^\s/?#]+")
    headers: dict[str, str] = Field(default_factory=dict)
    headers_secret: str | None = Field(default=None, description="Secrets Manager secret name or ARN")
    allow_private_network: bool = False


class StdioServer(_ServerBase):
    transport: Literal["stdio"]
    command: str = Field(min_length=1)
    args: list[str] = Field(default_factory=list)
    env: dict[str, str] = Field(default_factory=dict)
    cwd: Path | None = None


ServerConfig = Annotated[HttpServer | StdioServer, Field(discriminator="transport")]


class ServersFile(_Strict):
    servers: list[ServerConfig] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_names(self) -> ServersFile:
        names = [server.name for server in self.servers]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"server names must be unique: {duplicates}")
        return self


def _problems(error: ValidationError) -> str:
    lines = []
    for item in error.errors(include_url=False, include_input=False):
        where = ".".join(str(part) for part in item["loc"]) or "(file)"
        lines.append(f"  {where}: {item['msg']}")
    return "\n".join(lines)


def load_servers(settings: Settings) -> list[HttpServer | StdioServer]:
    """The enabled servers of ``settings.tools_servers_file`` (none without a file).

    Raises ``ServersFileError`` for a file that is missing, not YAML, invalid, names the built-in server, or has
    a stdio server while running in Lambda.
    """
    path = settings.tools_servers_file
    if path is None:
        return []
    import yaml

    try:
        data = yaml.safe_load(path.read_text()) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ServersFileError(f"MCP servers file {path}: cannot read it: {exc}") from exc
    try:
        parsed = ServersFile.model_validate(data)
    except ValidationError as exc:
        raise ServersFileError(f"MCP servers file {path} is invalid:\n{_problems(exc)}") from exc
    problems = []
    for server in parsed.servers:
        if server.name == settings.tools_builtin_server:
            problems.append(f"  {server.name}: the built-in server's name cannot be used for another server")
        if isinstance(server, StdioServer) and running_in_lambda():
            problems.append(f"  {server.name}: stdio servers run only in local mode, not in Lambda")
    if problems:
        raise ServersFileError(f"MCP servers file {path} is invalid:\n" + "\n".join(problems))
    return [server for server in parsed.servers if server.enabled]


def secret_headers(server: HttpServer) -> dict[str, str]:
    """The headers from the server's Secrets Manager secret (a JSON object of strings), read through Powertools
    (cached for a few minutes); empty without a secret."""
    if server.headers_secret is None:
        return {}
    from aws_lambda_powertools.utilities import parameters

    value: object = parameters.get_secret(server.headers_secret, max_age=_SECRET_MAX_AGE_SECONDS)
    text = value.decode() if isinstance(value, bytes) else str(value)
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise ServersFileError(f"the headers secret of MCP server {server.name} must be a JSON object of strings")
    return {str(key): value for key, value in data.items()}
