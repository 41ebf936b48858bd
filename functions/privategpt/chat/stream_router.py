"""Phase 2: ``GET /stream/{token}``. No Authorization header: the one-use token is the credential."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from privategpt import __version__
from privategpt.chat import service
from privategpt.deps import SettingsDep
from privategpt.errors import error_responses
from privategpt.llm.service import LLMService
from privategpt.tools.deps import ToolsDep

router = APIRouter(tags=["stream"])


@router.get(
    "/stream/{token}",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}, **error_responses(404, 410, 503)},
)
async def stream(token: str, request: Request, settings: SettingsDep, tools: ToolsDep) -> StreamingResponse:
    """Server-sent events for one reply (see the README for the event contract)."""
    llm: LLMService = request.app.state.llm
    turn = await service.open_stream(llm, token, settings, tools)  # 404 / 410 before any byte goes out
    return StreamingResponse(
        service.stream_events(llm, turn, settings, tools),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.get("/", include_in_schema=False)
async def ready() -> dict[str, str]:
    """Readiness for the Lambda Web Adapter (it probes ``/`` before sending invocations)."""
    return {"status": "ok", "version": __version__}
