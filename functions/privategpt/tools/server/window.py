"""The part of a long text one read returns: the ``start`` and ``max_chars`` of ``read_file`` and
``read_document`` (their annotations: this module has no postponed annotations, as the SDK reads them)."""

from typing import Annotated

from pydantic import Field
from pydantic.fields import FieldInfo

from privategpt.settings import Settings

Start = Annotated[int, Field(ge=0, description="first character to return (0-based)")]


def max_chars(settings: Settings) -> FieldInfo:
    limit = settings.tools_read_max_chars
    info: FieldInfo = Field(ge=1, le=limit, description=f"characters to return (default and at most {limit})")
    return info
