"""The README's settings table names every setting, and nothing that is not one."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from privategpt.dev.dynamodb_local import free_port
from privategpt.settings import Settings
from tests.dev.running import STARTUP_SECONDS, clean_env, running_dev

README = Path(__file__).resolve().parent.parent / "README.md"


def test_settings_table_matches_the_code() -> None:
    documented = set(re.findall(r"^\| `PGPT_([A-Z0-9_]+)`", README.read_text(), flags=re.MULTILINE))
    fields = {name.upper() for name in Settings.model_fields}
    assert documented == fields


# --- the walkthrough: "Try it with curl", "Chat" and "Documents…", run as written against `privategpt dev` ------------

WALKTHROUGH_SECTIONS = ("Try it with curl", "Chat", "Documents and answers with sources (RAG)", "Tools (MCP)")
README_API = "http://127.0.0.1:8000"
# Every curl call fails on a non-2xx answer (none is expected in the walkthrough), and so does the script.
PRELUDE = """set -euo pipefail
trap 'echo "README walkthrough failed at: $BASH_COMMAND" >&2' ERR
curl() { command curl --fail-with-body --max-time 60 "$@"; }
"""
SCRIPT_SECONDS = 150


def walkthrough_blocks() -> list[str]:
    """The ```bash blocks of the walkthrough's sections, in README order."""
    text = README.read_text()
    blocks: list[str] = []
    for title in WALKTHROUGH_SECTIONS:
        start = text.index(f"\n## {title}\n")
        end = text.find("\n## ", start + 1)
        section = text[start : end if end != -1 else len(text)]
        blocks += re.findall(r"^```bash\n(.*?)^```", section, flags=re.DOTALL | re.MULTILINE)
    return blocks


@pytest.mark.timeout(SCRIPT_SECONDS + 2 * STARTUP_SECONDS)
def test_readme_walkthrough_runs_top_to_bottom(tmp_path: Path, dynamodb_endpoint: str) -> None:
    blocks = walkthrough_blocks()
    assert len(blocks) == 4 and all(README_API in block for block in blocks[:1])
    clone = tmp_path / "clone"  # a fresh clone: .venv/ (as `make install` makes it) and nothing else
    clone.mkdir()
    (clone / ".venv").symlink_to(sys.prefix, target_is_directory=True)
    port = free_port()
    script = PRELUDE + "\n".join(blocks).replace(README_API, f"http://127.0.0.1:{port}")
    # The session's DynamoDB Local with a table of its own saves a start; `dev` starting one is tested apart.
    table = f"readme-{uuid.uuid4().hex[:8]}"
    with running_dev(
        clone / ".local",
        port,
        "--stream-port",
        str(free_port()),
        cwd=clone,
        PGPT_DYNAMODB_ENDPOINT=dynamodb_endpoint,
        PGPT_TABLE_NAME=table,
    ) as (_, lines):
        result = subprocess.run(
            ["bash", "-c", script],
            cwd=clone,
            env=clean_env(),
            capture_output=True,
            text=True,
            timeout=SCRIPT_SECONDS,
            check=False,
        )
        out = result.stdout
        assert result.returncode == 0, f"{result.stderr}\n--- stdout:\n{out}\n--- dev:\n{''.join(lines)}"
    assert '"subject":"alice"' in out and '"title":"Lisbon in May"' in out
    assert out.count("204\n") == 3  # soft, then hard delete of a conversation; the document
    assert '"id":"demo/echo"' in out and '"provider":"demo"' in out
    assert '"content":"You said: Why is the sky blue?' in out and '"thinking":"The user wrote' in out
    events = re.findall(r"^event: (\w+)$", out, flags=re.MULTILINE)
    ends = [i + 1 for i, kind in enumerate(events) if kind == "done"]
    assert len(ends) == 3, events
    first, second, third = events[: ends[0]], events[ends[0] : ends[1]], events[ends[1] :]
    assert first[0] == "start" and first[-1] == "done" and "error" not in events
    assert {"thinking", "content", "usage"} <= set(first) and "sources" not in first
    assert '"delta":"sunsets "' in out  # the streamed reply echoes the second message
    # Documents: uploaded through the presigned POST, ready, found, and cited before the answer streams.
    assert '"filename":"heron.md","content_type":"text/markdown","size":83,"status":"ready","progress":100' in out
    assert second[:2] == ["start", "sources"] and second[-1] == "done" and "content" in second
    sources = json.loads(re.findall(r"^event: sources\ndata: (.*)$", out, flags=re.MULTILINE)[0])["sources"]
    assert sources[0]["n"] == 1 and sources[0]["filename"] == "heron.md" and "PURPLE-OTTER-42" in sources[0]["snippet"]
    assert '"filename":"heron.md"' in out and '"mode":"hybrid"' in out  # the search
    # Tools: the built-in server's tools listed; the demo model's call to system_info, its result, the answer from
    # it, all stored; the conversation's choice saved; an outside client over /mcp on both protocol revisions.
    assert '"id":"privategpt/search_documents"' in out and '"defaults":["privategpt"]' in out
    assert third[0] == "start" and third[-1] == "done" and "error" not in third
    assert third.index("tool_call") < third.index("tool_result") < third.index("content")
    call = json.loads(re.findall(r"^event: tool_call\ndata: (.*)$", out, flags=re.MULTILINE)[0])
    assert (call["name"], call["server"], call["arguments"]) == ("system_info", "privategpt", {})
    result = json.loads(re.findall(r"^event: tool_result\ndata: (.*)$", out, flags=re.MULTILINE)[0])
    assert result["ok"] is True and '"service":"privategpt"' in result["content"]
    assert '"delta":"Here "' in out  # the demo's answer from the result
    assert '[{"id": "' + call["id"] + '", "name": "system_info", "server": "privategpt"' in out
    assert '"tools":["privategpt/system_info","privategpt/list_files","privategpt/read_file"]' in out
    assert '"name":"write_file"' in out and '"structuredContent":{"path":"notes/hello.md","size":12' in out
    assert '"text":"hi from curl"' in out.replace("\\", "")
