"""Lambda entry point for the HTTP API (API Gateway HTTP API, payload 2.0, JWT authorizer in front).

Everything here runs once per cold start; the app itself is the same one ``privategpt dev`` serves.
The JWT authorizer already checked the token, and the app checks it again: the function never trusts
its caller. The X-Ray tracer wraps the handler only when tracing is on (``PGPT_TRACING_ENABLED``, see
``observability.make_tracer``); otherwise the X-Ray SDK is never imported.

The imports below make over 100,000 objects that live as long as the process (classes, pydantic schemas,
routes) and almost no garbage; the cyclic collector would scan them over and over, a tenth of the cold
start. So it is off while they are made, and they are then frozen: collections during requests skip them.
"""

from __future__ import annotations

import gc

gc.disable()

from typing import Any

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.utilities.typing import LambdaContext
from mangum import Mangum

from privategpt.app import create_app
from privategpt.observability import logger, make_tracer
from privategpt.settings import get_settings

_settings = get_settings()
tracer = make_tracer(_settings.tracing_enabled, _settings.service_name)
metrics = Metrics(namespace="PrivateGPT")
_asgi = Mangum(create_app(_settings), lifespan="off")


def api_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    response: dict[str, Any] = _asgi(event, context)  # type: ignore[arg-type]  # same object, two stubs
    return response


_measured = metrics.log_metrics(api_handler, capture_cold_start_metric=True)
_traced = tracer.capture_lambda_handler(_measured, capture_response=False) if tracer else _measured
handler = logger.inject_lambda_context(_traced, clear_state=True)

gc.freeze()
gc.enable()
