"""What the file tools answer (their structured output)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class FileEntry(BaseModel):
    path: str = Field(description="relative to your file area, folders separated by /")
    size: int = Field(description="bytes")
    modified: datetime


class FileLimits(BaseModel):
    max_file_bytes: int
    max_files: int
    max_total_bytes: int
    max_path_chars: int


class FileListing(BaseModel):
    files: list[FileEntry]
    count: int = Field(description="files listed")
    total_bytes: int = Field(description="bytes of all your files (not only those listed)")
    total_files: int = Field(description="all your files (not only those listed)")
    limits: FileLimits


class FileText(BaseModel):
    path: str
    text: str = Field(description="the characters from start to end")
    start: int = Field(description="index of the first character returned")
    end: int = Field(description="index after the last character returned")
    total_chars: int
    truncated: bool = Field(description="true when more text follows: read again from next_start")
    next_start: int | None


class FileWritten(BaseModel):
    path: str
    size: int = Field(description="the file's size in bytes after the write")
    created: bool = Field(description="true when the file did not exist before")
    total_bytes: int = Field(description="bytes of all your files after the write")
    total_files: int


class FileDeleted(BaseModel):
    path: str
    deleted: bool
