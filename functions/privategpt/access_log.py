"""Access logs never show a stream token.

``GET /stream/<token>`` carries its credential in the path (EventSource cannot send headers), and uvicorn's
access log writes every path. This filter, on the ``uvicorn.access`` logger, replaces the token segment
before the line is formatted; ``privategpt dev`` installs it. (In AWS, ``run.sh`` runs uvicorn with
``--no-access-log``.)
"""

from __future__ import annotations

import logging
import re

ACCESS_LOGGER = "uvicorn.access"
REDACTED = "[redacted]"
_STREAM_TOKEN = re.compile(r"(/stream/)[^/?#\s\"]+")


def redact(text: str) -> str:
    """``/stream/<token>`` → ``/stream/[redacted]``, anywhere in the text."""
    return _STREAM_TOKEN.sub(rf"\g<1>{REDACTED}", text)


class RedactStreamTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(arg) if isinstance(arg, str) else arg for arg in record.args)
        return True


def install(logger_name: str = ACCESS_LOGGER) -> None:
    """Add the filter to the access logger (once; uvicorn's logging config keeps logger filters)."""
    logger = logging.getLogger(logger_name)
    if not any(isinstance(f, RedactStreamTokens) for f in logger.filters):
        logger.addFilter(RedactStreamTokens())
