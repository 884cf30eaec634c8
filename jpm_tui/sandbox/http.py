"""The sandbox's HTTP vocabulary: ApiErrorResponse problems, body validation, query params, paging and
export feeds. Route modules build on these so every endpoint speaks the same dialect ServiceTitan does.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .state import Collection, iso, json_bytes, parse_iso

Shape = Callable[[dict], dict] | None

VALIDATION_TITLE = "One or more validation errors occurred."
INT32_MAX = 2**31 - 1

# The problem `type` URIs ASP.NET Core (ServiceTitan's stack) puts in its problem details.
_TYPE_URIS = {
    400: "https://tools.ietf.org/html/rfc7231#section-6.5.1",
    401: "https://tools.ietf.org/html/rfc7235#section-3.1",
    403: "https://tools.ietf.org/html/rfc7231#section-6.5.3",
    404: "https://tools.ietf.org/html/rfc7231#section-6.5.4",
    405: "https://tools.ietf.org/html/rfc7231#section-6.5.5",
    409: "https://tools.ietf.org/html/rfc7231#section-6.5.8",
    415: "https://tools.ietf.org/html/rfc7231#section-6.5.13",
    429: "https://tools.ietf.org/html/rfc6585#section-4",
    500: "https://tools.ietf.org/html/rfc7231#section-6.6.1",
    502: "https://tools.ietf.org/html/rfc7231#section-6.6.3",
    503: "https://tools.ietf.org/html/rfc7231#section-6.6.4",
    504: "https://tools.ietf.org/html/rfc7231#section-6.6.5",
}


class ProblemError(Exception):
    """Raise anywhere in a handler to answer with an ApiErrorResponse."""

    def __init__(
        self,
        status: int,
        title: str,
        errors: dict[str, list[str]] | None = None,
        data: dict | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(title)
        self.status = status
        self.title = title
        self.errors = errors or {}
        self.data = data or {}
        self.headers = headers or {}

    def response(self) -> JSONResponse:
        return problem(self.status, self.title, self.errors, self.data, self.headers)


def problem(
    status: int,
    title: str,
    errors: dict[str, list[str]] | None = None,
    data: dict | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """An ApiErrorResponse with all six fields present, as ServiceTitan sends them."""
    body = {
        "type": _TYPE_URIS.get(status, "https://tools.ietf.org/html/rfc7231#section-6.5.1"),
        "title": title,
        "status": status,
        "traceId": secrets.token_hex(16),
        "errors": errors or {},
        "data": data or {},
    }
    return JSONResponse(body, status_code=status, headers=headers, media_type="application/json")


def invalid(name: str, message: str) -> ProblemError:
    """The usual 400: one field, one message."""
    return ProblemError(400, VALIDATION_TITLE, {name: [message]})


def json_response(obj: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(obj, status_code=status)


# ------------------------------------------------------------------------------------------ bodies


@dataclass(frozen=True)
class Field:
    """One request-body property. `type` is a JSON-schema word ("integer", "number", "string",
    "boolean", "date-time", "date", "array", "object", "any"); `items` is the Field of array elements;
    `schema` is the nested property table of an object (None = any object)."""

    type: str
    required: bool = False
    nullable: bool = True
    enum: list[str] | None = None
    items: Field | None = None
    schema: dict[str, Field] | None = None


async def read_body(request: Request, schema: dict[str, Field]) -> dict:
    """The JSON object body, validated: 400 naming each wrong, missing or unknown property."""
    errors: dict[str, list[str]] = {}
    body = _check_object(await _json(request), schema, "", errors)
    if errors:
        raise ProblemError(400, VALIDATION_TITLE, errors)
    return body


async def read_body_list(request: Request, schema: dict[str, Field]) -> list[dict]:
    """A JSON array body of objects (batch operations), each validated like read_body; errors are
    named by position: `[2].name`."""
    body = await _json(request)
    if not isinstance(body, list):
        raise invalid("$", "The request body must be a JSON array.")
    errors: dict[str, list[str]] = {}
    items = [_check_object(item, schema, f"[{i}]", errors) for i, item in enumerate(body)]
    if errors:
        raise ProblemError(400, VALIDATION_TITLE, errors)
    return items


async def _json(request: Request) -> Any:
    raw = await request.body()
    if not raw.strip():
        raise invalid("$", "A non-empty request body is required.")
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise invalid("$", f"The request body is not valid JSON: {exc}.") from None


def _check_object(value: Any, schema: dict[str, Field], path: str, errors: dict[str, list[str]]) -> Any:
    if not isinstance(value, dict):
        errors.setdefault(path or "$", []).append("The value must be a JSON object.")
        return value
    out: dict[str, Any] = {}
    for name, item in value.items():
        where = f"{path}.{name}" if path else name
        spec = schema.get(name)
        if spec is None:
            errors.setdefault(where, []).append(f"The property '{name}' is not allowed.")
        else:
            out[name] = _check_value(item, spec, where, errors)
    for name, spec in schema.items():
        if spec.required and value.get(name) is None:
            where = f"{path}.{name}" if path else name
            errors.setdefault(where, []).append(f"The {name} field is required.")
    return out


def _check_value(value: Any, spec: Field, where: str, errors: dict[str, list[str]]) -> Any:
    if value is None:
        if not spec.nullable and not spec.required:  # required fields report "is required" instead
            errors.setdefault(where, []).append(f"The {where} field cannot be null.")
        return None
    check = _TYPE_CHECKS.get(spec.type)
    if check is None:
        raise ValueError(f"unknown Field type {spec.type!r}")
    if not check(value):
        errors.setdefault(where, []).append(f"The JSON value could not be converted to {spec.type}.")
        return value
    if spec.enum is not None:
        canonical = {e.lower(): e for e in spec.enum}.get(str(value).lower())
        if canonical is None:
            errors.setdefault(where, []).append(
                f"The value '{value}' is not valid. Values: {', '.join(spec.enum)}."
            )
        return canonical
    if spec.type == "array" and spec.items is not None:
        return [_check_value(v, spec.items, f"{where}[{i}]", errors) for i, v in enumerate(value)]
    if spec.type == "object" and spec.schema is not None:
        return _check_object(value, spec.schema, where, errors)
    return value


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


_TYPE_CHECKS: dict[str, Callable[[Any], bool]] = {
    "integer": _is_int,
    "number": lambda v: _is_int(v) or isinstance(v, float),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "date-time": lambda v: isinstance(v, str) and parse_iso(v) is not None,
    "date": lambda v: isinstance(v, str) and parse_iso(v) is not None,
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
    "any": lambda v: True,
}


# ------------------------------------------------------------------------------------ query params


def _raw(request: Request, name: str) -> str | None:
    # A repeated scalar parameter binds its first value, as in ASP.NET (Starlette's get() takes the last).
    values = request.query_params.getlist(name)
    value = values[0] if values else None
    return None if value is None or value.strip() == "" else value.strip()


def int_param(request: Request, name: str) -> int | None:
    raw = _raw(request, name)
    if raw is None:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise invalid(name, f"The value '{raw}' is not valid.") from None
    if not -(2**63) <= value < 2**63:
        raise invalid(name, f"The value '{raw}' is not valid.")
    return value


def bool_param(request: Request, name: str) -> bool | None:
    raw = _raw(request, name)
    if raw is None:
        return None
    lowered = raw.lower()
    if lowered not in ("true", "false"):
        raise invalid(name, f"The value '{raw}' is not valid.")
    return lowered == "true"


def datetime_param(request: Request, name: str) -> datetime | None:
    """An aware UTC datetime; dates without a zone are UTC, as ServiceTitan documents."""
    raw = _raw(request, name)
    if raw is None:
        return None
    value = parse_iso(raw)
    if value is None:
        raise invalid(name, f"The value '{raw}' is not valid.")
    return value


def ids_param(request: Request, name: str = "ids") -> list[int] | None:
    """Comma-separated ids (`ids=1,2,3`); repeating the parameter works too."""
    parts = [p.strip() for v in request.query_params.getlist(name) for p in v.split(",") if p.strip()]
    if not parts:
        return None
    try:
        return [int(p) for p in parts]
    except ValueError:
        raise invalid(name, f"The value '{','.join(parts)}' is not valid: expected comma-separated integers.") from None


def enum_param(request: Request, name: str, values: Iterable[str]) -> str | None:
    """A documented enum value (case-insensitive, answered in its canonical spelling)."""
    raw = _raw(request, name)
    if raw is None:
        return None
    choices = list(values)
    canonical = {v.lower(): v for v in choices}.get(raw.lower())
    if canonical is None:
        raise invalid(name, f"The value '{raw}' is not valid. Values: {', '.join(choices)}.")
    return canonical


# ------------------------------------------------------------------------------------------- paging

MAX_PAGE_SIZE = 5000


def page_params(request: Request) -> tuple[int, int, bool]:
    """page (from 1), pageSize (1..5000, default 50), includeTotal."""
    page = int_param(request, "page")
    size = int_param(request, "pageSize")
    if page is not None and not 1 <= page <= INT32_MAX:  # the documents type it int32, as ASP.NET binds it
        raise invalid("page", f"The page must be between 1 and {INT32_MAX}.")
    if size is not None and not 1 <= size <= MAX_PAGE_SIZE:
        raise invalid("pageSize", f"The field pageSize must be between 1 and {MAX_PAGE_SIZE}.")
    return page or 1, size or 50, bool(bool_param(request, "includeTotal"))


def paged(request: Request, records: Iterable[dict], shape: Shape = None) -> JSONResponse:
    """`{page, pageSize, hasMore, totalCount, data}` over already filtered and sorted records. Records that are not
    a list are read only as far as the page and one more (a world at scale makes each as it is read), unless the
    total is asked for."""
    page, size, include_total = page_params(request)
    start = (page - 1) * size
    if include_total or isinstance(records, list):
        rows = records if isinstance(records, list) else list(records)
        total: int | None = len(rows) if include_total else None
        window, has_more = rows[start:start + size], len(rows) > start + size
    else:
        window, total = list(islice(records, start, start + size + 1)), None
        has_more = len(window) > size
        del window[size:]
    return json_response({
        "page": page,
        "pageSize": size,
        "hasMore": has_more,
        "totalCount": total,
        "data": [shape(r) if shape else r for r in window],
    })


# ------------------------------------------------------------------------------------ export feeds


@dataclass(frozen=True)
class _Position:
    collection: str
    seq: int                      # last change handed out (0 = before everything)
    floor: datetime | None = None  # from=<date>: only rows modified on/after it


def _encode(pos: _Position) -> str:
    payload = {"c": pos.collection, "s": pos.seq}
    if pos.floor is not None:
        payload["f"] = iso(pos.floor)
    raw = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(token: str, collection: str) -> _Position:
    bad = invalid("from", "The continuation token is not valid for this export.")
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        payload = json.loads(raw)
        pos = _Position(payload["c"], int(payload["s"]), parse_iso(payload["f"]) if "f" in payload else None)
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise bad from None
    if pos.collection != collection or pos.seq < 0:
        raise bad
    return pos


def _start(request: Request, collection: Collection) -> _Position:
    """`from` absent = the beginning; an ISO date = rows modified on/after it; else a token."""
    raw = _raw(request, "from")
    if raw is None:
        return _Position(collection.name, 0)
    # Tokens are base64 of a JSON object, so they start with "ey", never with a digit like a date.
    as_date = parse_iso(raw) if raw[:1].isdigit() else None
    if as_date is not None:
        return _Position(collection.name, 0, as_date)
    return _decode(raw, collection.name)


async def export_feed(request: Request, collection: Collection, shape: Shape = None) -> Response:
    """`{hasMore, continueFrom, data}`: rows in modification order after the `from` position.

    Unless includeRecentChanges=true, rows changed within `state.recent_changes_delay` seconds are
    withheld, and the page stops at the first such row so the next token never skips it.
    """
    state = request.app.state.sandbox
    pos = _start(request, collection)
    include_recent = bool(bool_param(request, "includeRecentChanges"))
    cutoff = None
    if not include_recent and state.recent_changes_delay > 0:
        cutoff = state.now() - timedelta(seconds=state.recent_changes_delay)
    limit = max(1, int(state.export_page_size))
    if pos.floor is None and cutoff is None:  # every row from the position on: a world at scale makes them ahead
        page = await collection.export_rows(pos.seq, shape, limit)
        rows = [row for _, row in page[:limit]]
        last, has_more = page[len(rows) - 1][0] if rows else pos.seq, len(page) > limit
    else:
        rows, last, has_more = [], pos.seq, False
        for seq, record in collection.changed_after(pos.seq):
            if pos.floor is not None and (collection.changed_at(record["id"]) or pos.floor) < pos.floor:
                last = seq  # skipped for good: older than the requested start date
                continue
            if cutoff is not None and (collection.changed_at(record["id"]) or cutoff) > cutoff:
                break  # withheld: everything from here on waits for the next call
            if len(rows) == limit:
                has_more = True
                break
            rows.append(collection.encoded(seq, record, shape))
            last = seq
    token = _encode(_Position(collection.name, last, pos.floor))
    # the bytes json_response would send for {"hasMore", "continueFrom", "data"}, with the rows' stored JSON
    head = json_bytes({"hasMore": has_more, "continueFrom": token})
    return Response(head[:-1] + b',"data":[' + b",".join(rows) + b"]}", media_type="application/json")


def unknown_id_is_400(handler: Callable[[Request], Any]) -> Callable[[Request], Any]:
    """For operations whose documents list no 404 (remove-cancellation, attach/detach job, messages,
    job type update, assign/unassign technicians), ServiceTitan reports an unknown id as a 400."""

    async def wrapped(request: Request) -> Response:
        try:
            return await handler(request)
        except ProblemError as exc:
            if exc.status != 404:
                raise
            raise ProblemError(400, exc.title, exc.errors, exc.data) from exc

    return wrapped
