"""The streaming function's app (phase 2), for uvicorn under the AWS Lambda Web Adapter.

The managed Python runtime and Mangum cannot stream a response, so this function runs ``run.sh`` (uvicorn)
behind the adapter's layer, with ``AWS_LAMBDA_EXEC_WRAPPER=/opt/bootstrap`` and
``AWS_LWA_INVOKE_MODE=response_stream``, on a function URL whose invoke mode is RESPONSE_STREAM.
The adapter waits for ``GET /`` to answer before it sends invocations.
"""

from __future__ import annotations

import gc

from privategpt.app import create_stream_app
from privategpt.observability import logger

app = create_stream_app()
gc.freeze()  # what start-up built lives as long as the process: later collections need not walk it
logger.info("stream app ready")
