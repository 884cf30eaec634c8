"""FSM Navigator's HTTP dialect: the `success`/`message`/`data`/`request_id` envelope, error bodies, query
parameters, paging and request-body checks, shared by every route of the sandbox.

Error bodies: the rate-limit page documents `{"success": false, "error": "rate_limit_exceeded", "message":
..., "retry_after": 60}` and the Jobs page names the codes `validation_failed`, `invalid_status_transition`
and `not_found`. The reference's error-code page was not found, so the rest is our choice, kept to that
shape: every error carries `success`, `error`, `message` and `request_id`; a `validation_failed` also says
which fields in `errors` ({field: [messages]}); 401 is `unauthorized`, 405 `method_not_allowed`, 500
`internal_error`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from ..state import parse_iso

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 50


class ApiFailure(Exception):
    """Raise anywhere in a handler to answer with FSM Navigator's error body."""

    def __init__(self, status: int, code: str, message: str, *, errors: dict[str, list[str]] | None = None,
                 headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors
        self.headers = headers or {}
        self.extra = extra

    def response(self, request_id: str) -> JSONResponse:
        body: dict[str, Any] = {"success": False, "error": self.code, "message": self.message}
        if self.errors:
            body["errors"] = self.errors
        body.update(self.extra)
        body["request_id"] = request_id
        return JSONResponse(body, status_code=self.status, headers=self.headers)


def invalid(field: str, message: str) -> ApiFailure:
    return ApiFailure(400, "validation_failed", message, errors={field: [message]})


def not_found(what: str, id: int) -> ApiFailure:
    return ApiFailure(404, "not_found", f"{what} {id} does not exist")


def request_id(request: Request) -> str:
    return str(request.scope.get("fsm.request_id", ""))


def read_answer(request: Request, data: Any, *, pagination: dict[str, int] | None = None) -> JSONResponse:
    """A GET's answer, as the reference shows it: `data`, `pagination` for lists, `request_id`."""
    body: dict[str, Any] = {"data": data}
    if pagination is not None:
        body["pagination"] = pagination
    body["request_id"] = request_id(request)
    return JSONResponse(body)


def write_answer(request: Request, message: str, data: dict[str, Any], status: int = 200) -> JSONResponse:
    """A write's answer: `success`, `message`, `data`, `request_id`."""
    return JSONResponse({"success": True, "message": message, "data": data, "request_id": request_id(request)},
                        status_code=status)


# ---------------------------------------------------------------------------------------- query params


def int_param(request: Request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = int(raw)
    except ValueError:
        raise invalid(name, f"{name} must be a whole number, got {raw!r}") from None
    if value < 1:
        raise invalid(name, f"{name} must be 1 or more, got {value}")
    return value


def choice_param(request: Request, name: str, values: Iterable[str]) -> str | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    allowed = tuple(values)
    if raw not in allowed:
        raise invalid(name, f"{name} must be one of {', '.join(allowed)}; got {raw!r}")
    return raw


def date_param(request: Request, name: str, *, end_of_day: bool = False) -> datetime | None:
    """An ISO 8601 date or date-time. The reference makes both bounds inclusive ("on or after", "on or
    before"), so a bare date as an upper bound reaches the end of that day."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    value = parse_iso(raw)
    if value is None:
        raise invalid(name, f"{name} must be an ISO 8601 date or date-time, got {raw!r}")
    if end_of_day and len(raw.strip()) == 10:
        value += timedelta(days=1, microseconds=-1)
    return value


def listing(request: Request, rows: list[dict[str, Any]], shape: Callable[[dict[str, Any]], dict[str, Any]]
            ) -> JSONResponse:
    """One page of `rows` with the `pagination` object. Undocumented and chosen here: a `per_page` above 100
    is capped at 100 (the object reports the size used), a page past the end is an empty page."""
    page = int_param(request, "page") or 1
    per_page = min(int_param(request, "per_page") or DEFAULT_PER_PAGE, MAX_PER_PAGE)
    start = (page - 1) * per_page
    pagination = {"page": page, "per_page": per_page, "total": len(rows),
                  "total_pages": math.ceil(len(rows) / per_page)}
    return read_answer(request, [shape(row) for row in rows[start:start + per_page]], pagination=pagination)


def created_between(request: Request) -> Callable[[dict[str, Any]], bool]:
    """The `created_after` / `created_before` filter (both inclusive), by each record's `created_at`."""
    after = date_param(request, "created_after")
    before = date_param(request, "created_before", end_of_day=True)

    def keep(row: dict[str, Any]) -> bool:
        created = parse_iso(row["created_at"])
        return created is not None and (after is None or created >= after) and (before is None or created <= before)

    return keep


def wants_one(request: Request) -> int | None:
    """The `?id=` of single-record operations, if given."""
    return int_param(request, "id")


# ---------------------------------------------------------------------------------------------- bodies


async def json_object(request: Request) -> dict[str, Any]:
    raw = await request.body()
    try:
        body = json.loads(raw) if raw.strip() else None
    except (ValueError, UnicodeDecodeError):
        raise invalid("body", "The request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise invalid("body", "The request body must be a JSON object")
    return body


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
