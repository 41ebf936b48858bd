"""The document tools: ``search_documents``, ``list_documents``, ``read_document``, always over the calling
user's documents only (the user comes from ``identity.current_principal``, never from the arguments).

``read_document`` reads the uploaded file from the documents bucket and parses it again with the ingestion's
parsers (``rag.parsing``): the text is the document's full text, in order, with its page numbers, which the
stored chunks (overlapping, and not listable per document in every vector store) cannot give. The parse
happens per call: paging through a large PDF parses it each time.
"""

from typing import Annotated

from mcp.server.mcpserver import MCPServer
from mcp_types import ToolAnnotations
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from privategpt.documents import s3
from privategpt.documents import service as documents_service
from privategpt.documents.schemas import DocumentPage, SearchRequest, SearchResponse
from privategpt.errors import AppError, ServiceUnavailable, ValidationFailed
from privategpt.rag.errors import DocumentRejected
from privategpt.rag.types import ParsedDocument, SearchMode
from privategpt.settings import Settings
from privategpt.storage import documents
from privategpt.storage.models import DocumentItem
from privategpt.tools.files.area import slice_text
from privategpt.tools.identity import current_principal
from privategpt.tools.server import window
from privategpt.tools.server.errors import guarded

_READ_ONLY = ToolAnnotations(readOnlyHint=True, destructiveHint=False, idempotentHint=True, openWorldHint=False)


class DocumentUnreadable(AppError):
    status_code = 409
    code = "document_unreadable"


class DocumentText(BaseModel):
    id: str
    filename: str
    content_type: str
    pages: int | None = Field(description="pages of a paged format (PDF); null for the others")
    page: int | None = Field(description="the page read; null: the whole document")
    text: str = Field(description="the characters from start to end")
    start: int
    end: int
    total_chars: int = Field(description="characters of the page read, or of the whole document")
    truncated: bool = Field(description="true when more text follows: read again from next_start")
    next_start: int | None


def _joined(parsed: ParsedDocument, page: int | None) -> str:
    """The sections' text in order (one page's only when ``page`` is given), each heading on its own line
    where it changes."""
    lines: list[str] = []
    heading: str | None = None
    for section in parsed.sections:
        if page is not None and section.page != page:
            continue
        if section.heading and section.heading != heading:
            lines.append(f"## {section.heading}")
        heading = section.heading
        if section.text.strip():
            lines.append(section.text.strip())
    return "\n\n".join(lines)


def _parsed(settings: Settings, item: DocumentItem) -> ParsedDocument:
    from privategpt.aws_clients import s3_client
    from privategpt.rag.ingest.objects import read_object
    from privategpt.rag.parsing import parse

    bucket = s3.bucket(settings)
    try:
        data = read_object(s3_client(settings), bucket, item.object_key, max_bytes=settings.document_max_bytes)
        return parse(data, declared_type=item.content_type, filename=item.filename, settings=settings)
    except DocumentRejected as exc:
        raise DocumentUnreadable(exc.reason, details={"reason": exc.code}) from exc


def _read(
    settings: Settings, user_id: str, document_id: str, page: int | None, start: int, max_chars: int | None
) -> DocumentText:
    from botocore.exceptions import BotoCoreError, ClientError

    item = documents.get(user_id, document_id)
    shown = documents_service.document_out(item, settings)
    if shown.status != documents.READY:
        raise DocumentUnreadable(
            f"the document is {shown.status}: its text can be read once it is ready", details={"status": shown.status}
        )
    try:
        parsed = _parsed(settings, item)
    except (BotoCoreError, ClientError) as exc:
        raise ServiceUnavailable("reading the document failed: the document storage cannot be reached") from exc
    pages = parsed.pages
    if page is not None and (pages is None or page > pages):
        what = f"it has {pages} pages" if pages is not None else "it has no pages: read it with start and max_chars"
        raise ValidationFailed(f"no page {page} in this document: {what}", details={"field": "page"})
    text = _joined(parsed, page)
    sliced = slice_text(item.filename, text, start, max_chars, settings.tools_read_max_chars)
    return DocumentText(
        id=item.document_id,
        filename=item.filename,
        content_type=parsed.content_type or item.content_type,
        pages=pages,
        page=page,
        text=sliced.text,
        start=sliced.start,
        end=sliced.end,
        total_chars=sliced.total_chars,
        truncated=sliced.truncated,
        next_start=sliced.next_start,
    )


def register(server: MCPServer, settings: Settings) -> None:
    max_chars_field = window.max_chars(settings)

    @server.tool(
        name="search_documents",
        title="Search documents",
        description=(
            "Search the user's uploaded documents for passages relevant to a query. Returns the best matching "
            "passages, best first, each with its document id, file name, page and heading. Use it to answer "
            "questions from the user's documents; cite the file name and page."
        ),
        annotations=_READ_ONLY,
    )
    @guarded
    async def search_documents(
        query: Annotated[
            str,
            Field(min_length=1, max_length=settings.max_search_query_chars, description="what to look for, in words"),
        ],
        document_ids: Annotated[
            list[str] | None,
            Field(
                max_length=settings.rag_max_document_ids,
                description="search only these documents (ids from list_documents); default: all",
            ),
        ] = None,
        top_k: Annotated[
            int | None,
            Field(
                ge=1,
                le=settings.rag_max_top_k,
                description=f"how many passages to return (default {settings.rag_default_top_k})",
            ),
        ] = None,
        mode: Annotated[
            SearchMode | None,
            Field(
                description="vector (by meaning), keyword (exact words) or hybrid (both; "
                f"default {settings.rag_default_mode})"
            ),
        ] = None,
    ) -> SearchResponse:
        principal = current_principal()
        body = SearchRequest(query=query, document_ids=document_ids, top_k=top_k, mode=mode)
        wanted = await run_in_threadpool(documents_service.check_search, principal, body, settings)
        return await documents_service.search(principal, body, wanted, settings)

    @server.tool(
        name="list_documents",
        title="List documents",
        description=(
            "List the user's uploaded documents, newest first: id, file name, type, size, pages, status "
            "(uploading, processing, ready or failed, with the reason) and dates. Pass next_cursor back as "
            "cursor for the next page."
        ),
        annotations=_READ_ONLY,
    )
    @guarded
    async def list_documents(
        limit: Annotated[
            int | None,
            Field(ge=1, le=settings.max_page_size, description=f"default {settings.default_page_size}"),
        ] = None,
        cursor: Annotated[str | None, Field(description="next_cursor of the previous page")] = None,
    ) -> DocumentPage:
        principal = current_principal()
        return await run_in_threadpool(
            documents_service.list_documents, principal, limit or settings.default_page_size, cursor, settings
        )

    @server.tool(
        name="read_document",
        title="Read a document",
        description=(
            "Read the text of one of the user's ready documents (id from list_documents or search_documents), "
            f"at most {settings.tools_read_max_chars} characters per call: one page of a PDF with page, or any "
            "part with start and max_chars. When truncated is true, call again with start=next_start."
        ),
        annotations=_READ_ONLY,
    )
    @guarded
    async def read_document(
        id: Annotated[str, Field(min_length=1, max_length=64, description="the document's id")],
        page: Annotated[int | None, Field(ge=1, description="read only this page (1-based; PDF)")] = None,
        start: window.Start = 0,
        max_chars: Annotated[int | None, max_chars_field] = None,
    ) -> DocumentText:
        principal = current_principal()
        return await run_in_threadpool(_read, settings, principal.user_id, id, page, start, max_chars)
