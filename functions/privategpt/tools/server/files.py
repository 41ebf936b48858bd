"""The file tools: ``list_files``, ``read_file``, ``write_file``, ``delete_file`` over the calling user's file
area (``tools/files``): S3 with ``files_bucket``, else ``<data_dir>/files/<user_id>``."""

from typing import Annotated

from mcp.server.mcpserver import MCPServer
from mcp_types import ToolAnnotations
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from privategpt.settings import Settings
from privategpt.tools.files.area import UserFiles, WriteMode
from privategpt.tools.files.models import FileDeleted, FileListing, FileText, FileWritten
from privategpt.tools.identity import current_principal
from privategpt.tools.server import window
from privategpt.tools.server.errors import guarded


def _files(settings: Settings) -> UserFiles:
    return UserFiles(settings, current_principal().user_id)


def register(server: MCPServer, settings: Settings) -> None:
    max_chars_field = window.max_chars(settings)
    path_field = Field(
        min_length=1,
        max_length=settings.files_max_path_chars,
        description="a relative path such as notes/todo.md (no leading /, no .., no \\ or %)",
    )
    area = (
        f"The user's private file area holds up to {settings.files_max_count} UTF-8 text files of at most "
        f"{settings.files_max_bytes} bytes each, {settings.files_max_total_bytes} bytes in all."
    )

    @server.tool(
        name="list_files",
        title="List files",
        description=f"List the files in the user's file area (path, size, modified), with usage and limits. {area}",
        annotations=ToolAnnotations(readOnlyHint=True, idempotentHint=True, openWorldHint=False),
    )
    @guarded
    async def list_files(
        folder: Annotated[
            str | None,
            Field(max_length=settings.files_max_path_chars, description="list only this folder (default: all)"),
        ] = None,
    ) -> FileListing:
        files = _files(settings)
        return await run_in_threadpool(files.list, folder)

    @server.tool(
        name="read_file",
        title="Read a file",
        description=(
            f"Read a text file from the user's file area, at most {settings.tools_read_max_chars} characters per "
            "call. When truncated is true, call again with start=next_start."
        ),
        annotations=ToolAnnotations(readOnlyHint=True, idempotentHint=True, openWorldHint=False),
    )
    @guarded
    async def read_file(
        path: Annotated[str, path_field],
        start: window.Start = 0,
        max_chars: Annotated[int | None, max_chars_field] = None,
    ) -> FileText:
        files = _files(settings)
        return await run_in_threadpool(lambda: files.read(path, start=start, max_chars=max_chars))

    @server.tool(
        name="write_file",
        title="Write a file",
        description=(
            "Write a UTF-8 text file in the user's file area (folders are made as needed). mode: overwrite "
            f"(default) replaces the file, append adds to its end, create fails if it exists. {area}"
        ),
        annotations=ToolAnnotations(readOnlyHint=False, destructiveHint=True, openWorldHint=False),
    )
    @guarded
    async def write_file(
        path: Annotated[str, path_field],
        content: Annotated[str, Field(description="the text to write")],
        mode: Annotated[WriteMode, Field(description="overwrite, append or create")] = "overwrite",
    ) -> FileWritten:
        files = _files(settings)
        return await run_in_threadpool(files.write, path, content, mode)

    @server.tool(
        name="delete_file",
        title="Delete a file",
        description="Delete a file from the user's file area. It cannot be undone.",
        annotations=ToolAnnotations(readOnlyHint=False, destructiveHint=True, idempotentHint=True, openWorldHint=False),
    )
    @guarded
    async def delete_file(path: Annotated[str, path_field]) -> FileDeleted:
        files = _files(settings)
        return await run_in_threadpool(files.delete, path)
