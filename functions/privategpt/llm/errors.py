"""Provider failures mapped onto the API's errors. Messages never carry a key or a raw provider body."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

from privategpt.errors import AppError, NotFound


class ProviderError(AppError):
    """A provider failed in a way the caller cannot fix (bad gateway)."""

    status_code = 502
    code = "provider_error"
    retryable = False

    def __init__(self, provider: str, message: str, *, details: dict[str, Any] | None = None, **kw: Any) -> None:
        super().__init__(f"{provider}: {message}", details={"provider": provider, **(details or {})}, **kw)
        self.provider = provider


class ProviderAuthError(ProviderError):
    code = "provider_auth_error"


class ProviderRateLimited(ProviderError):
    status_code = 429
    code = "rate_limited"
    retryable = True

    def __init__(self, provider: str, retry_after: float | None) -> None:
        headers = {"Retry-After": str(max(1, round(retry_after)))} if retry_after is not None else None
        super().__init__(provider, "rate limited by the provider", headers=headers)
        self.retry_after = retry_after


class ProviderOverloaded(ProviderError):
    """5xx from the provider: worth another try."""

    code = "provider_unavailable"
    retryable = True

    def __init__(self, provider: str, status: int, retry_after: float | None = None) -> None:
        super().__init__(provider, f"the provider answered {status}", details={"status": status})
        self.retry_after = retry_after


class ProviderUnreachable(ProviderError):
    status_code = 503
    code = "provider_unreachable"
    retryable = True
    retry_after: float | None = None


class ProviderTimeout(ProviderError):
    status_code = 504
    code = "provider_timeout"


class ProviderBadResponse(ProviderError):
    code = "provider_bad_response"


class ContextTooLong(AppError):
    status_code = 413
    code = "context_too_long"

    def __init__(
        self,
        message: str,
        *,
        details: dict[str, Any] | None = None,
        window: int | None = None,
        prompt_tokens: int | None = None,
    ) -> None:
        super().__init__(message, details=details)
        self.window = window  # the window the provider stated, when it refused the prompt
        self.prompt_tokens = prompt_tokens  # the prompt as the provider counted it, when it said


# How servers word a refusal of a prompt too long for the window (OpenAI, vLLM, llama.cpp's server, LM Studio,
# Anthropic, Ollama), and where they state the window and their count of the prompt. Numbers may carry commas.
_N = r"(\d[\d,]*)"
_REFUSAL = re.compile(
    r"context_length_exceeded|maximum context length|exceed_context_size_error|exceeds the available context"
    r"|context length exceeded|context window|context length of only|prompt is too long|exceed context limit"
    r"|input length exceeds the context length|exceeds limit \(\d+ > \d+\)|context length",
    re.IGNORECASE,
)
_WINDOW = [
    re.compile(p, re.IGNORECASE)
    for p in (
        rf"maximum context length is {_N}",  # OpenAI, vLLM
        rf"available context size \({_N} tokens\)",  # llama.cpp
        rf"context length of only {_N}",  # LM Studio
        rf"tokens > {_N} maximum",  # Anthropic: "prompt is too long: 300000 tokens > 200000 maximum"
        rf"exceed context limit: {_N} \+ {_N} > {_N}",  # Anthropic, prompt + max_tokens (third number)
        rf"exceeds limit \({_N} > {_N}\)",  # Ollama
        rf"maximum context length (?:of )?\(?{_N}",  # Mistral, LiteLLM, others
        rf"context (?:length|window|size) (?:is|of) {_N}",
    )
]
_PROMPT = [
    re.compile(p, re.IGNORECASE)
    for p in (
        rf"request \({_N} tokens\) exceeds",  # llama.cpp
        rf"prompt contains (?:at least )?{_N} input tokens",  # vLLM
        rf"\({_N} in the messages",  # older vLLM, OpenAI
        rf"messages resulted in {_N} tokens",  # OpenAI
        rf"request has {_N} (?:input )?tokens",
        rf"prompt is too long: {_N} tokens",  # Anthropic
        rf"exceed context limit: {_N} \+",  # Anthropic
        rf"exceeds limit \({_N} >",  # Ollama
        rf"input length \(?{_N}",
    )
]


def _number(text: str) -> int | None:
    value = int(text.replace(",", ""))
    return value if value > 0 else None


def _field(data: Any, name: str) -> int | None:
    """A positive integer ``name`` in an error body, at its top level or under ``error``."""
    for scope in (data, data.get("error") if isinstance(data, dict) else None):
        value = scope.get(name) if isinstance(scope, dict) else None
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
    return None


def context_refusal(provider: str, status: int, body: Any) -> ContextTooLong | None:
    """The provider's refusal of a prompt too long for its window, with the window and prompt size it stated;
    None when the body says something else. ``body`` is the parsed JSON error body, or its text."""
    if status not in (400, 413, 422, 500):
        return None
    text = body if isinstance(body, str) else json.dumps(body)
    if status != 413 and not _REFUSAL.search(text):
        return None
    window = _field(body, "n_ctx")  # llama.cpp's exceed_context_size_error
    if window is None:
        window = next((_number(m.groups()[-1]) for p in _WINDOW if (m := p.search(text))), None)
    prompt = _field(body, "n_prompt_tokens")
    if prompt is None:
        prompt = next((_number(m.group(1)) for p in _PROMPT if (m := p.search(text))), None)
    message = "the prompt is too long for this model" + (f" (its window is {window} tokens)" if window else "")
    return ContextTooLong(message, details={"provider": provider}, window=window, prompt_tokens=prompt)


class ModelNotFound(NotFound):
    code = "model_not_found"


def retry_after_seconds(headers: Any) -> float | None:
    """Seconds from a Retry-After (or retry-after-ms) header; HTTP dates are ignored."""
    if headers is None:
        return None
    millis = headers.get("retry-after-ms")
    if millis:
        try:
            return float(millis) / 1000
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value:
        try:
            return max(0.0, float(value))
        except ValueError:
            return None
    return None


def status_error(provider: str, status: int, headers: Any, body: Any = "") -> AppError:
    """The error for a provider's HTTP status and error body (every provider maps the same way)."""
    refused = context_refusal(provider, status, body)
    if refused is not None:
        return refused
    if status in (401, 403):
        return ProviderAuthError(provider, "the provider rejected the API key")
    if status == 429:
        return ProviderRateLimited(provider, retry_after_seconds(headers))
    if status >= 500:
        return ProviderOverloaded(provider, status, retry_after_seconds(headers))
    if status == 404:
        return ProviderError(provider, "the provider does not know this model", details={"status": status})
    return ProviderError(provider, f"the provider refused the request ({status})", details={"status": status})


