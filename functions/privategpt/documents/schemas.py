from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from privategpt.openapi import CONTROLS, SPACES, integral, setting_limit
from privategpt.rag.types import SearchMode

# A file name as a person gave it: no control or bidi characters, no path separators, not only dots and spaces.
_NAME_CHAR = rf"[^{CONTROLS}/\\]"
FILENAME_PATTERN = rf"^{_NAME_CHAR}*[^{CONTROLS}/\\.{SPACES}]{_NAME_CHAR}*$"

DocumentId = Annotated[str, Field(min_length=1, max_length=64)]


Count = Annotated[int, BeforeValidator(integral)]


class DocumentCreate(BaseModel):
    """The file about to be uploaded; the upload policy makes S3 accept exactly this size and type."""

    model_config = ConfigDict(extra="forbid", strict=True)

    filename: str = Field(
        min_length=1,
        pattern=FILENAME_PATTERN,
        description="the file's name, without a path: no control characters, no `/` or `\\`",
        json_schema_extra=setting_limit(maxLength="document_max_filename_chars"),
    )
    content_type: str = Field(
        min_length=1, max_length=255, description="a MIME type of PGPT_DOCUMENT_ALLOWED_TYPES (415 otherwise)"
    )
    size: Count = Field(
        gt=0,
        description="bytes, exactly (413 above the limit)",
        json_schema_extra=setting_limit(maximum="document_max_bytes"),
    )


class DocumentOut(BaseModel):
    id: str
    filename: str
    content_type: str
    size: int
    status: str = Field(description="uploading, processing, ready or failed")
    progress: int = Field(description="0-100 while processing")
    pages: int | None
    chunks: int
    error: str | None = Field(description="why it failed, for the owner to read")
    error_code: str | None
    embedding_model: str | None
    created_at: datetime
    updated_at: datetime
    ready_at: datetime | None


class UploadOut(BaseModel):
    """POST ``fields`` and then the file (as the last form field, named ``file``) to ``url`` as multipart."""

    url: str
    fields: dict[str, str]
    expires_at: datetime


class DocumentCreated(BaseModel):
    document: DocumentOut
    upload: UploadOut


class DocumentPage(BaseModel):
    items: list[DocumentOut]
    next_cursor: str | None


class SearchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    query: str = Field(min_length=1, json_schema_extra=setting_limit(maxLength="max_search_query_chars"))
    document_ids: list[DocumentId] | None = Field(
        default=None,
        description="search only these of the caller's documents (default: all of them)",
        json_schema_extra=setting_limit(maxItems="rag_max_document_ids"),
    )
    top_k: Annotated[int, Field(gt=0), BeforeValidator(integral)] | None = Field(
        default=None,
        description="default: PGPT_RAG_DEFAULT_TOP_K",
        json_schema_extra=setting_limit(maximum="rag_max_top_k"),
    )
    mode: SearchMode | None = Field(default=None, description="default: PGPT_RAG_DEFAULT_MODE")


class SearchResult(BaseModel):
    chunk_id: str
    document_id: str
    filename: str
    page: int | None
    heading: str | None
    score: float = Field(description="in the scale of the search's mode; higher is better")
    text: str


class SearchResponse(BaseModel):
    results: list[SearchResult]
    mode: SearchMode
