"""``/v1``: the OpenAI-compatible routes (mounted on the streaming app, see ``openai_api.app``)."""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from privategpt.auth.deps import CurrentPrincipal
from privategpt.deps import SettingsDep
from privategpt.errors import NotFound
from privategpt.limits.deps import AdmittedPrincipal
from privategpt.llm.router import LLMDep
from privategpt.openai_api import embeddings, responses, service
from privategpt.openai_api.schemas import ChatCompletionRequest, EmbeddingRequest

router = APIRouter(tags=["openai"])
_STARTED = int(time.time())  # the models' "created": when this process learned of them


async def _model_list(request: Request) -> list[dict[str, Any]]:
    llm = request.app.state.llm
    models = [responses.chat_model_view(m, _STARTED) for m in await llm.registry.models()]
    embedding = embeddings.embedding_model(request.app.state.settings)
    return [*models, responses.model_view(embedding, embedding.partition("/")[0], _STARTED)]


@router.get("/models")
async def list_models(request: Request, principal: CurrentPrincipal) -> dict[str, Any]:
    return {"object": "list", "data": await _model_list(request)}


@router.get("/models/{model_id:path}")
async def get_model(model_id: str, request: Request, principal: CurrentPrincipal) -> dict[str, Any]:
    for model in await _model_list(request):
        if model["id"] == model_id:
            return model
    raise NotFound(f"The model {model_id!r} does not exist", details={"field": "model"})


@router.post("/chat/completions", response_model=None)
async def chat_completions(
    body: ChatCompletionRequest, llm: LLMDep, principal: AdmittedPrincipal, settings: SettingsDep
) -> dict[str, Any] | StreamingResponse:
    accepted = await service.accept(llm, principal, body, settings)
    if not body.stream:
        return await service.complete(llm, accepted, settings)
    first, events = await service.open_stream(llm, accepted)  # a failure before any output is an HTTP error
    return StreamingResponse(
        service.stream(llm, accepted, first, events, settings),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.post("/embeddings")
async def create_embeddings(
    body: EmbeddingRequest, llm: LLMDep, principal: AdmittedPrincipal, settings: SettingsDep
) -> dict[str, Any]:
    return await embeddings.embed(llm, principal, body, settings)
