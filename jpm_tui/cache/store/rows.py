"""Domain rows <-> table cells: the values an upsert writes for a row of a ``TableSpec`` (with the columns the
store adds: a number's sort key, a contact's search text), the plain upsert statement, and a stored row read back
as its domain row."""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from jpm_tui.cache.store.sql_text import json_text, quoted
from jpm_tui.cache.store.tables import TableSpec, row_fields
from jpm_tui.provider.timestamps import format_datetime, parse_datetime

if TYPE_CHECKING:
    from jpm_tui.provider import domain as d
else:
    from jpm_tui.cache.store.deferred import domain as d


def datetime_cell(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is UTC:  # what the mappers produce: skip format_datetime's conversion
        return value.isoformat(timespec="microseconds")
    return format_datetime(value)


def number_key(number: str) -> str:
    """Numeric job numbers sort as numbers (``9`` before ``10``); others after them, case-folded."""
    text = number.strip()
    if text.isdigit():
        return text.rjust(20, "0")
    return "~" + text.casefold()


_DIGITS = re.compile(r"\D+")


def _contact_search_text(c: d.Contact) -> str:
    if c.type.is_phone or c.type is d.ContactType.UNKNOWN:
        digits = _DIGITS.sub("", c.value)
        if digits and digits != c.value:
            return f"{c.value} {digits}"
    return c.value


def _cell(spec: TableSpec, name: str, value: Any) -> Any:
    if name == "raw":
        return json_text(value)
    if name in spec.json_fields:
        return json_text(list(value))
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, d.OpenEnum):
        return value.value
    return value


def row_values(spec: TableSpec, row: Any) -> tuple[Any, ...]:
    out = []
    for name in spec.columns:
        if name == "job_id" and spec.name == "job_notes":
            value: Any = row.owner_id
        elif name == "project_id" and spec.name == "project_notes":
            value = row.owner_id
        elif name == "search_text":
            value = _contact_search_text(row)
        elif name == "number_key":
            value = number_key(row.number)
        elif name == "modified_on" and spec.name == "projects":
            value = row.modified_on or ""
        else:
            value = getattr(row, name)
        out.append(_cell(spec, name, value))
    return tuple(out)


def upsert_sql(table: str, columns: Sequence[str], conflict: Sequence[str]) -> str:
    cols = ", ".join(quoted(c) for c in columns)
    marks = ", ".join("?" for _ in columns)
    updates = ", ".join(f"{quoted(c)} = excluded.{quoted(c)}" for c in columns if c not in conflict)
    target = ", ".join(conflict)
    return f"INSERT INTO {table} ({cols}) VALUES ({marks}) ON CONFLICT({target}) DO UPDATE SET {updates}"


_DATETIME_HINT = re.compile(r"(_on|_at|_date|^start$|^end$|^at$|^arrival_window_start$|^arrival_window_end$)")


class Cells(Protocol):
    """A stored row by column name: SQLite's ``sqlite3.Row``, or the PostgreSQL store's dict rows."""

    def keys(self) -> Collection[str]: ...
    def __getitem__(self, name: str) -> Any: ...


def decode(spec: TableSpec, row: Cells) -> Any:
    kwargs: dict[str, Any] = {}
    keys = row.keys()
    for f in row_fields(spec.row_type):
        if f.name in spec.constants and f.name not in keys:
            kwargs[f.name] = spec.constants[f.name]
            continue
        if f.name == "owner_id" and spec.name in ("job_notes", "project_notes"):
            kwargs[f.name] = row["job_id" if spec.name == "job_notes" else "project_id"]
            continue
        value = row[f.name]
        if f.name == "raw":
            value = json.loads(value) if value else {}
        elif f.name in spec.enums:  # as stored: a backend's own words are not folded into another's
            value = spec.enums[f.name].verbatim(value)
        elif f.name in spec.json_fields:
            value = tuple(json.loads(value or "[]"))
        elif f.type in ("bool", bool):
            value = bool(value)
        elif _DATETIME_HINT.search(f.name) and isinstance(value, str):
            value = parse_datetime(value) if value else None
        kwargs[f.name] = value
    return spec.row_type(**kwargs)
