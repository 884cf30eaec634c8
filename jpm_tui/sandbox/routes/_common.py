"""Table-driven building blocks shared by the Dispatch, Settings and CRM sandbox routes.

Responses are shaped by `Shape` objects that list exactly the properties of the response schema in
ServiceTitan's documents (records may carry extra internal keys, such as a parent id, that never reach the
wire). Lists are filtered by small `Filter` callables built from the query string, so each route declares
which documented filters it takes instead of re-implementing them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from jpm_tui.sandbox.http import (
    Field,
    ProblemError,
    bool_param,
    datetime_param,
    export_feed,
    ids_param,
    int_param,
    json_response,
    paged,
    read_body,
)
from jpm_tui.sandbox.state import Collection, iso, parse_iso

Record = dict[str, Any]
Predicate = Callable[[Record], bool]
Filter = Callable[[Request], "Predicate | None"]


# --------------------------------------------------------------------------------------------- state


def sandbox(request: Request):
    return request.app.state.sandbox


def coll(request: Request, name: str):
    return sandbox(request)[name]


def now_iso(request: Request) -> str:
    return iso(sandbox(request).now())


_EXTRAS_ATTR = "_route_extras"


def extras(request: Request, key: str, factory: Callable[[], Any]) -> Any:
    """Per-state storage for things that have no Collection (configuration singletons, GUID contacts)."""
    st = sandbox(request)
    store = st.__dict__.setdefault(_EXTRAS_ATTR, {})
    if key not in store:
        store[key] = factory()
    return store[key]


def current_user_id(request: Request) -> int:
    """The user id the sandbox acts as (createdById, assignedById, ...)."""
    return int(getattr(sandbox(request), "user_id", None) or 1)


# ------------------------------------------------------------------------------------------ datetimes


def parse_dt(value: Any) -> datetime | None:
    """A stored or submitted RFC 3339 value as an aware UTC datetime; None when absent/unparseable."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return parse_iso(str(value))


def body_dt(body: Record, name: str, *, required: bool = False) -> datetime | None:
    """A date-time body field as an aware datetime; 400 naming the field when it does not parse."""
    raw = body.get(name)
    if raw is None:
        if required:
            raise bad_request(f"The {name} field is required.", {name: [f"The {name} field is required."]})
        return None
    dt = parse_dt(raw)
    if dt is None:
        raise bad_request("One or more validation errors occurred.", {name: [f"'{raw}' is not a valid date-time."]})
    return dt


_TIMESPAN = re.compile(r"^(?:(\d+)\.)?(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?$")
_ISO_DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$")


def parse_duration(value: Any, *, iso: bool = True) -> timedelta | None:
    """.NET TimeSpan text ("02:00:00", "1.02:00:00", "09:00") or, with ``iso``, ISO 8601 ("PT2H"); None when
    invalid."""
    if not isinstance(value, str):
        return None
    m = _TIMESPAN.match(value.strip())
    if m:
        days, hours, minutes, seconds, _ = m.groups()
        if int(hours) > 23 or int(minutes) > 59 or int(seconds or 0) > 59:
            return None
        return timedelta(days=int(days or 0), hours=int(hours), minutes=int(minutes), seconds=int(seconds or 0))
    if not iso:
        return None
    m = _ISO_DURATION.match(value.strip())
    if m and any(m.groups()):
        d, h, mi, s = m.groups()
        return timedelta(days=int(d or 0), hours=int(h or 0), minutes=int(mi or 0), seconds=float(s or 0))
    return None


def format_duration(td: timedelta) -> str:
    """The .NET TimeSpan text ServiceTitan writes: [d.]hh:mm:ss."""
    total = int(td.total_seconds())
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    text = f"{hours:02d}:{minutes:02d}:{seconds:02d}"
    return f"{days}.{text}" if days else text


