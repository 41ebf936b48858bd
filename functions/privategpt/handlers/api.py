"""Lambda entry point for the HTTP API (API Gateway HTTP API, payload 2.0, JWT authorizer in front).

Everything here runs once per cold start; the app itself is the same one ``privategpt dev`` serves.
The JWT authorizer already checked the token, and the app checks it again: the function never trusts
its caller.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Metrics, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext
from mangum import Mangum

from privategpt.app import create_app
from privategpt.observability import logger

tracer = Tracer()
metrics = Metrics(namespace="PrivateGPT")
_asgi = Mangum(create_app(), lifespan="off")


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    response: dict[str, Any] = _asgi(event, context)  # type: ignore[arg-type]  # same object, two stubs
    return response
