"""Tools (MCP): the built-in server, the chat's tool loop, the operator's servers; and the API's general limits."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field

from privategpt.settings_fields.common import CommaList


class ToolsFields(BaseModel):
    # --- tools (MCP): the built-in server, the chat's tool loop, the operator's servers ---
    tools_enabled: bool = True  # False: no tools in chat, no /mcp
    tools_builtin_server: str = "privategpt"  # the built-in server's name in tool ids ("privategpt/list_files")
    # what a conversation enables unless it says otherwise: server names (all their tools) or "server/tool" ids
    tools_default_enabled: CommaList = Field(default_factory=lambda: ["privategpt"])
    tools_servers_file: Path | None = None  # the operator's external MCP servers (YAML; see README)
    tools_max_rounds: int = Field(default=5, ge=1)  # model -> tools -> model rounds in one turn
    tools_call_timeout_seconds: float = Field(default=30.0, gt=0)  # one tool call
    tools_turn_timeout_seconds: float = Field(default=120.0, gt=0)  # all tool calls of one turn together
    tools_max_parallel_calls: int = Field(default=8, ge=1)
    tools_result_max_chars: int = Field(default=8000, gt=0)  # of a result, as the model sees and we store it
    tools_event_max_chars: int = Field(default=2000, gt=0)  # of a result, in the stream's tool_result event
    tools_list_ttl_seconds: float = Field(default=300.0, ge=0)  # tools/list of each server is cached this long
    tools_connect_timeout_seconds: float = Field(default=10.0, gt=0)  # opening a session to an MCP server
    tools_max_enabled: int = Field(default=64, gt=0)  # tool ids a conversation or message may name
    # the built-in file area: an S3 bucket (prefix per user) or, with none, data_dir / "files"
    files_bucket: str | None = None
    files_max_bytes: int = Field(default=1_048_576, gt=0)  # one file
    files_max_count: int = Field(default=200, gt=0)  # files per user
    files_max_total_bytes: int = Field(default=50 * 1_048_576, gt=0)  # all of a user's files
    files_max_path_chars: int = Field(default=255, gt=0)
    tools_read_max_chars: int = Field(default=20_000, gt=0)  # read_file / read_document output
    # Streamable HTTP at /mcp: DNS-rebinding protection (hosts/origins allowed besides localhost's),
    # and the public URL named in the OAuth protected-resource metadata (RFC 9728); None: from the request
    mcp_allowed_hosts: CommaList = Field(default_factory=list)
    mcp_allowed_origins: CommaList = Field(default_factory=list)
    mcp_resource_url: str | None = None
    mcp_max_body_bytes: int = Field(default=1_048_576, gt=0)

    # --- limits ---
    max_request_body_bytes: int = 1_048_576
    max_title_chars: int = 200
    max_model_chars: int = 200
    max_prompt_name_chars: int = 100
    max_prompt_content_chars: int = 32_000
    max_model_pattern_chars: int = 100
    max_prompts_per_owner: int = 200
    global_prompts_cache_seconds: float = 30.0
    default_page_size: int = 20
    max_page_size: int = 100
