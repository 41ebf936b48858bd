"""A Lambda context and API Gateway HTTP API (payload 2.0) events, for tests and for the one-shot invoker."""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass
from typing import Any


@dataclass
class FakeContext:
    function_name: str = "privategpt-api"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:privategpt-api"
    aws_request_id: str = "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"


def http_api_event(
    method: str, path: str, *, token: str | None = None, body: Any = None, query: str = ""
) -> dict[str, Any]:
    headers = {"content-type": "application/json", "host": "api.example.test", "x-request-id": "lambda-req-1"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    raw = json.dumps(body) if body is not None else None
    now = time.time()
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": query,
        "headers": headers,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "api-id",
            "domainName": "api.example.test",
            "domainPrefix": "api",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "203.0.113.7",
                "userAgent": "pytest",
            },
            "requestId": "Abc123=",
            "routeKey": "$default",
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "timeEpoch": int(now * 1000),
            "authorizer": {"jwt": {"claims": {}, "scopes": None}},
        },
        **(
            {"body": base64.b64encode(raw.encode()).decode(), "isBase64Encoded": True}
            if raw
            else {"isBase64Encoded": False}
        ),
    }