def body_duration(body: Record, name: str) -> timedelta | None:
    """A request body's TimeSpan. The Dispatch document types these `format: duration` (what its generator
    writes for a .NET TimeSpan) and describes them as TimeSpan text ("09:00"); ServiceTitan's .NET binder
    reads TimeSpan text, not ISO 8601, so the sandbox refuses "PT2H" as ServiceTitan would."""
    raw = body.get(name)
    if raw is None:
        return None
    td = parse_duration(raw, iso=False)
    if td is None or td.total_seconds() < 0:
        raise bad_request(
            "One or more validation errors occurred.",
            {name: [f"'{raw}' is not a valid duration (expected hh:mm:ss)."]},
        )
    return td


# ------------------------------------------------------------------------------------------- errors


def bad_request(title: str, errors: dict[str, list[str]] | None = None) -> ProblemError:
    return ProblemError(400, title, errors or {})


def not_found(title: str, errors: dict[str, list[str]] | None = None) -> ProblemError:
    return ProblemError(404, title, errors or {})


def conflict(title: str, errors: dict[str, list[str]] | None = None) -> ProblemError:
    return ProblemError(409, title, errors or {})


# ------------------------------------------------------------------------------------------- shapes


class Shape:
    """Projects a record onto the properties of one response schema, in the document's order.

    `Shape("id", "name", address=ADDRESS)` keeps `id` and `name` as stored and projects `address` (an
    object, or each element when it is a list) through the nested shape. Missing properties come out
    as null, extra record keys are dropped (the documents say `additionalProperties: false`).
    """

    def __init__(self, *fields: str, **nested: Shape) -> None:
        self.fields: tuple[str, ...] = tuple(fields) + tuple(k for k in nested if k not in fields)
        self.nested: dict[str, Shape] = dict(nested)

    def __call__(self, record: Record | None) -> Record | None:
        if record is None:
            return None
        # one comprehension, then only the container values revisited: export feeds shape every row they send
        get = record.get
        out: Record = {name: get(name) for name in self.fields}
        for name, value in out.items():
            if value is None or type(value) not in (list, dict):
                continue
            sub = self.nested.get(name)
            if sub is not None:
                out[name] = [sub(v) for v in value] if isinstance(value, list) else sub(value)
            else:
                out[name] = _copy(value)
        return out

    def plus(self, *fields: str, **nested: Shape) -> Shape:
        return Shape(*self.fields, *fields, **{**self.nested, **nested})

    def minus(self, *fields: str) -> Shape:
        return Shape(
            *(f for f in self.fields if f not in fields),
            **{k: v for k, v in self.nested.items() if k not in fields},
        )


def _copy(value: Any) -> Any:
    if isinstance(value, list):
        return [_copy(v) for v in value]
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    return value


# ------------------------------------------------------------------------------------------ filters

_ACTIVE_VALUES = {"true": "True", "false": "False", "any": "Any"}


def active_mode(request: Request, name: str = "active", default: str = "True") -> str:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    mode = _ACTIVE_VALUES.get(raw.strip().lower())
    if mode is None:
        raise bad_request(
            "One or more validation errors occurred.",
            {name: [f"The value '{raw}' is not valid. Values: True, Any, False."]},
        )
    return mode


def f_active(name: str = "active", field: str = "active", default: str = "True") -> Filter:
    """ServiceTitan's `active` filter: True (default), False or Any."""

    def build(request: Request) -> Predicate | None:
        mode = active_mode(request, name, default)
        if mode == "Any":
            return None
        want = mode == "True"
        return lambda r: bool(r.get(field, True)) == want

    return build


class _Wanted:
    """A filter keeping the records whose `field` is one of the values its parameter gives (`wanted`: None when
    the parameter is absent); `narrowed` reads only those records when one is given."""

    field: str

    def wanted(self, request: Request) -> set[int] | None:
        raise NotImplementedError

    def __call__(self, request: Request) -> Predicate | None:
        wanted = self.wanted(request)
        if wanted is None:
            return None
        field = self.field
        return lambda r: r.get(field) in wanted


@dataclass(frozen=True)
class f_ids(_Wanted):  # noqa: N801 - a filter factory like the f_* functions beside it
    """`ids=1,2,3` (or another parameter) keeps the records whose `field` is one of them. A list route with one
    given reads only those records (`narrowed`) instead of scanning its collection."""

    name: str = "ids"
    field: str = "id"
    maximum: int | None = 50

    def wanted(self, request: Request) -> set[int] | None:
        ids = ids_param(request, self.name)
        if ids is None:
            return None
        if self.maximum is not None and len(set(ids)) > self.maximum:
            raise bad_request(
                "One or more validation errors occurred.",
                {self.name: [f"No more than {self.maximum} ids may be requested at once."]},
            )
        return set(ids)


