"""What the model reads of a tool result."""

from __future__ import annotations

import base64
import json

from mcp_types import CallToolResult, ImageContent, TextContent

from privategpt.tools.client.render import render

STRUCTURED = {"files": [{"path": "a.md", "size": 3}], "count": 1}


def test_structured_output_repeated_as_indented_text_is_sent_compact() -> None:
    result = CallToolResult(
        content=[TextContent(type="text", text=json.dumps(STRUCTURED, indent=2))], structured_content=STRUCTURED
    )
    assert render(result) == '{"files":[{"path":"a.md","size":3}],"count":1}'


def test_text_that_says_more_than_the_structured_output_is_kept() -> None:
    result = CallToolResult(
        content=[TextContent(type="text", text="Found 1 file: a.md")], structured_content=STRUCTURED
    )
    assert render(result) == "Found 1 file: a.md"


def test_text_blocks_are_joined_and_images_are_described() -> None:
    image = ImageContent(type="image", data=base64.b64encode(b"x" * 10).decode(), mime_type="image/png")
    result = CallToolResult(content=[TextContent(type="text", text="one"), image, TextContent(type="text", text="two")])
    assert render(result) == "one\n[image image/png, 10 bytes]\ntwo"


def test_structured_output_alone_is_sent_compact() -> None:
    assert render(CallToolResult(content=[], structured_content=STRUCTURED)) == json.dumps(
        STRUCTURED, separators=(",", ":")
    )
