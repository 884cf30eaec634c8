"""How JPM's list operations order and scope their rows: each operation documents the fields `sort` takes
(`+Field` / `-Field`, any other a 400), and a record's child lists answer 404 for an unknown parent."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from jpm_tui.sandbox.http import paged
from jpm_tui.sandbox.state import parse_iso

from .._common import Record, Shape, Sorter, coll, path_id, require
from .checks import bad

SortKey = Callable[[Record], Any]


def by(field: str) -> SortKey:
    return lambda r: r.get(field)


def by_date(field: str) -> SortKey:
    return lambda r: parse_iso(r[field]) if r.get(field) else None


BASIC_SORT_KEYS: dict[str, SortKey] = {"Id": by("id"), "ModifiedOn": by_date("modifiedOn"),
                                       "CreatedOn": by_date("createdOn")}


def documented_sort(fields: Mapping[str, SortKey]) -> Sorter:
    """`?sort=+Field` / `?sort=-Field` over the fields an operation documents; others are a 400."""

    def sort(request: Request, rows: Iterable[Record]) -> Iterable[Record]:
        raw = (request.query_params.get("sort") or "").strip()
        if not raw:
            return rows
        name = raw.lstrip("+- ")
        key = {k.lower(): v for k, v in fields.items()}.get(name.lower())
        if key is None:
            raise bad("sort", f"Sorting by '{name}' is not supported. Available fields are: {', '.join(fields)}.")
        return sorted(rows, key=lambda r: (key(r) is None, key(r) if key(r) is not None else 0),
                      reverse=raw.startswith("-"))

    return sort


BASIC_SORT = documented_sort(BASIC_SORT_KEYS)


def is_active(record: Record) -> bool:
    return record.get("active", True) is not False


def child_list_route(path: str, parent: str, what: str, collection: str, key: str, shape: Shape,
                     order: Callable[[Record], Any] | None = None) -> Route:
    """GET {parent}/{id}/{children}: 404 for an unknown parent, then its active children paged."""

    async def handler(request: Request) -> Response:
        owner = require(request, parent, path_id(request), what)
        rows = [r for r in coll(request, collection).where(key, owner["id"]) if r.get("active", True)]
        return paged(request, sorted(rows, key=order) if order else rows, shape)

    return Route(path, handler, methods=["GET"])