def narrowed(request: Request, collection: Collection, filters: Sequence[Filter]) -> Iterable[Record]:
    """The records a list request can match, in id order: those an ids or integer filter names when one is given
    (looked up by id or with `where`; a world at scale makes every record a scan reads), else the whole
    collection."""
    for f in filters:
        wanted = f.wanted(request) if isinstance(f, _Wanted) else None
        if wanted is not None:
            if f.field != "id":
                return collection.where(f.field, *wanted)
            return sorted((r for r in map(collection.get, wanted) if r is not None), key=lambda r: r["id"])
    return collection.values()


@dataclass(frozen=True)
class f_int(_Wanted):  # noqa: N801 - a filter factory like the f_* functions beside it
    """`name=<integer>` keeps the records whose `field` (default: the same name) is that number; a list route with
    it given reads those records only (`narrowed`: a job's appointments, not every appointment)."""

    name: str
    field_name: str | None = None

    @property
    def field(self) -> str:
        return self.field_name or self.name

    def wanted(self, request: Request) -> set[int] | None:
        value = int_param(request, self.name)
        return None if value is None else {value}


def f_bool(name: str, field: str | None = None) -> Filter:
    field = field or name

    def build(request: Request) -> Predicate | None:
        value = bool_param(request, name)
        if value is None:
            return None
        return lambda r: bool(r.get(field)) == value

    return build


def f_number(name: str, field: Callable[[Record], Any] | str) -> Filter:
    get = _getter(field)

    def build(request: Request) -> Predicate | None:
        raw = request.query_params.get(name)
        if raw is None or raw == "":
            return None
        try:
            value = float(raw)
        except ValueError:
            raise bad_request(
                "One or more validation errors occurred.", {name: [f"The value '{raw}' is not valid."]}
            ) from None
        return lambda r: (v := get(r)) is not None and abs(float(v) - value) < 1e-9

    return build


def f_contains(name: str, field: Callable[[Record], Any] | str | None = None) -> Filter:
    """Case-insensitive "contains", like ServiceTitan's `name` filters."""
    get = _getter(field or name)

    def build(request: Request) -> Predicate | None:
        raw = request.query_params.get(name)
        if raw is None or raw == "":
            return None
        needle = raw.casefold()
        return lambda r: needle in str(get(r) or "").casefold()

    return build


def f_enum(name: str, values: Sequence[str], field: str | None = None) -> Filter:
    field = field or name
    lookup = {v.lower(): v for v in values}

    def build(request: Request) -> Predicate | None:
        raw = request.query_params.get(name)
        if raw is None or raw == "":
            return None
        value = lookup.get(raw.strip().lower())
        if value is None:
            raise bad_request(
                "One or more validation errors occurred.",
                {name: [f"The value '{raw}' is not valid. Values: {', '.join(values)}."]},
            )
        return lambda r: r.get(field) == value

    return build


def f_dt(name: str, field: str, op: str) -> Filter:
    """Date-time bound: op is ">=" (OnOrAfter), "<" (Before) or "<=" (OnOrBefore)."""
    compare = {">=": lambda a, b: a >= b, "<": lambda a, b: a < b, "<=": lambda a, b: a <= b}[op]

    def build(request: Request) -> Predicate | None:
        bound = datetime_param(request, name)
        if bound is None:
            return None

        def pred(r: Record) -> bool:
            value = parse_dt(r.get(field))
            return value is not None and compare(value, bound)

        return pred

    return build


def f_same_text(name: str, field: str) -> Filter:
    """Case-insensitive equality with a string property (a job's `number`, its `priority`)."""

    def build(request: Request) -> Predicate | None:
        value = request.query_params.get(name)
        return None if not value else (lambda r: str(r.get(field) or "").lower() == value.lower())

    return build


