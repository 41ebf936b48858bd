"""Logging with the request id on every line, and the X-Ray tracer when tracing is on.

One Powertools logger (JSON) for the whole package. The request id lives in a context variable set by
the request middleware; a logging filter copies it onto each record, so concurrent requests never see
each other's id (``append_keys`` would be process-wide).
"""

from __future__ import annotations

import logging
import os
from contextvars import ContextVar
from typing import TYPE_CHECKING

from aws_lambda_powertools import Logger
from aws_lambda_powertools.shared import constants
from aws_lambda_powertools.shared.functions import resolve_truthy_env_var_choice

if TYPE_CHECKING:
    from aws_lambda_powertools import Tracer

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


def tracing_on(enabled: bool) -> bool:
    """``PGPT_TRACING_ENABLED`` asks for X-Ray; ``POWERTOOLS_TRACE_DISABLED`` (Powertools' own switch) vetoes it."""
    vetoed = resolve_truthy_env_var_choice(env=os.getenv(constants.TRACER_DISABLED_ENV, "false"))
    return enabled and not vetoed


def make_tracer(enabled: bool, service_name: str) -> Tracer | None:
    """The Powertools tracer, or None when tracing is off.

    Building a ``Tracer`` imports the X-Ray SDK (about a quarter of the API function's cold start) even when
    it then disables itself, so it is built only where tracing is on: in AWS, where the function has active
    tracing and ``PGPT_TRACING_ENABLED=true``. Lambda sets ``AWS_XRAY_*`` on every function, traced or not,
    so the environment cannot tell us; the setting does.
    """
    if not tracing_on(enabled):
        return None
    from aws_lambda_powertools import Tracer

    return Tracer(service=service_name)
