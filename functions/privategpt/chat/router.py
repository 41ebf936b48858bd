from __future__ import annotations

from fastapi import APIRouter

from privategpt.chat import service
from privategpt.chat.schemas import QuickChat, QuickResult, SendMessage, SendResult, StreamTicket
from privategpt.deps import SettingsDep
from privategpt.errors import AUTHED, PROVIDER, check_length, error_responses
from privategpt.limits.deps import AdmittedPrincipal
from privategpt.llm.router import LLMDep
from privategpt.tools.deps import ToolsDep

router = APIRouter(prefix="/api/chat", tags=["chat"])

_RESPONSES = error_responses(400, *AUTHED, *PROVIDER, 422)


@router.post("/conversations/{conversation_id}/messages", response_model=SendResult, responses=_RESPONSES)
async def send_message(
    conversation_id: str,
    body: SendMessage,
    llm: LLMDep,
    principal: AdmittedPrincipal,
    settings: SettingsDep,
    tools: ToolsDep,
) -> SendResult:
    """Send a message and wait for the whole reply (with any tool rounds); returns both messages. Counts
    against the caller's limits (429 `rate_limit_exceeded` / `insufficient_quota` with `Retry-After`)."""
    check_length("model", body.model, settings.max_model_chars)
    return await service.send(llm, principal, conversation_id, body, settings, tools)


@router.post("/conversations/{conversation_id}/prepare-stream", response_model=StreamTicket, responses=_RESPONSES)
async def prepare_stream(
    conversation_id: str,
    body: SendMessage,
    llm: LLMDep,
    principal: AdmittedPrincipal,
    settings: SettingsDep,
    tools: ToolsDep,
) -> StreamTicket:
    """Phase 1 of a streamed reply: checks, saves the user message, returns a one-use stream URL. Counts against
    the caller's limits here (phase 2 does not count again)."""
    check_length("model", body.model, settings.max_model_chars)
    return await service.prepare_stream(llm, principal, conversation_id, body, settings, tools)


@router.post("/quick", response_model=QuickResult, responses=_RESPONSES)
async def quick_chat(body: QuickChat, llm: LLMDep, principal: AdmittedPrincipal, settings: SettingsDep) -> QuickResult:
    """Stateless one-shot chat; only usage is recorded. Counts against the caller's limits."""
    check_length("model", body.model, settings.max_model_chars)
    return await service.quick(llm, principal, body, settings)
