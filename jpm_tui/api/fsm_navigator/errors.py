"""FSM Navigator's error answers as the client's typed errors (jpm_tui.api.errors), in the API's own words.

The body is `{"success": false, "error": <code>, "message": <text>, "request_id": ...}` (the rate-limit
page shows it; the Jobs page names `validation_failed`, `invalid_status_transition` and `not_found`). The
error code goes to `ApiError.type`, the message to `title`, `request_id` to `trace_id`, field errors to
`errors`, anything else in the body to `data`. Undocumented variations are read too: field errors as
`{field: [msg]}`, `{field: msg}` or `[{"field", "message"}]`, and an `error` object holding `code` and
`message`.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from jpm_tui.api.errors import ApiError, AuthError, ConflictError, NotFoundError, RateLimitedError, ValidationError


class InvalidStatusTransitionError(ValidationError):
    """400 `invalid_status_transition`: the job cannot go to that status from the one it is in."""

    @property
    def allowed(self) -> list[str]:
        """The statuses the answer says are allowed from the current one, when it says so."""
        allowed = self.data.get("allowed_transitions")
        return [str(s) for s in allowed] if isinstance(allowed, list) else []


_BY_CODE: dict[str, type[ApiError]] = {
    "validation_failed": ValidationError,
    "invalid_status_transition": InvalidStatusTransitionError,
    "not_found": NotFoundError,
    "unauthorized": AuthError,
    "invalid_api_key": AuthError,
    "forbidden": AuthError,
    "insufficient_scope": AuthError,
    "rate_limit_exceeded": RateLimitedError,
}
_BY_STATUS: dict[int, type[ApiError]] = {400: ValidationError, 401: AuthError, 403: AuthError, 404: NotFoundError,
                                         409: ConflictError, 422: ValidationError, 429: RateLimitedError}
_ENVELOPE = frozenset({"success", "error", "message", "errors", "request_id"})


def error_from_response(response: httpx.Response, *, retry_after: float | None = None) -> ApiError:
    """The typed error for an error answer, even one whose body is not FSM Navigator's shape."""
    body = _json_or_none(response)
    fields = body if isinstance(body, dict) else {}
    error = fields.get("error")
    inner = error if isinstance(error, dict) else {}
    code = str((inner.get("code") if inner else error) or "")
    message = fields.get("message") or inner.get("message") or response.reason_phrase or f"HTTP {response.status_code}"
    kwargs: dict[str, Any] = dict(
        type=code,
        trace_id=fields.get("request_id") or response.headers.get("X-Request-Id"),
        errors=_field_errors(fields.get("errors") or inner.get("errors")),
        data={key: value for key, value in fields.items() if key not in _ENVELOPE},
        raw=body if body is not None else response.text[:2000],
    )
    cls = _BY_CODE.get(code) or _BY_STATUS.get(response.status_code, ApiError)
    if cls is RateLimitedError:
        seconds = retry_after if retry_after is not None else _seconds(fields.get("retry_after"))
        return RateLimitedError(response.status_code, str(message), retry_after=seconds, **kwargs)
    return cls(response.status_code, str(message), **kwargs)


def _field_errors(raw: Any) -> dict[str, list[str]]:
    if isinstance(raw, dict):
        return {str(k): [str(m) for m in (v if isinstance(v, list) else [v])] for k, v in raw.items()}
    out: dict[str, list[str]] = {}
    if isinstance(raw, list):
        for item in raw:
            if isinstance(item, dict):
                out.setdefault(str(item.get("field") or "body"), []).append(str(item.get("message") or item))
            else:
                out.setdefault("body", []).append(str(item))
    return out


def _seconds(value: Any) -> float | None:
    try:
        return max(0.0, float(value)) if value is not None else None
    except (TypeError, ValueError):
        return None


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return json.loads(response.content) if response.content else None
    except ValueError:
        return None
