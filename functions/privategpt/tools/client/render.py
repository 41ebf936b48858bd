"""A tool result as the text the model reads: text blocks joined, structured content as compact JSON when there is
no other text (or the text only repeats it), and a short placeholder for images, audio and resources."""

from __future__ import annotations

import base64
import binascii
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mcp_types import CallToolResult


def _decoded_size(data: str) -> int:
    try:
        return len(base64.b64decode(data, validate=False))
    except (binascii.Error, ValueError):
        return len(data)


def _block(block: Any) -> tuple[bool, str]:
    """(is text, what the model sees) for one content block."""
    kind = getattr(block, "type", None)
    if kind == "text":
        return True, str(block.text)
    if kind in ("image", "audio"):
        return False, f"[{kind} {block.mime_type}, {_decoded_size(block.data)} bytes]"
    if kind == "resource":
        resource = block.resource
        mime = getattr(resource, "mime_type", None) or "unknown type"
        text = getattr(resource, "text", None)
        size = len(text.encode()) if text is not None else _decoded_size(getattr(resource, "blob", "") or "")
        return False, f"[resource {resource.uri}, {mime}, {size} bytes]"
    if kind == "resource_link":
        name = f" ({block.name})" if getattr(block, "name", None) else ""
        return False, f"[resource link {block.uri}{name}]"
    return False, f"[{kind or 'unknown'} content]"


def _same_json(text: str, value: Any) -> bool:
    try:
        return bool(json.loads(text) == value)
    except ValueError:
        return False


def render(result: CallToolResult) -> str:
    blocks = [_block(block) for block in result.content]
    texts = [text for is_text, text in blocks if is_text]
    parts = [text for _, text in blocks]
    structured = result.structured_content
    if structured is not None and (not texts or (len(texts) == 1 and _same_json(texts[0], structured))):
        # servers (ours among them) repeat structured output as indented JSON text: compact, it costs fewer tokens
        compact = json.dumps(structured, separators=(",", ":"), ensure_ascii=False)
        parts = [compact, *(text for is_text, text in blocks if not is_text)]
    return "\n".join(parts)
