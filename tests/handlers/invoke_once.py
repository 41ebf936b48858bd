"""Run by the tests in a fresh interpreter (``python -m tests.handlers.invoke_once``), with the environment
the test chose: imports the Lambda handler, invokes it once with ``GET /api/me`` (no token: a 401 that
touches no DynamoDB) and prints as JSON the status, whether the X-Ray SDK was loaded, the handler's
wrapping, and what the garbage collector did during the import. The environment is read at import, so each
case needs its own process.
"""

from __future__ import annotations

import gc
import json
import sys

from tests.handlers.lambda_events import FakeContext, http_api_event


def _collections() -> int:
    return sum(generation["collections"] for generation in gc.get_stats())


def main() -> None:
    before = _collections()
    import privategpt.handlers.api as api

    collections = _collections() - before
    result = api.handler(http_api_event("GET", "/api/me"), FakeContext())
    report = {
        "status": result["statusCode"],
        "xray_loaded": "aws_xray_sdk" in sys.modules,
        "tracer": api.tracer is not None,
        "gc": {"collections_during_import": collections, "enabled": gc.isenabled(), "frozen": gc.get_freeze_count()},
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