def f_any_of(name: str, field: str) -> Filter:
    """`?name=1,2`: the record's list property shares at least one of the ids."""

    def build(request: Request) -> Predicate | None:
        wanted = ids_param(request, name)
        return None if wanted is None else (lambda r: bool(set(r.get(field) or []) & set(wanted)))

    return build


CREATED = [f_dt("createdBefore", "createdOn", "<"), f_dt("createdOnOrAfter", "createdOn", ">=")]
MODIFIED = [f_dt("modifiedBefore", "modifiedOn", "<"), f_dt("modifiedOnOrAfter", "modifiedOn", ">=")]
CREATED_MODIFIED = CREATED + MODIFIED


def _getter(field: Callable[[Record], Any] | str) -> Callable[[Record], Any]:
    if callable(field):
        return field
    if "." in field:
        head, tail = field.split(".", 1)
        return lambda r: ((r.get(head) or {}) if isinstance(r.get(head), dict) else {}).get(tail)
    return lambda r: r.get(field)


def apply_filters(request: Request, records: Iterable[Record], filters: Sequence[Filter]) -> list[Record]:
    return list(filtered(request, records, filters))


def filtered(request: Request, records: Iterable[Record], filters: Sequence[Filter]) -> Iterable[Record]:
    """The records the request's filters keep, read as they are asked for (a page needs only its own)."""
    predicates = [p for p in (f(request) for f in filters) if p is not None]
    if not predicates:
        return records
    return (r for r in records if all(p(r) for p in predicates))


SORT_FIELDS = {"id": "id", "createdon": "createdOn", "modifiedon": "modifiedOn"}
Sorter = Callable[[Request, Iterable[Record]], Iterable[Record]]
"""How a list operation orders its rows from the query string (`apply_sort`, or one a module documents)."""


def apply_sort(
    request: Request, records: Iterable[Record], fields: dict[str, str] = SORT_FIELDS
) -> Iterable[Record]:
    """`?sort=+Id` / `?sort=-ModifiedOn` (fields: Id, CreatedOn, ModifiedOn)."""
    raw = request.query_params.get("sort")
    if raw is None or raw.strip() == "":
        return records
    text = raw.strip()
    descending = text.startswith("-")
    name = text.lstrip("+- ").lower()
    field = fields.get(name)
    if field is None:
        allowed = ", ".join(sorted({v[0].upper() + v[1:] for v in fields.values()}))
        raise bad_request(
            "One or more validation errors occurred.",
            {"sort": [f"Sorting by '{text.lstrip('+- ')}' is not supported. Available fields are: {allowed}."]},
        )
    if field == "id":
        key = lambda r: (r.get("id") is None, r.get("id") or 0)  # noqa: E731
    else:
        epoch = datetime.min.replace(tzinfo=UTC)
        key = lambda r: parse_dt(r.get(field)) or epoch  # noqa: E731
    return sorted(records, key=key, reverse=descending)


# ------------------------------------------------------------------------------------- route factories


def path_id(request: Request, name: str = "id") -> int:
    return int(request.path_params[name])


def list_route(
    path: str,
    collection: str,
    shape: Shape | Callable[[Request], Shape],
    filters: Sequence[Filter] = (),
    *,
    sort: Sorter | None = apply_sort,
    scope: Callable[[Request], Predicate] | None = None,
    name: str | None = None,
) -> Route:
    """GET list: documented filters, `sort` (None: the stored order), then paging through http.paged. Unsorted, the
    rows are read in id order only as far as the page (a world at scale makes no more records than that, plus
    those a filter turns down); a sort, or includeTotal, reads every record the narrowing leaves."""

    async def handler(request: Request) -> Response:
        records = narrowed(request, coll(request, collection), filters)
        if scope is not None:
            keep = scope(request)
            records = (r for r in records if keep(r))
        rows = filtered(request, records, filters)
        if sort is not None:
            rows = sort(request, rows)
        return paged(request, rows, _resolve(shape, request))

    return Route(path, handler, methods=["GET"], name=name)