def _http_libraries() -> list[ModuleType]:
    """The openai and anthropic SDKs ship on ``httpx2``; Ollama's client is ``httpx``."""
    import httpx

    libraries: list[ModuleType] = [httpx]
    try:
        import httpx2

        libraries.append(httpx2)
    except ImportError:  # an SDK generation on plain httpx
        pass
    return libraries


def transport_errors() -> tuple[type[Exception], ...]:
    """HTTP-library errors that the provider SDKs let escape while a stream is read (a connection cut
    mid-stream is a provider error, not a crash)."""
    return tuple(library.TransportError for library in _http_libraries())


def from_transport(provider: str, exc: Exception) -> ProviderError:
    if isinstance(exc, tuple(library.TimeoutException for library in _http_libraries())):
        return ProviderTimeout(provider, "the provider stopped answering")
    return ProviderUnreachable(provider, "the connection to the provider broke")


@contextmanager
def sdk_errors(provider: str, sdk: ModuleType) -> Iterator[None]:
    """Map the ``openai`` / ``anthropic`` SDK's exceptions (the two share their names) to ours."""
    try:
        yield
    except sdk.APIStatusError as exc:
        body = exc.body if exc.body is not None else str(getattr(exc, "message", ""))
        raise status_error(provider, exc.status_code, exc.response.headers, body) from exc
    except sdk.APITimeoutError as exc:
        raise ProviderTimeout(provider, "the provider did not answer in time") from exc
    except sdk.APIConnectionError as exc:
        raise ProviderUnreachable(provider, "the provider cannot be reached") from exc
    except sdk.APIResponseValidationError as exc:
        raise ProviderBadResponse(provider, "the provider sent a malformed response") from exc
    except json.JSONDecodeError as exc:  # a malformed stream chunk
        raise ProviderBadResponse(provider, "the provider sent a malformed response") from exc
    except transport_errors() as exc:
        raise from_transport(provider, exc) from exc
