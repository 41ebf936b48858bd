"""The ``/v1`` sub-application: its own error handlers (OpenAI's shape), the parent's state (settings, the model
layer, the token verifier), mounted on the streaming app, the one app whose responses can stream in Lambda."""

from __future__ import annotations

from fastapi import FastAPI

from privategpt import error_handlers
from privategpt.openai_api.errors import openai_error
from privategpt.openai_api.router import router

PREFIX = "/v1"


def mount(parent: FastAPI) -> None:
    v1 = FastAPI(title="PrivateGPT Serverless, OpenAI-compatible", docs_url=None, redoc_url=None, openapi_url=None)
    v1.state = parent.state  # one settings object, one LLMService, one verifier
    error_handlers.install(v1, openai_error)
    v1.include_router(router)
    parent.mount(PREFIX, v1)
