"""Provider failures mapped onto the API's errors. Messages never carry a key or a raw provider body."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
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


def status_error(provider: str, status: int, headers: Any, *, context_exceeded: bool = False) -> AppError:
    """The error for a provider's HTTP status (every provider maps the same way)."""
    if context_exceeded or status == 413:
        return ContextTooLong("the conversation is too long for this model", details={"provider": provider})
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
def sdk_errors(provider: str, sdk: ModuleType, context_exceeded: Callable[[Any], bool]) -> Iterator[None]:
    """Map the ``openai`` / ``anthropic`` SDK's exceptions (the two share their names) to ours."""
    try:
        yield
    except sdk.APIStatusError as exc:
        raise status_error(
            provider, exc.status_code, exc.response.headers, context_exceeded=context_exceeded(exc)
        ) from exc
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
