from __future__ import annotations

from fastapi import APIRouter, Request

from privategpt.auth.deps import CurrentPrincipal
from privategpt.chat import service
from privategpt.chat.schemas import QuickChat, QuickResult, SendMessage, SendResult, StreamTicket
from privategpt.deps import SettingsDep
from privategpt.llm.service import LLMService

router = APIRouter(prefix="/api/chat", tags=["chat"])


def _llm(request: Request) -> LLMService:
    llm: LLMService = request.app.state.llm
    return llm


@router.post("/conversations/{conversation_id}/messages", response_model=SendResult)
async def send_message(
    conversation_id: str, body: SendMessage, request: Request, principal: CurrentPrincipal, settings: SettingsDep
) -> SendResult:
    """Send a message and wait for the whole reply; returns both messages."""
    return await service.send(_llm(request), principal, conversation_id, body, settings)


@router.post("/conversations/{conversation_id}/prepare-stream", response_model=StreamTicket)
async def prepare_stream(
    conversation_id: str, body: SendMessage, request: Request, principal: CurrentPrincipal, settings: SettingsDep
) -> StreamTicket:
    """Phase 1 of a streamed reply: checks, saves the user message, returns a one-use stream URL."""
    return await service.prepare_stream(_llm(request), principal, conversation_id, body, settings)


@router.post("/quick", response_model=QuickResult)
async def quick_chat(
    body: QuickChat, request: Request, principal: CurrentPrincipal, settings: SettingsDep
) -> QuickResult:
    """Stateless one-shot chat; only usage is recorded."""
    return await service.quick(_llm(request), principal, body, settings)
