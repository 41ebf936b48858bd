#!/bin/sh
# Lambda handler of the streaming function: the Lambda Web Adapter (exec wrapper /opt/bootstrap) runs this
# and proxies invocations to uvicorn on $PORT (the adapter's default port is 8080).
# Dependencies come from the layer (/opt/python); the function code is $LAMBDA_TASK_ROOT.
PYTHONPATH="${LAMBDA_TASK_ROOT:-$(dirname "$0")}:/opt/python${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONPATH
exec "${PYTHON:-python3}" -m uvicorn privategpt.handlers.stream:app \
  --host 0.0.0.0 --port "${PORT:-8080}" --no-access-log --timeout-graceful-shutdown 5