def get_route(
    path: str,
    collection: str,
    shape: Shape | Callable[[Request], Shape],
    what: str,
    *,
    visible: Callable[[Record], bool] | None = None,
    name: str | None = None,
) -> Route:
    """GET one by `{id:int}`: 404 ApiErrorResponse naming `what` when unknown."""

    async def handler(request: Request) -> Response:
        record = require(request, collection, path_id(request), what)
        if visible is not None and not visible(record):
            raise not_found(f"{what} not found", {"id": [f"{what} with id {path_id(request)} does not exist."]})
        return json_response(_resolve(shape, request)(record))

    return Route(path, handler, methods=["GET"], name=name)


def export_route(
    path: str, collection: str, shape: Shape | Callable[[Request], Shape], *, name: str | None = None
) -> Route:
    """GET export/...: continuation-token feed ordered by modification (http.export_feed)."""

    async def handler(request: Request) -> Response:
        return await export_feed(request, coll(request, collection), _resolve(shape, request))

    return Route(path, handler, methods=["GET"], name=name)


class FilteredFeed:
    """A view of a Collection for http.export_feed that hands out only the rows `keep` accepts.

    Tokens stay those of the underlying collection (same name, same sequence), so a client may switch
    filters between calls without its token becoming invalid.
    """

    def __init__(self, collection: Any, keep: Predicate) -> None:
        self._collection = collection
        self._keep = keep
        self.name = collection.name

    def changed_after(self, seq: int):
        return ((s, r) for s, r in self._collection.changed_after(seq) if self._keep(r))

    def changed_at(self, id: int):
        return self._collection.changed_at(id)

    def encoded(self, seq: int, record: Record, shape: Any) -> bytes:
        return self._collection.encoded(seq, record, shape)

    async def export_rows(self, seq: int, shape: Any, limit: int) -> list[tuple[int, bytes]]:
        return [(s, self.encoded(s, r, shape)) for s, r in islice(self.changed_after(seq), limit + 1)]


def _resolve(shape: Shape | Callable[[Request], Shape], request: Request) -> Callable[[Record], Record]:
    return shape if isinstance(shape, Shape) else shape(request)


def require(request: Request, collection: str, id: int, what: str) -> Record:
    return coll(request, collection).require(id, what)


def require_ids(
    request: Request,
    collection: str,
    ids: Iterable[int],
    field: str,
    what: str,
    *,
    active_only: bool = True,
    status: int = 400,
) -> list[Record]:
    """Look up every id; one ApiErrorResponse naming `field` and every unknown (or inactive) id."""
    c = coll(request, collection)
    found: list[Record] = []
    missing: list[str] = []
    for i in ids:
        record = c.get(i)
        if record is None:
            missing.append(f"{what} {i} does not exist.")
        elif active_only and record.get("active") is False:
            missing.append(f"{what} {i} is inactive.")
        else:
            found.append(record)
    if missing:
        title = f"{what} not found" if status == 404 else f"Invalid {field}"
        raise ProblemError(status, title, {field: missing})
    return found


def touch(request: Request, collection: str, record: Record) -> Record:
    return coll(request, collection).touch(record)


def insert(request: Request, collection: str, record: Record) -> Record:
    return coll(request, collection).insert(record)


def no_content() -> Response:
    """ServiceTitan answers several writes with 200 and an empty body."""
    return Response(status_code=200)


# ------------------------------------------------------------------------------------------- bodies

_TYPES = {
    "int": "integer",
    "str": "string",
    "bool": "boolean",
    "num": "number",
    "datetime": "date-time",
    "duration": "string",
    "array": "array",
    "object": "object",
}


def F(
    type: str,
    *,
    req: bool = False,
    null: bool = True,
    enum: Sequence[str] | None = None,
    items: Any = None,
    schema: dict[str, Any] | None = None,
) -> Any:
    """A request-body property, as http.Field: F("int", req=True, null=False), F("array", items=F("int"))."""
    return Field(_TYPES[type], required=req, nullable=null, enum=list(enum) if enum else None, items=items, schema=schema)


async def body(request: Request, schema: dict[str, Any]) -> Record:
    """Validated JSON body: wrong types, missing required and unknown properties are 400s."""
    return await read_body(request, schema)
