"""What can go wrong talking to ServiceTitan, as exceptions the board can show.

ServiceTitan answers every 4xx/5xx with an RFC 7807 `ApiErrorResponse`
(`type`, `title`, `status`, `traceId`, `errors`, `data`); `ApiError` keeps all of it so the UI can show the
title and put each field error next to its field. Nothing here ever holds a secret or a token.
"""

from __future__ import annotations

import json
import socket
from typing import Any

import httpx


class JpmApiError(Exception):
    """Base of every error the client raises."""


class TransportError(JpmApiError):
    """The server could not be reached, did not answer in time, or answered with something unreadable."""

    def __init__(self, message: str, *, host: str = "", answered: bool = False) -> None:
        super().__init__(message)
        self.host = host
        self.answered = answered
        """The server did answer, with something unreadable (it is reachable)."""

    @classmethod
    def from_httpx(cls, exc: httpx.TransportError | httpx.TimeoutException) -> TransportError:
        host = _host_of(exc)
        return cls(f"Could not reach {host}: {_describe(exc)}", host=host)


class ApiError(JpmApiError):
    """An RFC 7807 error answer from the API."""

    def __init__(
        self,
        status: int,
        title: str,
        *,
        type: str = "",
        detail: str = "",
        trace_id: str | None = None,
        errors: dict[str, list[str]] | None = None,
        data: dict[str, Any] | None = None,
        raw: Any = None,
    ) -> None:
        self.status = status
        self.title = title
        self.type = type
        self.detail = detail
        """RFC 7807's explanation of this occurrence (BigChange fills it; ServiceTitan's answers have none)."""
        self.trace_id = trace_id
        self.errors = errors or {}
        self.data = data or {}
        self.raw = raw
        super().__init__(self._message())

    def field_errors(self, name: str) -> list[str]:
        """Messages for one field; ServiceTitan spells field keys in Pascal or camel case, so match either."""
        wanted = name.lower()
        return [m for key, messages in self.errors.items() if key.lower() == wanted for m in messages]

    def _message(self) -> str:
        lines = [f"{self.title} ({self.status})"]
        if self.detail and self.detail != self.title:
            lines.append(self.detail)
        lines += [f"{field}: {message}" for field, messages in self.errors.items() for message in messages]
        return "\n".join(lines)


class ValidationError(ApiError):
    """400 or 422: the request was refused as invalid."""


class AuthError(ApiError):
    """401/403, or the token endpoint refused the client credentials."""


class NotFoundError(ApiError):
    """404: the record does not exist (or is not visible to this tenant)."""


class ConflictError(ApiError):
    """409: the record's state forbids the change."""


class RateLimitedError(ApiError):
    """429: too many requests; `retry_after` says how many seconds to wait."""

    def __init__(self, *args: Any, retry_after: float | None = None, **kwargs: Any) -> None:
        self.retry_after = retry_after
        super().__init__(*args, **kwargs)


def unavailable_reason(exc: BaseException) -> str | None:
    """When ``exc`` means no request to the API can succeed now, the reason in a few words: the server cannot be
    reached or does not answer, or sign-in is refused (a 403 is not: it may forbid one endpoint only). None for a
    failure of one request."""
    if isinstance(exc, TransportError) and not exc.answered:
        return str(exc)
    if isinstance(exc, AuthError) and exc.status != 403:
        return f"sign-in refused ({exc.status}): {exc.title}"
    return None


_BY_STATUS: dict[int, type[ApiError]] = {
    400: ValidationError,
    401: AuthError,
    403: AuthError,
    404: NotFoundError,
    409: ConflictError,
    422: ValidationError,
    429: RateLimitedError,
}


def error_from_response(response: httpx.Response, *, retry_after: float | None = None) -> ApiError:
    """Turn an error answer into the matching `ApiError`, even when its body is not RFC 7807."""
    body = _json_or_none(response)
    problem = body if isinstance(body, dict) else {}
    title = problem.get("title") or response.reason_phrase or f"HTTP {response.status_code}"
    errors = problem.get("errors") if isinstance(problem.get("errors"), dict) else {}
    kwargs: dict[str, Any] = dict(
        type=str(problem.get("type") or ""),
        detail=str(problem.get("detail") or ""),
        trace_id=problem.get("traceId"),
        errors={str(k): [str(m) for m in (v if isinstance(v, list) else [v])] for k, v in errors.items()},
        data=problem.get("data") if isinstance(problem.get("data"), dict) else {},
        raw=body if body is not None else response.text[:2000],
    )
    cls = _BY_STATUS.get(response.status_code, ApiError)
    if cls is RateLimitedError:
        return RateLimitedError(response.status_code, str(title), retry_after=retry_after, **kwargs)
    return cls(int(problem.get("status") or response.status_code), str(title), **kwargs)


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return json.loads(response.content) if response.content else None
    except ValueError:
        return None


def _host_of(exc: httpx.HTTPError) -> str:
    try:
        return exc.request.url.host
    except RuntimeError:  # an error raised before a request existed
        return "the server"


def _describe(exc: httpx.HTTPError) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    if isinstance(exc, httpx.ConnectError):
        causes = _causes(exc)  # httpx and anyio wrap the OS error ("All connection attempts failed")
        text = " ".join(str(cause) for cause in causes).lower()
        if "refused" in text or any(isinstance(cause, ConnectionRefusedError) for cause in causes):
            return "connection refused"
        if ("name or service" in text or "nodename" in text or "resolution" in text
                or any(isinstance(cause, socket.gaierror) for cause in causes)):
            return "host name not found"
        return f"connection failed ({exc})" if str(exc) else "connection failed"
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError):
        return "the connection was closed mid-response"
    return str(exc) or type(exc).__name__


def _causes(exc: BaseException) -> list[BaseException]:
    """``exc`` and what it was raised from, outermost first (a few levels)."""
    chain: list[BaseException] = []
    cause: BaseException | None = exc
    while cause is not None and len(chain) < 8:
        chain.append(cause)
        cause = cause.__cause__ or cause.__context__
    return chain
