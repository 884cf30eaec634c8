"""The HTTP clients' errors (``jpm_tui.api.errors``, shared by every backend's client) in the provider's terms: a
``ProviderError`` for the cache (what a feed, a read or a ping raises) and a ``CommandResult`` outcome for a command
that failed. Each backend gives its own request-field -> domain-field names.

The api package's errors are imported when an error is met, not with this module: the board loads the provider to link
a record, and must not load the HTTP client with it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from jpm_tui.provider.base import CommandResult, Outcome, ProviderError

__all__ = ["provider_error", "result_from_error", "translated"]

def provider_error(exc: BaseException) -> ProviderError | None:
    """An API failure as a ``ProviderError``; None for anything else (a bug, an unreadable page: raised as it is)."""
    from jpm_tui.api import errors as api

    if not isinstance(exc, api.JpmApiError):
        return None
    status = exc.status if isinstance(exc, api.ApiError) else None
    return ProviderError(
        str(exc),
        retryable=(isinstance(exc, api.TransportError) or status is None or status == 429 or status >= 500),
        auth=isinstance(exc, api.AuthError) or status in (401, 403),
        unavailable=api.unavailable_reason(exc),
        status=status,
        retry_after=exc.retry_after if isinstance(exc, api.RateLimitedError) else None,
        title=exc.title if isinstance(exc, api.ApiError) else str(exc),
        kind=type(exc).__name__,
    )


@contextmanager
def translated() -> Iterator[None]:
    """Raise an API failure met inside as a ``ProviderError`` (from it, so the log keeps the original)."""
    try:
        yield
    except Exception as exc:
        error = provider_error(exc)
        if error is None:
            raise
        raise error from exc


def result_from_error(exc: Exception, field_names: Mapping[str, str] | None = None) -> CommandResult:
    """A command's failure -> outcome. Anything but an API failure (TypeError, pydantic validation of our own
    request) is a rejection carrying the message, so a bad command lands in the outbox as failed rather than
    retried forever. ``field_names``: the backend's request field -> domain field, for the answer's field errors."""
    error = provider_error(exc)
    if error is None:
        name = type(exc).__name__
        return CommandResult(Outcome.REJECTED, message=str(exc) or name, detail={"error": name})
    status = error.status
    if error.retryable:
        outcome = Outcome.RETRY
    elif error.auth:
        outcome = Outcome.AUTH
    elif status == 404:
        outcome = Outcome.NOT_FOUND
    elif status == 409:
        outcome = Outcome.CONFLICT
    else:
        outcome = Outcome.REJECTED
    detail: dict[str, Any] = {"error": error.kind}
    if status is not None:
        detail["status"] = status
    trace = getattr(exc, "trace_id", None)
    if trace:
        detail["trace_id"] = trace
    return CommandResult(outcome, message=error.title or error.kind, field_errors=_field_errors(exc, field_names or {}),
                         retry_after=error.retry_after, detail=detail)


def _field_errors(exc: Exception, field_names: Mapping[str, str]) -> dict[str, list[str]]:
    """The answer's field errors under the domain's field names (the form puts each next to its field)."""
    raw = getattr(exc, "errors", None)
    out: dict[str, list[str]] = {}
    if isinstance(raw, Mapping):
        for key, messages in raw.items():
            msgs = [str(m) for m in messages] if isinstance(messages, (list, tuple)) else [str(messages)]
            out[field_names.get(str(key), str(key))] = msgs
    return out
