"""Logging with the request id on every line.

One Powertools logger (JSON) for the whole package. The request id lives in a context variable set by
the request middleware; a logging filter copies it onto each record, so concurrent requests never see
each other's id (``append_keys`` would be process-wide).
"""

from __future__ import annotations

import logging
from contextvars import ContextVar

from aws_lambda_powertools import Logger

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        request_id = request_id_var.get()
        if request_id is not None:
            record.request_id = request_id
        return True


logger = Logger(service="privategpt")
logger.addFilter(_RequestIdFilter())


def configure(service_name: str, level: str) -> None:
    logger.service = service_name
    logger.setLevel(level)
