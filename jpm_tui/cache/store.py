"""CacheStore: the SQLite cache of one (environment, tenant).

* One file per (environment, tenant) under the user data dir (``CacheStore.path_for``), created 0600, WAL,
  ``synchronous=NORMAL``, schema versioned by ``PRAGMA user_version`` (``jpm_tui.cache.schema``).
* Writes: ``upsert(table, rows)`` of domain rows (``jpm_tui.provider.domain``), ``INSERT ... ON CONFLICT DO
  UPDATE``; inactive rows are stored with active=0, never deleted. The sync engine does one transaction
  per page *with its token*::

      with store.transaction():
          store.upsert(feed.table, page.rows)
          store.save_token(feed.name, page.token, rows=len(page.rows))

  Upserts keep the job list's denormalised columns (customer name, location, next appointment,
  technicians, job type and business unit names) and the search index current, inside the same transaction.
* Reads for the UI (which never writes SQL): ``JobQuery`` -> ``jobs_window`` / ``count_jobs`` (light
  ``JobListRow``s) / ``bookmark_job_list`` (a background walk for deep windows), ``job``,
  ``appointments_for_job``, ``notes_for_job``, ... , ``appointments_between``, lookups, project window/count,
  ``counts``, ``info``.

Threads: one connection per thread (created on first use), so the UI's reader thread and the sync engine
never share a connection. WAL lets readers run while a writer commits.
"""

from __future__ import annotations

import importlib
import json
import math
import os
import re
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import Field, dataclass, field, fields, replace
from functools import cache
from datetime import UTC, datetime, timedelta
from operator import itemgetter
from pathlib import Path
from typing import Any

from jpm_tui.cache.health import CacheFault, cache_fault, check_opened
from jpm_tui.cache.schema import JOB_SORT_COLUMNS, JOBS_FTS_TEXT_COLUMNS, JOBS_FTS_TOKENIZE, LATEST, MIGRATIONS
from jpm_tui.provider.backends import workflow_for
from jpm_tui.provider.timestamps import format_datetime, parse_datetime
from jpm_tui.provider.workflow import Workflow


class _Deferred:
    """A module imported on its first attribute access. The job list's reads need no domain records, and
    building the domain module's ~40 dataclasses costs ~35 ms of the board's first paint. Thread-safe: the
    import system locks the import; the copied attributes are the same objects whichever thread copies."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        module = importlib.import_module(self._name)
        vars(self).update(vars(module))
        return getattr(module, attr)


d: Any = _Deferred("jpm_tui.provider.domain")

__all__ = [
    "CacheError",
    "CacheFault",
    "CacheStore",
    "CacheTooNew",
    "JobListRow",
    "JobQuery",
    "PreparedRows",
    "ProjectListRow",
    "ProjectQuery",
    "SyncState",
    "TABLES",
    "fts_query",
    "row_fields",
]

APP_NAME = "jpm-tui"


class CacheError(RuntimeError):
    pass


class CacheTooNew(CacheFault, CacheError):
    """The file was written by a newer jpm-tui (a ``CacheError`` as before, and the world's doing)."""


# =========================================================================================== queries


@dataclass(frozen=True)
class JobQuery:
    """What the job list shows. Empty tuples mean "any".

    ``text``: words matched (prefix, all must match) against job number, summary, notes, customer name,
    location address and customer/location phone numbers and emails.
    ``technician_ids``: technicians assigned to the job's next appointment.
    ``appointment_from`` / ``appointment_to``: the job's next appointment starts in [from, to).
    ``sort``: a key of ``JOB_SORT_COLUMNS`` (number, status, priority, job_type, business_unit, customer,
    next_appointment, technicians, summary, modified, created); ties broken by job id.
    """

    text: str = ""
    statuses: tuple[str, ...] = ()
    priorities: tuple[str, ...] = ()
    job_type_ids: tuple[int, ...] = ()
    business_unit_ids: tuple[int, ...] = ()
    technician_ids: tuple[int, ...] = ()
    appointment_from: datetime | None = None
    appointment_to: datetime | None = None
    sort: str = "number"
    descending: bool = False
    include_inactive: bool = False
    customer_id: int | None = None
    location_id: int | None = None
    project_id: int | None = None


@dataclass(frozen=True)
class JobListRow:
    id: int
    number: str
    status: str
    priority: str
    job_type: str
    business_unit: str
    customer: str
    location: str
    next_appointment: datetime | None
    technicians: str
    summary: str
    modified: datetime | None
    active: bool = True


@dataclass(frozen=True)
class ProjectQuery:
    text: str = ""
    statuses: tuple[str, ...] = ()
    customer_id: int | None = None
    sort: str = "number"  # number | name | modified
    descending: bool = False
    include_inactive: bool = False


@dataclass(frozen=True)
class SyncState:
    feed: str
    token: str | None
    last_success: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    rows_total: int
    pages_total: int


@dataclass(frozen=True, slots=True)
class PreparedRows:
    """Rows of one table made ready to write (``CacheStore.prepare``): the Python side of an upsert, done
    without the database, so a caller can do it on another thread than the one that writes."""

    table: str
    count: int
    chunks: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class _JobChunk:
    id_set: frozenset[int]
    """The chunk's job ids (distinct: for a job named twice the last row wins)."""
    ids: str
    """The same as a JSON list."""
    values: str
    """JSON array of their ``_job_values`` rows."""
    raw_lengths: str
    """JSON array of [id, length in bytes of its payload in ``raw``], in ``raw``'s order."""
    raw: bytes
    """The payloads' JSON (UTF-8; a job's ``raw_json`` when it has one, else ``raw`` encoded compactly), one after
    the other: SQLite cuts each out of it without parsing it."""
    counts: str
    """JSON array of [active, status, priority, job type, business unit, n]: the counter groups of the chunk's jobs
    once written (``_COUNT_ADD``)."""


def _join_jobs(chunks: Sequence[_JobChunk]) -> _JobChunk:
    """Chunks with no job in common as one (their order does not matter then): each text joined once."""
    if len(chunks) == 1:
        return chunks[0]
    return _JobChunk(frozenset().union(*(c.id_set for c in chunks)), _json_join([c.ids for c in chunks]),
                     _json_join([c.values for c in chunks]), _json_join([c.raw_lengths for c in chunks]),
                     b"".join(c.raw for c in chunks), _json_join([c.counts for c in chunks]))


def _json_join(arrays: Sequence[str]) -> str:
    """JSON arrays as one."""
    return "[" + ",".join(a[1:-1] for a in arrays if a != "[]") + "]"


# ===================================================================================== table specs


def _dt(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is UTC:  # what the mappers produce: skip format_datetime's conversion
        return value.isoformat(timespec="microseconds")
    return format_datetime(value)


_json = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, default=str).encode
"""Compact JSON text (one encoder for every call: ``json.dumps`` with options builds one per call)."""


def _number_key(number: str) -> str:
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


@dataclass(frozen=True)
class TableSpec:
    name: str
    row_type: type
    columns: tuple[str, ...]
    """Columns written on upsert, in the order ``values`` yields them."""
    conflict: tuple[str, ...] = ("id",)
    enums: Mapping[str, type] = field(default_factory=dict)
    json_fields: tuple[str, ...] = ()
    constants: Mapping[str, Any] = field(default_factory=dict)
    """Domain fields that are not stored as columns, with the value they take when read back."""


def row_fields(row_type: type) -> list[Field[Any]]:
    """The fields a domain row is built from and stored by: not those the row sets itself (a job's ``raw_json``,
    which ``dataclasses.replace`` must not carry over either)."""
    return [f for f in fields(row_type) if f.init]


def _spec(name: str, row_type: type, *, extra: tuple[str, ...] = (), skip: tuple[str, ...] = (),
          conflict: tuple[str, ...] = ("id",), enums: Mapping[str, type] | None = None,
          json_fields: tuple[str, ...] = (), constants: Mapping[str, Any] | None = None) -> TableSpec:
    cols = tuple(f.name for f in row_fields(row_type) if f.name not in skip) + extra
    return TableSpec(name, row_type, cols, conflict, enums or {}, json_fields, constants or {})


@cache
def _tables() -> dict[str, TableSpec]:
    """Every cache table that holds domain rows: table name -> how its rows are written and read (``TABLES``)."""
    return {s.name: s for s in (
        _spec("jobs", d.Job, enums={"status": d.JobStatus, "priority": d.Priority}),
        _spec("appointments", d.Appointment, enums={"status": d.AppointmentStatus}),
        _spec("appointment_assignments", d.Assignment, enums={"status": d.AssignmentStatus}),
        _spec("projects", d.Project, extra=("number_key",), json_fields=("business_unit_ids", "job_ids")),
        _spec("job_types", d.JobType, enums={"priority": d.Priority}, json_fields=("business_unit_ids",)),
        _spec("cancel_reasons", d.Reason, skip=("kind",), constants={"kind": "cancel"}),
        _spec("hold_reasons", d.Reason, skip=("kind",), constants={"kind": "hold"}),
        _spec("job_notes", d.Note, skip=("owner_kind", "owner_id"), extra=("job_id",),
              constants={"owner_kind": "job"}),
        _spec("project_notes", d.Note, skip=("owner_kind", "owner_id"), extra=("project_id",),
              constants={"owner_kind": "project"}),
        _spec("job_history", d.HistoryEntry),
        _spec("job_canceled_logs", d.CanceledLogEntry),
        _spec("job_booked_logs", d.BookedLogEntry),
        _spec("technicians", d.Technician, json_fields=("zone_ids",)),
        _spec("customers", d.Customer),
        _spec("locations", d.Location),
        _spec("contacts", d.Contact, extra=("search_text",), conflict=("owner_kind", "id"),
              enums={"type": d.ContactType}),
        _spec("business_units", d.BusinessUnit),
        _spec("employees", d.Employee),
        _spec("tag_types", d.TagType),
        _spec("zones", d.Zone, json_fields=("zips", "cities", "technician_ids", "business_unit_ids")),
        _spec("teams", d.Team),
        _spec("arrival_windows", d.ArrivalWindow, json_fields=("business_unit_ids",)),
        _spec("business_hours", d.BusinessHours, json_fields=("weekdays", "saturday", "sunday")),
        _spec("shifts", d.Shift),
        _spec("project_statuses", d.ProjectStatus),
        _spec("project_types", d.ProjectType),
    )}


def __getattr__(name: str) -> Any:
    if name == "TABLES":  # built on first use, with the domain module (see _Deferred)
        return _tables()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_JOB_COLUMNS = (
    "id", "number", "number_key", "status", "status_rank", "priority", "priority_rank", "job_type_id",
    "business_unit_id", "customer_id", "location_id", "project_id", "summary", "summary_key", "created_on",
    "modified_on", "completed_on", "active",
)


def _q(name: str) -> str:
    return f'"{name}"'


def _cell(spec: TableSpec, name: str, value: Any) -> Any:
    if name == "raw":
        return _json(value)
    if name in spec.json_fields:
        return _json(list(value))
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, d.OpenEnum):
        return value.value
    return value


def _row_values(spec: TableSpec, row: Any) -> tuple[Any, ...]:
    out = []
    for name in spec.columns:
        if name == "job_id" and spec.name == "job_notes":
            value: Any = row.owner_id
        elif name == "project_id" and spec.name == "project_notes":
            value = row.owner_id
        elif name == "search_text":
            value = _contact_search_text(row)
        elif name == "number_key":
            value = _number_key(row.number)
        elif name == "modified_on" and spec.name == "projects":
            value = row.modified_on or ""
        else:
            value = getattr(row, name)
        out.append(_cell(spec, name, value))
    return tuple(out)


_ENUM_CELLS: dict[type, dict[Any, tuple[str, int]]] = {}


def _enum_cells(member: d.OpenEnum) -> tuple[str, int]:
    """(value, rank) of a status or priority, memoised (``rank`` walks the members on every call)."""
    cache = _ENUM_CELLS.setdefault(type(member), {})
    cells = cache.get(member)
    if cells is None:
        cells = cache[member] = (member.value, member.rank)
    return cells


def _job_values(job: d.Job) -> tuple[Any, ...]:
    summary = job.summary or ""
    status, status_rank = _enum_cells(job.status)
    priority, priority_rank = _enum_cells(job.priority)
    return (
        job.id, job.number, _number_key(job.number), status, status_rank, priority, priority_rank,
        job.job_type_id, job.business_unit_id, job.customer_id, job.location_id, job.project_id, summary,
        summary[:40].casefold(), _dt(job.created_on) or "", _dt(job.modified_on) or "", _dt(job.completed_on),
        int(job.active),
    )


def _upsert_sql(table: str, columns: Sequence[str], conflict: Sequence[str]) -> str:
    cols = ", ".join(_q(c) for c in columns)
    marks = ", ".join("?" for _ in columns)
    updates = ", ".join(f"{_q(c)} = excluded.{_q(c)}" for c in columns if c not in conflict)
    target = ", ".join(conflict)
    return f"INSERT INTO {table} ({cols}) VALUES ({marks}) ON CONFLICT({target}) DO UPDATE SET {updates}"


_DATETIME_HINT = re.compile(r"(_on|_at|_date|^start$|^end$|^at$|^arrival_window_start$|^arrival_window_end$)")


def _decode(spec: TableSpec, row: sqlite3.Row) -> Any:
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


# ============================================================================================ search

_WORD = re.compile(r"\w", re.UNICODE)


def fts_query(text: str) -> str | None:
    """User text -> a safe FTS5 query: every whitespace-separated word becomes a quoted phrase with a
    prefix star (``"smi"*``), all must match. Quotes are doubled, so no user text can inject FTS syntax
    (AND/OR/NOT/NEAR, ``*``, ``-``, ``:``, parentheses are plain characters inside a phrase). Words without
    a letter or digit are dropped. None when nothing searchable is left."""
    parts = []
    for word in text.split():
        if not _WORD.search(word):
            continue
        parts.append('"' + word.replace('"', '""') + '"*')
    return " ".join(parts) if parts else None


_TEXT_COLUMNS = "{" + " ".join(JOBS_FTS_TEXT_COLUMNS) + "}"


def _facet_text(value: str) -> str:
    return value.encode("utf-8").hex().upper()


def _fts_match(q: JobQuery) -> str | None:
    """The full MATCH expression of a query with text: the user's words (restricted to the document
    columns, so nobody can match the facet markers) AND the status / priority / job type / business unit /
    active filters as facet markers. None without searchable text.

    Every marker starts "zz", so a text of ASCII without a 'z' has no token that could match one: it goes
    without the column filter, which costs ~15% of reading a word's postings (a word longer than the prefix
    indexes reads them all, e.g. ~1.5 of 12 ms for 'maple river' at 1,000,000 jobs)."""
    words = fts_query(q.text)
    if words is None:
        return None
    unfiltered = q.text.isascii() and "z" not in q.text.lower()
    parts = [f"({words})" if unfiltered else f"{_TEXT_COLUMNS} : ({words})"]
    facets: list[str] = []
    for prefix, values in (("zzs", [_facet_text(str(v)) for v in q.statuses]),
                           ("zzp", [_facet_text(str(v)) for v in q.priorities]),
                           ("zzt", [str(int(v)) for v in q.job_type_ids]),
                           ("zzb", [str(int(v)) for v in q.business_unit_ids])):
        if values:
            facets.append("facets : (" + " OR ".join(f'"{prefix}{v}"' for v in values) + ")")
    expr = " AND ".join(parts + facets)
    if not q.include_inactive:
        expr = f"({expr}) NOT facets : \"zzinactive\""
    return expr


def _text_match(text: str, include_inactive: bool = True) -> str | None:
    """The MATCH expression of ``text`` alone, naming no facet marker (so the scratch index of
    ``CacheStore._text_matches`` can run it); with ``include_inactive=False`` it also keeps to active jobs."""
    return _fts_match(JobQuery(text=text, include_inactive=include_inactive))


def _kept_match(q: JobQuery) -> str | None:
    """The MATCH expression whose matches ``CacheStore._text_found`` keeps for ``q``: its text and active filter
    (the board's plain search, so its count is the kept table's size; other filters are checked on the rows)."""
    return _text_match(q.text, q.include_inactive)


# ============================================================================================= store

_IDS = "SELECT value FROM json_each(?)"

# The job list's denormalised columns, as SQL expressions over a job's columns (``jobs.customer_id`` in the
# refresh statements, the chunk's cells in _JOB_PAGE_UPSERT). The same expressions fill them when a job is
# written and refresh them when related rows change, so both ways give the same values.
_CUSTOMER_NAME = "coalesce((SELECT name FROM customers WHERE id = {customer_id}), '')"
_LOCATION_TEXT = (
    "coalesce((SELECT trim(street || CASE WHEN street <> '' AND city <> '' THEN ', ' ELSE '' END || city) "
    "FROM locations WHERE id = {location_id}), '')"
)
_JOB_TYPE_NAME = "coalesce((SELECT name FROM job_types WHERE id = {job_type_id}), '')"
_BUSINESS_UNIT_NAME = "coalesce((SELECT name FROM business_units WHERE id = {business_unit_id}), '')"
_NEXT_APPOINTMENT_ID = """coalesce(
    (SELECT a.id FROM appointments a
      WHERE a.job_id = {id} AND a.active = 1 AND a.status NOT IN ('Done', 'Canceled') AND a.start IS NOT NULL
      ORDER BY a.start, a.id LIMIT 1),
    (SELECT a.id FROM appointments a
      WHERE a.job_id = {id} AND a.active = 1 AND a.start IS NOT NULL
      ORDER BY a.start DESC, a.id DESC LIMIT 1))"""
# these two of the next appointment's id
_NEXT_APPT_KEY = "coalesce((SELECT start FROM appointments WHERE id = {next_appointment_id}), '~')"
_TECHNICIAN_NAMES = """coalesce((
        SELECT group_concat(name, ', ') FROM (
            SELECT DISTINCT coalesce(nullif(t.name, ''), aa.technician_name) AS name
              FROM appointment_assignments aa LEFT JOIN technicians t ON t.id = aa.technician_id
             WHERE aa.appointment_id = {next_appointment_id} AND aa.active = 1
             ORDER BY 1)), '')"""

_OF_JOBS = {c: f"jobs.{c}" for c in ("id", "customer_id", "location_id", "job_type_id", "business_unit_id",
                                     "next_appointment_id")}

_REFRESH_JOB_NAMES = f"""
UPDATE jobs SET
    customer_name = {_CUSTOMER_NAME.format(**_OF_JOBS)},
    location_text = {_LOCATION_TEXT.format(**_OF_JOBS)},
    job_type_name = {_JOB_TYPE_NAME.format(**_OF_JOBS)},
    business_unit_name = {_BUSINESS_UNIT_NAME.format(**_OF_JOBS)}
WHERE id IN ({_IDS})
"""

_REFRESH_NEXT_APPT = f"""
UPDATE jobs SET next_appointment_id = {_NEXT_APPOINTMENT_ID.format(**_OF_JOBS)}
WHERE id IN ({_IDS})
"""

_REFRESH_APPT_DERIVED = f"""
UPDATE jobs SET
    next_appt_key = {_NEXT_APPT_KEY.format(**_OF_JOBS)},
    technician_names = {_TECHNICIAN_NAMES.format(**_OF_JOBS)}
WHERE id IN ({_IDS})
"""

_JOB_DERIVED = ("customer_name", "location_text", "job_type_name", "business_unit_name", "next_appointment_id",
                "next_appt_key", "technician_names")


def _job_upsert_sql() -> str:
    """One statement writes a chunk of jobs with their denormalised columns, so every sort index holding one
    of them is written once per job (not once by the insert and again by a refresh).

    The chunk comes as one JSON parameter (an array of ``_job_values`` rows, distinct ids). Each row's text is
    taken once into a materialised CTE (``json_each`` renders its ``value`` again on every read: reading it once
    per cell made that half of the statement's time), then each cell extracted once into another, with the
    job's next appointment (which the two columns after it read). One ``sqlite3_step`` per chunk means the
    sync's writer thread needs the GIL a handful of times per page instead of after every row (as with
    ``executemany``), so SQLite writes one page while Python fetches and maps the next."""
    params = {c: f"v.{_q(c)}" for c in (*_JOB_COLUMNS, "next_appointment_id")}
    derived = [_CUSTOMER_NAME, _LOCATION_TEXT, _JOB_TYPE_NAME, _BUSINESS_UNIT_NAME, "{next_appointment_id}",
               _NEXT_APPT_KEY, _TECHNICIAN_NAMES]
    columns = _JOB_COLUMNS + _JOB_DERIVED
    values = ", ".join([params[c] for c in _JOB_COLUMNS] + [e.format(**params) for e in derived])
    updates = ", ".join(f"{_q(c)} = excluded.{_q(c)}" for c in columns if c != "id")
    cell = [f"json_extract(r.row, '$[{i}]')" for i in range(len(_JOB_COLUMNS))]
    cells = [f"{e} AS {_q(c)}" for e, c in zip(cell, _JOB_COLUMNS, strict=True)]
    cells.append(f"{_NEXT_APPOINTMENT_ID.format(id=cell[0])} AS next_appointment_id")
    return (f"WITH r AS MATERIALIZED (SELECT value AS row FROM json_each(?)), "
            f"v AS MATERIALIZED (SELECT {', '.join(cells)} FROM r) "
            f"INSERT INTO jobs ({', '.join(_q(c) for c in columns)}) SELECT {values} FROM v WHERE true "
            f"ON CONFLICT(id) DO UPDATE SET {updates}")


_JOB_PAGE_UPSERT = _job_upsert_sql()
# Each payload cut out of the chunk's bytes (substr of a blob: no scan, no JSON parse), at the sum of the lengths
# before it, and stored as the text it is.
_JOB_RAW_PAGE_UPSERT = (
    "INSERT INTO job_raw (id, raw) SELECT id, CAST(substr(?2, start, n) AS TEXT) FROM ("
    "SELECT json_extract(value, '$[0]') AS id, json_extract(value, '$[1]') AS n, "
    "1 + coalesce(sum(json_extract(value, '$[1]')) OVER (ORDER BY key ROWS BETWEEN UNBOUNDED PRECEDING "
    "AND 1 PRECEDING), 0) AS start FROM json_each(?1)) WHERE true ON CONFLICT(id) DO UPDATE SET raw = excluded.raw"
)

_REFRESH_SEARCH_DELETE = f"DELETE FROM job_search WHERE rowid IN ({_IDS})"
_REFRESH_SEARCH_INSERT = f"""
INSERT INTO job_search (rowid, number, summary, customer, address, phones, notes, facets)
SELECT j.id, j.number, j.summary, j.customer_name,
       coalesce((SELECT trim(street || ' ' || unit || ' ' || city || ' ' || state || ' ' || zip)
                   FROM locations WHERE id = j.location_id), ''),
       coalesce((SELECT group_concat(search_text, ' ') FROM contacts
                  WHERE active = 1 AND ((owner_kind = 'customer' AND owner_id = j.customer_id)
                                     OR (owner_kind = 'location' AND owner_id = j.location_id))), ''),
       coalesce((SELECT group_concat(text, ' ') FROM job_notes WHERE job_id = j.id AND active = 1), ''),
       'zzs' || hex(j.status) || ' zzp' || hex(j.priority) || ' zzt' || coalesce(j.job_type_id, 'n')
       || ' zzb' || coalesce(j.business_unit_id, 'n') || CASE WHEN j.active = 1 THEN '' ELSE ' zzinactive' END
  FROM jobs j WHERE j.id IN ({_IDS})
"""


# The job counters (``job_counts``): one row per (active, status, priority, job type, business unit) with how
# many jobs have those values. CacheStore keeps them in the same transaction as every write to those jobs
# columns: before the write, the groups of the rows as stored are taken out (``_COUNT_JOBS`` with -1); after it,
# the groups they now have are put in (``_COUNT_JOBS`` with 1, or a job chunk's groups counted as it was prepared,
# ``_COUNT_ADD``); groups left at zero are removed. One statement each, however many groups: the sync's writer
# thread takes the GIL back after every statement and every row stepped, and waits for it while other threads
# run Python (one statement per group was most of a page's commit time in a sync).
_COUNT_JOBS = (
    "INSERT INTO job_counts (active, status, priority, job_type_id, business_unit_id, n) "
    "SELECT active, status, priority, coalesce(job_type_id, -1), coalesce(business_unit_id, -1), ?2 * count(*) "
    "FROM jobs WHERE id IN (SELECT value FROM json_each(?1)) GROUP BY 1, 2, 3, 4, 5 "
    "ON CONFLICT DO UPDATE SET n = n + excluded.n"
)
_COUNT_ADD = (
    "INSERT INTO job_counts (active, status, priority, job_type_id, business_unit_id, n) SELECT "
    + ", ".join(f"json_extract(value, '$[{i}]')" for i in range(6))
    + " FROM json_each(?) WHERE true ON CONFLICT DO UPDATE SET n = n + excluded.n"
)
_COUNT_DROP_EMPTY = "DELETE FROM job_counts WHERE n = 0"
_COUNTED_CELLS = itemgetter(*(_JOB_COLUMNS.index(c) for c in ("active", "status", "priority", "job_type_id",
                                                              "business_unit_id")))
"""A ``_job_values`` row's cells of its counter group (``_COUNT_JOBS``' first five, before coalesce)."""


# Job indexes kept live during a first fill (``CacheStore.begin_fill``; the others are built once at its end):
# the board's default order (by number) so the list it shows while the fill runs reads from an index, and the ones
# other feeds' upkeep finds jobs by while they run beside the jobs feed (a customer, location or assignment
# arriving looks up the jobs to refresh: a scan of the whole table per page without them).
_FILL_KEEP = ("jobs_sort_number", "jobs_customer", "jobs_location", "jobs_next_appt")
_FTS_AUTOMERGE = "INSERT INTO jobs_fts(jobs_fts, rank) VALUES ('automerge', ?)"


@dataclass
class _Anchors:
    """Where windows of one query, at one data version, can seek from instead of walking from the top: rows by
    their offset in the list, as (sort value, id). ``seen``: the first and last row of windows read; ``marks``:
    the background walk's (``CacheStore.bookmark_job_list``), ``marks[i]`` the row at offset
    ``(i + 1) * step - 1``. ``walked``: the walk reached the end of the list, or there is none worth making
    (``step`` stays 0)."""

    version: Any
    seen: dict[int, tuple[Any, ...]] = field(default_factory=dict)
    step: int = 0
    marks: list[tuple[Any, ...]] = field(default_factory=list)
    walked: bool = False


class CacheStore:
    """The cache. ``CacheStore(path)`` opens (creating and migrating) the file; ``close()`` when done."""

    #: rows per executemany / per id list in refresh statements
    CHUNK = 5000
    #: bytes per database page of a new cache file (see ``_connect``; a file keeps the size it was made with)
    PAGE_SIZE = 16384
    #: bytes of WAL between automatic checkpoints (see ``_connect``)
    WAL_CHECKPOINT_BYTES = 64 * 1024 * 1024
    #: SQLite's page cache per connection (KiB) and the part of the file it maps, which bound the board's memory
    CACHE_KIB = 32 * 1024
    MMAP_BYTES = 64 * 1024 * 1024
    #: a first fill whose feed fails with at least this many jobs builds its indexes (``finish_fill``): an offline
    #: board would sort that many on every read without them; a smaller one is resumed as a fill by the next run
    FILL_READABLE_JOBS = 50_000
    #: SQLite's page cache (KiB) and sorting threads while a first fill's deferred indexes are built (``finish_fill``)
    BUILD_CACHE_KIB = 2048
    BUILD_THREADS = 4
    #: the search index merges this many segments of a size into one (FTS5's 'automerge'; its default) ...
    AUTOMERGE = 4
    #: ... and this many during a first fill: each commit of the fill writes a segment, and merging them four at a
    #: time rewrote every job's terms level after level (~1.4 s of a 200,000-job fill; searches read no slower)
    FILL_AUTOMERGE = 16

    def __init__(self, path: str | os.PathLike[str], *, target_version: int = LATEST,
                 on_upgrade: Callable[[Path, int, int], None] | None = None) -> None:
        """``on_upgrade(path, from_version, to_version)`` is called before an existing cache is migrated (which
        can take a minute for a large one: an index rebuilt), so that a caller can say why it waits.
        ``target_version`` exists for migration tests (build an older file); leave it alone."""
        self._on_upgrade = on_upgrade
        self.path = Path(path)
        self._target_version = target_version
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._write_seq = 0
        self._closed = False
        self._anchors: OrderedDict[Any, _Anchors] = OrderedDict()
        self._counts: OrderedDict[Any, tuple[Any, int]] = OrderedDict()
        try:
            self._create_file()
            conn = self.conn
            check_opened(conn)
            self._migrate(conn)
        except (sqlite3.DatabaseError, OSError) as error:
            self.close()
            self._raise_fault(error)
            raise

    def _raise_fault(self, error: BaseException) -> None:
        """Raise the ``CacheFault`` (naming this file) that ``error`` stands for; return when it is not the world's
        doing (it is ours, and the caller re-raises it for the crash log)."""
        fault = cache_fault(error, self.path)
        if fault is not None and fault is not error:
            raise fault from error

    # ------------------------------------------------------------------------------ file and schema

    @staticmethod
    def path_for(environment: str, tenant: int | str, *, base: str | os.PathLike[str] | None = None) -> Path:
        """``<user data dir>/jpm-tui/cache/<environment>-<tenant>.sqlite3`` (``base`` replaces the data dir)."""
        if base is None:
            import platformdirs

            base = platformdirs.user_data_path(APP_NAME)
        env = re.sub(r"[^A-Za-z0-9_.-]+", "_", str(environment)) or "default"
        ten = re.sub(r"[^A-Za-z0-9_.-]+", "_", str(tenant)) or "0"
        return Path(base) / "cache" / f"{env}-{ten}.sqlite3"

    def _create_file(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        os.close(fd)
        os.chmod(self.path, 0o600)

    def _connect(self) -> sqlite3.Connection:
        if self._closed:
            raise CacheError("the cache store is closed")
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30.0)
        try:
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA page_size={self.PAGE_SIZE}")
            for pragma in self.pragmas(conn.execute("PRAGMA page_size").fetchone()[0]):
                conn.execute(f"PRAGMA {pragma}")
        except sqlite3.DatabaseError as error:
            conn.close()
            self._raise_fault(error)
            raise
        with self._lock:
            self._connections.append(conn)
        return conn

    @classmethod
    def pragmas(cls, page_size: int) -> list[str]:
        """What a connection to a file of ``page_size`` sets, in order (the sync bench's floors write under the
        same)."""
        return [
            # First: it only counts before the file has its first page. At 16 KiB rather than SQLite's default 4 KiB
            # there are a quarter as many pages to balance, log and copy back: the writer of a first sync of 200,000
            # jobs spent 10.0 s instead of 12.3 s, the same amount of data. (A cache made before keeps its size.)
            f"page_size={page_size}",
            "journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=OFF", "temp_store=MEMORY",
            # The board's memory stays bounded whatever is read (a walk of every sort index of a million jobs reads
            # them all): ~50 MB of its own + the page cache per connection (reader, writer) + the mapped part.
            f"cache_size=-{cls.CACHE_KIB}", f"mmap_size={cls.MMAP_BYTES}",
            # A page of 1,000 jobs dirties thousands of index pages (random positions in the sort indexes). With
            # the default checkpoint every 1,000 WAL pages, every commit of a sync also checkpointed (copy back +
            # fsync), which was most of the commit time at 200,000 jobs. Checkpoint every 64 MiB of WAL instead
            # (pages dirtied by several commits are copied back once); the WAL file is cut back to 64 MiB after.
            f"wal_autocheckpoint={cls.WAL_CHECKPOINT_BYTES // page_size}",
            f"journal_size_limit={cls.WAL_CHECKPOINT_BYTES}",
        ]

    @property
    def conn(self) -> sqlite3.Connection:
        """This thread's connection (autocommit mode; use ``transaction()`` to group writes)."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
            self._local.depth = 0
        return conn

    def close(self) -> None:
        with self._lock:
            conns, self._connections = self._connections, []
        for conn in conns:
            try:
                conn.execute("PRAGMA optimize")
            except sqlite3.Error:
                pass
            conn.close()
        self._closed = True
        self._local = threading.local()

    def __enter__(self) -> CacheStore:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self, conn: sqlite3.Connection) -> None:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version > LATEST:
            raise CacheTooNew(
                f"{self.path} was written by a newer jpm-tui (schema {version}, this one knows {LATEST}); "
                "upgrade, or purge the cache (jpm-tui cache purge)"
            )
        if 0 < version < self._target_version and self._on_upgrade is not None:
            self._on_upgrade(self.path, version, self._target_version)
        while version < self._target_version:
            script = MIGRATIONS[version]
            conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in _split_sql(script):
                    conn.execute(statement)
                post = getattr(self, f"_after_migration_{version + 1}", None)
                if post is not None:
                    post(conn)
                conn.execute(f"PRAGMA user_version = {version + 1}")
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            version += 1

    def _after_migration_2(self, conn: sqlite3.Connection) -> None:
        """Backfill the search index and the job counters from the jobs already cached."""
        conn.execute(
            "INSERT INTO job_counts SELECT active, status, priority, coalesce(job_type_id, -1), "
            "coalesce(business_unit_id, -1), count(*) FROM jobs GROUP BY 1, 2, 3, 4, 5"
        )
        ids = [r[0] for r in conn.execute("SELECT id FROM jobs")]
        for chunk in _chunks(ids, self.CHUNK):
            payload = _json(chunk)
            conn.execute(_REFRESH_SEARCH_INSERT, (payload,))

    def _after_migration_3(self, conn: sqlite3.Connection) -> None:
        """The counters were kept by triggers up to v2; recount them once so the per-page upkeep starts exact."""
        conn.execute("DELETE FROM job_counts")
        conn.execute(
            "INSERT INTO job_counts SELECT active, status, priority, coalesce(job_type_id, -1), "
            "coalesce(business_unit_id, -1), count(*) FROM jobs GROUP BY 1, 2, 3, 4, 5"
        )

    # --------------------------------------------------------------------------------- transactions

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE ... COMMIT; ROLLBACK if the block raises). Nested use joins
        the outer transaction: an error inside rolls back the whole outer transaction when it propagates.
        (No SAVEPOINTs: in WAL mode they make every later write in a big transaction slower.)"""
        conn = self.conn
        depth = self._local.depth
        if depth == 0:
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.DatabaseError as error:
                self._raise_fault(error)
                raise
        self._local.depth = depth + 1
        try:
            yield conn
            if depth == 0:
                conn.execute("COMMIT")  # a full disk can refuse the commit itself: rolled back below
        except BaseException as error:
            self._local.depth = depth
            if depth == 0 and conn.in_transaction:
                conn.execute("ROLLBACK")
            if isinstance(error, sqlite3.DatabaseError):  # a full disk, a read-only or damaged file: say which
                self._raise_fault(error)
            raise
        else:
            self._local.depth = depth
            if depth == 0:
                self._write_seq += 1

    def _version(self) -> tuple[int, int]:
        """Changes whenever any connection (this process or another) commits."""
        return self._write_seq, int(self.conn.execute("PRAGMA data_version").fetchone()[0])

    # -------------------------------------------------------------------------------------- upserts

    def prepare(self, table: str, rows: Iterable[Any]) -> PreparedRows:
        """The Python half of ``upsert(table, rows)`` (checks, cells, JSON), without touching the database:
        safe on any thread. The sync engine prepares a page while the writer thread stores the previous one;
        ``upsert`` takes the result."""
        spec = _tables().get(table)
        if spec is None:
            raise CacheError(f"unknown table {table!r}; known: {sorted(_tables())}")
        rows = list(rows)
        for row in rows:
            if not isinstance(row, spec.row_type):
                raise CacheError(f"{table} takes {spec.row_type.__name__} rows, not {type(row).__name__}")
        prepare = getattr(self, f"_prepare_{table}", None)
        chunks = [prepare(chunk) if prepare else chunk for chunk in _chunks(rows, self.CHUNK)]
        return PreparedRows(table, len(rows), tuple(chunks))

    def combine(self, prepared: Sequence[PreparedRows]) -> PreparedRows:
        """Rows prepared separately (pages of one feed, in order) as one ``PreparedRows`` for one ``upsert``:
        consecutive job chunks with no job in common are joined (up to ``CHUNK`` jobs), so a group commit of
        several pages runs each statement once instead of once per page. Cheap: no cells are rebuilt."""
        if not prepared:
            raise CacheError("nothing to combine")
        table = prepared[0].table
        if any(p.table != table for p in prepared):
            raise CacheError(f"cannot combine rows of {sorted({p.table for p in prepared})}")
        chunks: list[Any] = []
        run: list[_JobChunk] = []
        in_run: set[int] = set()
        for chunk in (c for p in prepared for c in p.chunks):
            if run and not (isinstance(chunk, _JobChunk) and len(in_run) + len(chunk.id_set) <= self.CHUNK
                            and in_run.isdisjoint(chunk.id_set)):
                chunks.append(_join_jobs(run))
                run, in_run = [], set()
            if isinstance(chunk, _JobChunk):
                run.append(chunk)
                in_run |= chunk.id_set
            else:
                chunks.append(chunk)
        if run:
            chunks.append(_join_jobs(run))
        return PreparedRows(table, sum(p.count for p in prepared), tuple(chunks))

    def upsert(self, table: str, rows: Iterable[Any] | PreparedRows) -> int:
        """Insert or update domain rows into ``table`` (a key of ``TABLES``); returns how many. Runs in the
        caller's transaction, or its own. Keeps the job list's derived columns, counters and search index.
        ``rows`` may be ``prepare(table, rows)``'s result."""
        if isinstance(rows, PreparedRows):
            if rows.table != table:
                raise CacheError(f"rows prepared for {rows.table!r} cannot go into {table!r}")
            prepared = rows
        else:
            prepared = self.prepare(table, rows)
        if not prepared.count:
            return 0
        spec = _tables()[table]
        with self.transaction() as conn:
            for chunk in prepared.chunks:
                getattr(self, f"_upsert_{table}", self._upsert_plain)(conn, spec, chunk)
        return prepared.count

    def _upsert_plain(self, conn: sqlite3.Connection, spec: TableSpec, rows: list[Any]) -> None:
        conn.executemany(_upsert_sql(spec.name, spec.columns, spec.conflict), [_row_values(spec, r) for r in rows])

    @staticmethod
    def _prepare_jobs(rows: list[d.Job]) -> _JobChunk:
        last = {j.id: j for j in rows}  # a job named twice: its last row, as row-by-row upserts would leave it
        jobs = list(last.values())
        values = [_job_values(j) for j in jobs]
        groups: dict[tuple[Any, ...], int] = {}
        for v in values:  # the groups _COUNT_JOBS finds once they are written
            active, status, priority, job_type_id, business_unit_id = _COUNTED_CELLS(v)
            key = (active, status, priority, -1 if job_type_id is None else job_type_id,
                   -1 if business_unit_id is None else business_unit_id)
            groups[key] = groups.get(key, 0) + 1
        # the payload's text as received when the row has it: exact, and no second encoding of every payload
        payloads = [(_json(j.raw) if j.raw_json is None else j.raw_json).encode() for j in jobs]
        return _JobChunk(frozenset(last), _json(list(last)), _json(values),
                         _json([(j.id, len(p)) for j, p in zip(jobs, payloads, strict=True)]), b"".join(payloads),
                         _json([(*key, n) for key, n in groups.items()]))

    def _upsert_jobs(self, conn: sqlite3.Connection, spec: TableSpec, chunk: _JobChunk) -> None:
        # a group changed means some of the jobs were stored (in a first fill mostly none: nothing to clear)
        stored = conn.execute(_COUNT_JOBS, (chunk.ids, -1)).rowcount > 0
        conn.execute(_JOB_PAGE_UPSERT, (chunk.values,))
        conn.execute(_JOB_RAW_PAGE_UPSERT, (chunk.raw_lengths, chunk.raw))
        conn.execute(_COUNT_ADD, (chunk.counts,))
        if stored:
            conn.execute(_COUNT_DROP_EMPTY)
        self._refresh_search(conn, chunk.ids, stored=stored)

    def _refresh_search(self, conn: sqlite3.Connection, ids_json: str, *, stored: bool = True) -> None:
        """The search index's rows of jobs ``ids_json``; ``stored=False``: none of them has one yet."""
        if stored:
            conn.execute(_REFRESH_SEARCH_DELETE, (ids_json,))
        conn.execute(_REFRESH_SEARCH_INSERT, (ids_json,))

    def _refresh_appointment_jobs(self, conn: sqlite3.Connection, job_ids: Iterable[int]) -> None:
        for chunk in _chunks(sorted(set(job_ids)), self.CHUNK):
            ids = _json(chunk)
            conn.execute(_REFRESH_NEXT_APPT, (ids,))
            conn.execute(_REFRESH_APPT_DERIVED, (ids,))

    def _upsert_appointments(self, conn: sqlite3.Connection, spec: TableSpec, rows: list[d.Appointment]) -> None:
        ids = _json([r.id for r in rows])
        before = {r[0] for r in conn.execute(f"SELECT job_id FROM appointments WHERE id IN ({_IDS})", (ids,))}
        self._upsert_plain(conn, spec, rows)
        self._refresh_appointment_jobs(conn, before | {r.job_id for r in rows})

    def _upsert_appointment_assignments(self, conn: sqlite3.Connection, spec: TableSpec,
                                        rows: list[d.Assignment]) -> None:
        self._upsert_plain(conn, spec, rows)
        appt_ids = _json(sorted({r.appointment_id for r in rows}))
        jobs = [r[0] for r in conn.execute(f"SELECT id FROM jobs WHERE next_appointment_id IN ({_IDS})", (appt_ids,))]
        for chunk in _chunks(jobs, self.CHUNK):
            conn.execute(_REFRESH_APPT_DERIVED, (_json(chunk),))

    def _changed(self, conn: sqlite3.Connection, table: str, columns: str, rows: list[Any],
                 key: Any) -> list[int]:
        """Ids of ``rows`` whose ``columns`` differ from what the table holds (or that are new)."""
        ids = _json([r.id for r in rows])
        old = {r[0]: tuple(r[1:]) for r in conn.execute(f"SELECT id, {columns} FROM {table} WHERE id IN ({_IDS})",
                                                         (ids,))}
        return [r.id for r in rows if old.get(r.id) != key(r)]

    def _upsert_technicians(self, conn: sqlite3.Connection, spec: TableSpec, rows: list[d.Technician]) -> None:
        changed = self._changed(conn, "technicians", "name", rows, lambda r: (r.name,))
        self._upsert_plain(conn, spec, rows)
        if changed:
            jobs = [r[0] for r in conn.execute(
                f"SELECT DISTINCT j.id FROM appointment_assignments aa JOIN jobs j ON j.next_appointment_id = "
                f"aa.appointment_id WHERE aa.technician_id IN ({_IDS})", (_json(changed),))]
            for chunk in _chunks(jobs, self.CHUNK):
                conn.execute(_REFRESH_APPT_DERIVED, (_json(chunk),))

    def _jobs_where(self, conn: sqlite3.Connection, column: str, ids: list[int]) -> list[int]:
        return [r[0] for r in conn.execute(f"SELECT id FROM jobs WHERE {column} IN ({_IDS})", (_json(ids),))]

    def _refresh_names_and_search(self, conn: sqlite3.Connection, job_ids: list[int], *, names: bool = True) -> None:
        for chunk in _chunks(job_ids, self.CHUNK):
            ids = _json(chunk)
            if names:
                conn.execute(_REFRESH_JOB_NAMES, (ids,))
            self._refresh_search(conn, ids)

    def _upsert_customers(self, conn: sqlite3.Connection, spec: TableSpec, rows: list[d.Customer]) -> None:
        changed = self._changed(conn, "customers", "name", rows, lambda r: (r.name,))
        self._upsert_plain(conn, spec, rows)
        if changed:
            self._refresh_names_and_search(conn, self._jobs_where(conn, "customer_id", changed))

    def _upsert_locations(self, conn: sqlite3.Connection, spec: TableSpec, rows: list[d.Location]) -> None:
        changed = self._changed(conn, "locations", "street, unit, city, state, zip", rows,
                                lambda r: (r.street, r.unit, r.city, r.state, r.zip))
        self._upsert_plain(conn, spec, rows)
        if changed:
            self._refresh_names_and_search(conn, self._jobs_where(conn, "location_id", changed))

    def _upsert_contacts(self, conn: sqlite3.Connection, spec: TableSpec, rows: list[d.Contact]) -> None:
        self._upsert_plain(conn, spec, rows)
        customers = [r.owner_id for r in rows if r.owner_kind == "customer"]
        locations = [r.owner_id for r in rows if r.owner_kind == "location"]
        jobs = set(self._jobs_where(conn, "customer_id", customers)) if customers else set()
        if locations:
            jobs.update(self._jobs_where(conn, "location_id", locations))
        self._refresh_names_and_search(conn, sorted(jobs), names=False)

    def _upsert_job_notes(self, conn: sqlite3.Connection, spec: TableSpec, rows: list[d.Note]) -> None:
        self._upsert_plain(conn, spec, rows)
        self._refresh_names_and_search(conn, sorted({r.owner_id for r in rows}), names=False)

    def _upsert_lookup_names(self, conn: sqlite3.Connection, spec: TableSpec, rows: list[Any],
                             job_column: str, name_column: str) -> None:
        changed = self._changed(conn, spec.name, "name", rows, lambda r: (r.name,))
        self._upsert_plain(conn, spec, rows)
        if changed:
            conn.execute(
                f"UPDATE jobs SET {name_column} = coalesce((SELECT name FROM {spec.name} t WHERE t.id = "
                f"jobs.{job_column}), '') WHERE {job_column} IN ({_IDS})",
                (_json(changed),),
            )

    def _upsert_job_types(self, conn: sqlite3.Connection, spec: TableSpec, rows: list[d.JobType]) -> None:
        self._upsert_lookup_names(conn, spec, rows, "job_type_id", "job_type_name")

    def _upsert_business_units(self, conn: sqlite3.Connection, spec: TableSpec, rows: list[d.BusinessUnit]) -> None:
        self._upsert_lookup_names(conn, spec, rows, "business_unit_id", "business_unit_name")

    def deactivate_missing(self, table: str, seen_ids: Iterable[int]) -> int:
        """After a complete read of a list feed: mark rows of ``table`` not in ``seen_ids`` inactive.
        Returns how many changed. (Never deletes.)"""
        spec = _tables()[table]
        if spec.conflict != ("id",):
            raise CacheError(f"deactivate_missing does not support {table}")
        with self.transaction() as conn:
            if table == "jobs":
                return self._deactivate_jobs(conn, _json(list(seen_ids)))
            cur = conn.execute(
                f"UPDATE {table} SET active = 0 WHERE active = 1 AND id NOT IN ({_IDS})", (_json(list(seen_ids)),)
            )
            return cur.rowcount

    def _deactivate_jobs(self, conn: sqlite3.Connection, seen_json: str) -> int:
        """Jobs flagged inactive move counter groups and get the inactive marker in the search index."""
        ids = [r[0] for r in conn.execute(f"SELECT id FROM jobs WHERE active = 1 AND id NOT IN ({_IDS})", (seen_json,))]
        for chunk in _chunks(ids, self.CHUNK):
            chunk_json = _json(chunk)
            conn.execute(_COUNT_JOBS, (chunk_json, -1))
            conn.execute(f"UPDATE jobs SET active = 0 WHERE id IN ({_IDS})", (chunk_json,))
            conn.execute(_COUNT_JOBS, (chunk_json, 1))
            conn.execute(_COUNT_DROP_EMPTY)
            self._refresh_search(conn, chunk_json)
        return len(ids)

    # ------------------------------------------------------------------------------------ first fill

    def begin_fill(self, table: str) -> bool:
        """Called as a feed starts: when it is the jobs feed and the jobs table is empty (a first sync, or after
        a purge), drop the job indexes not in ``_FILL_KEEP`` and note them in ``job_fill_deferred`` (one
        transaction), so the fill writes each job into the table, its raw payload, the kept indexes and the
        search index only; ``finish_fill`` builds the rest once. True while such a fill is in progress (also
        when a killed one is resumed: the table says so)."""
        if table != "jobs":
            return False
        with self.transaction() as conn:
            if self._filling(conn):
                return True
            if conn.execute("SELECT 1 FROM jobs LIMIT 1").fetchone() is not None:
                return False
            deferred = conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'jobs' AND sql IS NOT NULL "
                f"AND name NOT IN ({_marks(_FILL_KEEP)})", _FILL_KEEP,
            ).fetchall()
            conn.executemany("INSERT INTO job_fill_deferred (name, sql) VALUES (?, ?)", deferred)
            for name, _sql in deferred:
                conn.execute(f"DROP INDEX {_q(name)}")
            if deferred:
                conn.execute(_FTS_AUTOMERGE, (self.FILL_AUTOMERGE,))
            return bool(deferred)

    def finish_fill(self, table: str, *, failed: bool = False) -> None:
        """Build what ``begin_fill`` deferred (nothing when no fill is in progress), in one transaction: a kill
        during the build leaves the fill in progress and the next end of the jobs feed builds it again.
        ``failed``: the feed failed; a fill of fewer than ``FILL_READABLE_JOBS`` jobs is then left in progress, for
        the next run to resume as a fill (the board reads that many without the indexes well enough meanwhile).

        The sync engine calls it when the jobs feed completes and when it fails (an offline board fails every
        round, so a fill killed and never resumed is finished by the next sync attempt of any kind that runs
        the jobs feed); a cancelled feed keeps the fill for the next run to resume.

        Called outside a transaction, the build runs with temp_store=FILE (the setting cannot change inside one):
        SQLite's sorter then packs each index's keys in a few large buffers (spilling to temporary files only past
        the cache size) where with temp_store=MEMORY it allocates every key on its own, and the build takes ~35%
        less time. Changing it drops this connection's temporary tables, which the store recreates on use."""
        if table != "jobs":
            return
        conn = self.conn
        if failed and self._total_jobs(True) < self.FILL_READABLE_JOBS:
            return
        sorter = not conn.in_transaction and self._filling(conn)
        if sorter:
            conn.execute("PRAGMA temp_store=FILE")
            # a page cache this small makes the sorter write its keys out in runs, which helper threads sort and
            # merge beside this one (with room for every key it sorts alone): ~20% off the build at 200,000 jobs
            conn.execute(f"PRAGMA cache_size=-{self.BUILD_CACHE_KIB}")
            conn.execute(f"PRAGMA threads={self.BUILD_THREADS}")
        try:
            with self.transaction() as conn:
                deferred = conn.execute("SELECT name, sql FROM job_fill_deferred ORDER BY name").fetchall()
                for _name, sql in deferred:
                    conn.execute(sql)
                if deferred:
                    conn.execute(_FTS_AUTOMERGE, (self.AUTOMERGE,))
                conn.execute("DELETE FROM job_fill_deferred")
        finally:
            if sorter:
                conn.execute("PRAGMA threads=0")
                conn.execute(f"PRAGMA cache_size=-{self.CACHE_KIB}")
                conn.execute("PRAGMA temp_store=MEMORY")
                # the change dropped the text search's temp tables: forget them, so they are made again on use
                self._local.scratch = False
                self._match_memo().clear()

    def _filling(self, conn: sqlite3.Connection) -> bool:
        return conn.execute("SELECT 1 FROM job_fill_deferred LIMIT 1").fetchone() is not None

    def _deferred_indexes(self) -> set[str]:
        """Job indexes missing while a first fill runs (reads plan around them)."""
        return {r[0] for r in self.conn.execute("SELECT name FROM job_fill_deferred")}

    # ------------------------------------------------------------------------------------ sync state

    def save_token(self, feed: str, token: str | None, *, rows: int = 0, pages: int = 1, whole: bool = False) -> None:
        """Record a page of ``feed`` as stored: its continuation token and counts. Call it inside the same
        ``transaction()`` as the page's upsert. ``whole``: ``rows`` and ``pages`` are the feed's entire content
        (a list feed, read in full every time): they replace the counts rather than add to them."""
        now = _now()
        counts = ("rows_total = excluded.rows_total, pages_total = excluded.pages_total" if whole else
                  "rows_total = rows_total + excluded.rows_total, pages_total = pages_total + excluded.pages_total")
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO sync_state (feed, token, last_success, rows_total, pages_total, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(feed) DO UPDATE SET token = excluded.token, "
                f"last_success = excluded.last_success, {counts}, updated_at = excluded.updated_at",
                (feed, token, now, rows, pages, now),
            )

    def record_error(self, feed: str, message: str) -> None:
        now = _now()
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO sync_state (feed, last_error, last_error_at, updated_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(feed) DO UPDATE SET last_error = excluded.last_error, "
                "last_error_at = excluded.last_error_at, updated_at = excluded.updated_at",
                (feed, message, now, now),
            )

    def clear_error(self, feed: str) -> None:
        with self.transaction() as conn:
            conn.execute("UPDATE sync_state SET last_error = NULL, last_error_at = NULL WHERE feed = ?", (feed,))

    def token(self, feed: str) -> str | None:
        row = self.conn.execute("SELECT token FROM sync_state WHERE feed = ?", (feed,)).fetchone()
        return row[0] if row else None

    def reset_feed(self, feed: str) -> None:
        """Forget a feed's token (the next sync starts it from the beginning); rows stay."""
        with self.transaction() as conn:
            conn.execute("UPDATE sync_state SET token = NULL WHERE feed = ?", (feed,))

    def sync_states(self) -> list[SyncState]:
        out = []
        for r in self.conn.execute("SELECT * FROM sync_state ORDER BY feed"):
            out.append(SyncState(
                feed=r["feed"], token=r["token"], last_success=parse_datetime(r["last_success"]),
                last_error=r["last_error"], last_error_at=parse_datetime(r["last_error_at"]),
                rows_total=r["rows_total"], pages_total=r["pages_total"],
            ))
        return out

    def optimize(self) -> None:
        """Refresh the planner's statistics (after a big sync). Cheap when nothing changed much."""
        self.conn.execute("PRAGMA optimize")

    # ============================================================================= job list queries

    def _total_jobs(self, include_inactive: bool) -> int:
        sql = "SELECT coalesce(sum(n), 0) FROM job_counts" + ("" if include_inactive else " WHERE active = 1")
        return int(self.conn.execute(sql).fetchone()[0])

    def _counter_where(self, q: JobQuery) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        args: list[Any] = []
        if not q.include_inactive:
            clauses.append("active = 1")
        for col, values in (("status", q.statuses), ("priority", q.priorities)):
            if values:
                clauses.append(f"{col} IN ({_marks(values)})")
                args.extend(str(v) for v in values)
        for col, values in (("job_type_id", q.job_type_ids), ("business_unit_id", q.business_unit_ids)):
            if values:
                clauses.append(f"{col} IN ({_marks(values)})")
                args.extend(int(v) for v in values)
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", args

    @staticmethod
    def _counter_only(q: JobQuery) -> bool:
        return not (fts_query(q.text) or q.technician_ids or q.appointment_from or q.appointment_to
                    or q.customer_id is not None or q.location_id is not None or q.project_id is not None)

    def _where(self, q: JobQuery, *, plus: bool = False, facets: bool = True) -> tuple[list[str], list[Any]]:
        """WHERE clauses over ``jobs j``. ``plus=True`` writes the counter dimensions as ``+j.col`` so the
        planner does not pick their indexes (used when walking a sort index, whose covering columns check
        them). ``facets=False`` matches the text alone (cheaper to evaluate when those columns are checked
        on the index anyway)."""
        p = "+" if plus else ""
        clauses: list[str] = []
        args: list[Any] = []
        if not q.include_inactive:
            clauses.append(f"{p}j.active = 1")
        for col, values in (("status", q.statuses), ("priority", q.priorities)):
            if values:
                clauses.append(f"{p}j.{col} IN ({_marks(values)})")
                args.extend(str(v) for v in values)
        for col, values in (("job_type_id", q.job_type_ids), ("business_unit_id", q.business_unit_ids)):
            if values:
                clauses.append(f"{p}j.{col} IN ({_marks(values)})")
                args.extend(int(v) for v in values)
        for col, value in (("customer_id", q.customer_id), ("location_id", q.location_id),
                           ("project_id", q.project_id)):
            if value is not None:
                clauses.append(f"j.{col} = ?")
                args.append(int(value))
        if q.appointment_from is not None:
            clauses.append("j.next_appt_key >= ?")
            args.append(format_datetime(q.appointment_from))
        if q.appointment_to is not None:
            clauses.append("j.next_appt_key < ?")
            args.append(format_datetime(q.appointment_to))
        if q.appointment_from is None and q.appointment_to is not None:
            clauses.append("j.next_appt_key <> '~'")
        if q.technician_ids:
            appointments = (f"SELECT appointment_id FROM appointment_assignments WHERE technician_id IN "
                            f"({_marks(q.technician_ids)}) AND active = 1")
            if plus:  # a walk of a sort index checks job ids (which it holds) without reading each job's row
                clauses.append(f"j.id IN (SELECT id FROM jobs WHERE next_appointment_id IN ({appointments}))")
            else:  # found in the next-appointment index, which holds the counters' columns: a count reads no row
                clauses.append(f"j.next_appointment_id IN ({appointments})")
            args.extend(int(t) for t in q.technician_ids)
        match = _fts_match(q) if facets else _text_match(q.text)
        table = self._match_table(_kept_match(q)) if match else None
        if table:  # every job the text (and active filter) matches; the other filters are the clauses above
            clauses.append(f"j.id IN (SELECT id FROM temp.{table})")
        elif match:
            # a text not kept matches many jobs: beside a technician's few, those lead and this is checked on them
            lead = "+" if q.technician_ids else ""
            clauses.append(f"{lead}j.id IN (SELECT rowid FROM jobs_fts WHERE jobs_fts MATCH ?)")
            args.append(match)
        return clauses, args

    def _fts_count(self, match: str, cap: int | None = None) -> int:
        key = ("fts", match, cap)
        version = self._version()
        hit = self._counts.get(key)
        if hit is not None and hit[0] == version:
            return hit[1]
        n = self._fts_count_uncached(match, cap)
        self._remember(self._counts, key, (version, n), 64)
        return n

    def _fts_count_uncached(self, match: str, cap: int | None) -> int:
        if cap is None:
            sql, args = "SELECT count(*) FROM jobs_fts WHERE jobs_fts MATCH ?", (match,)
        else:
            sql, args = "SELECT count(*) FROM (SELECT 1 FROM jobs_fts WHERE jobs_fts MATCH ? LIMIT ?)", (match, cap)
        return int(self.conn.execute(sql, args).fetchone()[0])

    @staticmethod
    def _narrow_filters(q: JobQuery) -> bool:
        return bool(q.technician_ids or q.appointment_from or q.appointment_to or q.customer_id is not None
                    or q.location_id is not None or q.project_id is not None)

    def count_jobs(self, query: JobQuery, *, cap: int | None = None) -> int:
        """Number of jobs matching ``query``: exact, or with ``cap`` ``min(exact, cap)`` (a cheap "10,000+"
        for broad text searches; the UI can pass it when it only needs to know "many").

        Status / priority / job type / business unit / active filters come from maintained counters; text
        together with those is counted inside the search index (facet markers); technician, date, customer,
        location and project filters count through their indexes. A text whose matches a window kept
        (``_text_found``) counts from them: their number, or their rows with the other filters."""
        key = ("count", _query_key(query), cap)
        version = self._version()
        hit = self._counts.get(key)
        if hit is not None and hit[0] == version:
            return hit[1]
        match = _fts_match(query)
        in_index = match is not None and not self._narrow_filters(query)
        if self._counter_only(query):
            where, args = self._counter_where(query)
            n = int(self.conn.execute(f"SELECT coalesce(sum(n), 0) FROM job_counts{where}", args).fetchone()[0])
            if cap is not None:
                n = min(n, cap)
        elif in_index and (known := self._known_count(match, cap, version)) is not None:
            n = known
        elif in_index and not self._match_table(_kept_match(query)):
            n = self._fts_count(match, cap)
        else:  # through the filters' indexes, or the rows of the text's kept matches (_where)
            clauses, args = self._where(query)
            inner = "SELECT 1 FROM jobs j WHERE " + " AND ".join(clauses or ["1"])
            if cap is not None:
                inner += f" LIMIT {int(cap)}"
            n = int(self.conn.execute(f"SELECT count(*) FROM ({inner})", args).fetchone()[0])
        self._remember(self._counts, key, (version, n), 64)
        return n

    def _sort(self, q: JobQuery) -> str:
        col = JOB_SORT_COLUMNS.get(q.sort)
        if col is None:
            raise CacheError(f"unknown sort {q.sort!r}; known: {sorted(JOB_SORT_COLUMNS)}")
        return col

    def _index_hint(self, name: str) -> str:
        """``INDEXED BY name``, or nothing while a first fill has deferred that index (naming a missing index is
        an error)."""
        return "" if name in self._deferred_indexes() else f"INDEXED BY {name}"

    _PLAN_CAP = 50_001
    #: a text matching at most this many jobs keeps them in a temp table for its windows (``_text_found``); at
    #: least the board's text count cap (job_table.TEXT_COUNT_CAP), which then needs no count of its own
    _MATCH_CAP = 10_000
    #: the temp tables of one connection; the least recently used text gives its table up
    _MATCH_TABLES = ("job_match_0", "job_match_1", "job_match_2", "job_match_3")
    #: rough microseconds to check one job's text in the scratch index (read its document, index it, match)
    _CHECK_UNIT = 12.0

    def _plan(self, q: JobQuery, offset: int, limit: int) -> str:
        """``"sort"``: walk the sort column's covering index, checking filters as rows go by (best when
        many rows match); ``"filter"``: let a filter (index, search, technician, date) find the matching
        rows, then sort them (best when few match); ``"check"`` (text only): walk the sort index and check
        the text of the rows that pass the other filters a batch at a time (``_checked_window``; best when
        the text matches so many jobs that finding them all costs more than checking the few a window needs).
        Costs in rough microseconds."""
        if f"jobs_sort_{q.sort}" in self._deferred_indexes():
            return "filter"  # a first fill is running and has not built this order's index yet
        total = max(1, self._total_jobs(True))
        where, args = self._counter_where(q)
        matches = float(self.conn.execute(f"SELECT coalesce(sum(n), 0) FROM job_counts{where}", args).fetchone()[0])
        materialise = probe = 0.0
        walk_unit = 0.05  # a covering-index entry
        text_share = 1.0
        kept_rows = math.inf
        text = fts_query(q.text) is not None
        if text:
            # text and active filter (memoised; cheap next to the facet-filtered match), scaled by the other filters
            match = _kept_match(q)
            found = self._text_found(match)
            text_share = max(found, 1.0) / total
            # measured at 1,000,000 jobs: the "sort" plan's IN (...) set costs ~0.3 us a match to build, unless
            # _text_found kept them all, and ~0.1 us a walked entry to probe; the "filter" plan reads a kept
            # table's jobs, their rows at random: 1.5-4.5 us each with 16 KiB pages (~0.6 us with 4 KiB ones)
            probe = 0.1
            if self._match_table(match):
                kept_rows = found
            else:
                materialise = 0.3 * found
            matches = min(matches, found * matches / total)
        if q.technician_ids:
            n = self.conn.execute(
                "SELECT count(*) FROM (SELECT 1 FROM appointment_assignments WHERE technician_id IN "
                f"({_marks(q.technician_ids)}) AND active = 1 LIMIT ?)", [*map(int, q.technician_ids), self._PLAN_CAP]
            ).fetchone()[0]
            matches = min(matches, n * matches / total)  # as if independent of the other filters
            materialise += 0.5 * n  # the set of their jobs, built once; a walked entry probes it
            probe += 0.1
        if q.customer_id is not None or q.location_id is not None or q.project_id is not None:
            matches = min(matches, 2000.0)
            walk_unit = 1.5
        if q.appointment_from is not None or q.appointment_to is not None:
            lo = format_datetime(q.appointment_from) if q.appointment_from else ""
            hi = format_datetime(q.appointment_to) if q.appointment_to else "~"
            in_range = self.conn.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM jobs {self._index_hint('jobs_sort_next_appointment')} "
                "WHERE next_appt_key >= ? AND next_appt_key < ? LIMIT ?)", (lo, hi, self._PLAN_CAP)
            ).fetchone()[0]
            matches = min(matches, float(in_range))
            walk_unit = max(walk_unit, 0.05 if q.sort == "next_appointment" else 1.5)
        if matches <= 0:
            return "filter"
        entries = (offset + limit) * total / matches
        walk = walk_unit * entries
        costs = {"filter": min(1.5 * matches, 1.5 * kept_rows), "sort": materialise + walk + probe * entries}
        if text:
            costs["check"] = walk + self._CHECK_UNIT * (offset + limit) / text_share
        return min(costs, key=costs.__getitem__)

    def _text_found(self, match: str) -> float:
        """How many jobs ``match`` (``_kept_match``'s expression) finds: exact up to ``_MATCH_CAP``, beyond it
        estimated from how far into the job ids its first ``_MATCH_CAP + 1`` matches reach. Those go into one of
        this connection's temp tables in the same pass, and when they are all the matches the table is kept
        for the data version: windows read it (``_match_table``) instead of the search index, and a count of the
        same expression is its size.
        (A word longer than the prefix indexes makes FTS5 read every posting of every term it begins, however
        few rows are asked for: ~8 ms for 'spring' at 1,000,000 jobs, once per lookup.) Not kept inside a
        transaction, whose rollback would empty the table."""
        memo = self._match_memo()
        version = self._version()
        hit = memo.pop(match, None)
        if hit is not None and hit[0] == version:
            memo[match] = hit
            return hit[1]
        held = {entry[2] for entry in memo.values()}
        free = [t for t in self._MATCH_TABLES if t not in held]
        while not free:
            oldest = next(key for key, entry in memo.items() if entry[2])
            free.append(memo.pop(oldest)[2])
        table: str | None = free[0]
        conn = self.conn
        conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS {table} (id INTEGER PRIMARY KEY)")
        conn.execute(f"DELETE FROM temp.{table}")
        n = conn.execute(f"INSERT INTO temp.{table} SELECT rowid FROM jobs_fts WHERE jobs_fts MATCH ? LIMIT ?",
                         (match, self._MATCH_CAP + 1)).rowcount
        found = float(n)
        if n > self._MATCH_CAP:
            lo, hi = conn.execute("SELECT (SELECT min(id) FROM jobs), (SELECT max(id) FROM jobs)").fetchone()  # 2 seeks
            last = conn.execute(f"SELECT max(id) FROM temp.{table}").fetchone()[0]
            found = max(found, n * (hi - lo + 1) / (last - lo + 1))
            conn.execute(f"DELETE FROM temp.{table}")
            table = None
        if not conn.in_transaction:
            memo[match] = (version, found, table)
            while len(memo) > 64:
                memo.popitem(last=False)
        return found

    def _known_count(self, match: str, cap: int | None, version: Any) -> int | None:
        """``match``'s count (capped at ``cap``) as ``_text_found``'s pass at ``version`` saw it (a window of the
        query read before its count, as the board does): every match kept, or more than ``_MATCH_CAP`` (the
        board's "10,000+" needs no more). None when it did not run or cannot tell."""
        hit = self._match_memo().get(match)
        if hit is None or hit[0] != version:
            return None
        if hit[2]:
            return int(hit[1]) if cap is None else min(int(hit[1]), cap)
        return cap if cap is not None and cap <= self._MATCH_CAP else None

    def _match_memo(self) -> OrderedDict[str, tuple[Any, float, str | None]]:
        """This connection's ``_kept_match`` expressions, least recently used first -> (data version, jobs found,
        the temp table holding them all or None: more than ``_MATCH_CAP``)."""
        memo = getattr(self._local, "matches", None)
        if memo is None:
            memo = self._local.matches = OrderedDict()
        return memo

    def _match_table(self, match: str) -> str | None:
        """The temp table holding every job ``match`` finds at this data version, if ``_text_found`` kept one."""
        hit = self._match_memo().get(match)
        return hit[2] if hit is not None and hit[0] == self._version() else None

    _SCRATCH_COLUMNS = ", ".join(JOBS_FTS_TEXT_COLUMNS)

    def _text_matches(self, match: str, ids: list[int]) -> set[int]:
        """Which of ``ids`` match ``match`` (a text-only MATCH expression). Their documents are put in an empty
        scratch index of the same columns and tokenizer as jobs_fts (a temporary table of this connection) and
        the same expression runs there: the answer is FTS5's own, for a cost per job, not per match. (No
        document sizes, columnsize=0: matching does not read them, and writing them was ~10% of the check.)"""
        conn = self.conn
        if not getattr(self._local, "scratch", False):
            conn.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.job_scratch USING fts5({self._SCRATCH_COLUMNS}, "
                         f"content='', columnsize=0, tokenize='{JOBS_FTS_TOKENIZE}')")
            self._local.scratch = True
        conn.execute(f"INSERT INTO temp.job_scratch(rowid, {self._SCRATCH_COLUMNS}) "
                     f"SELECT rowid, {self._SCRATCH_COLUMNS} FROM job_search WHERE rowid IN ({_IDS})", (_json(ids),))
        try:
            return {r[0] for r in conn.execute("SELECT rowid FROM temp.job_scratch WHERE job_scratch MATCH ?", (match,))}
        finally:
            conn.execute("INSERT INTO temp.job_scratch(job_scratch) VALUES ('delete-all')")

    def _checked_window(self, q: JobQuery, seek: tuple[Any, ...] | None, skip: int, limit: int,
                        reverse: bool) -> list[tuple[Any, ...]]:
        """The ``"check"`` plan: (id, sort value) of rows ``skip .. skip+limit-1`` after ``seek``. The sort index
        is walked with the other filters in batches; each batch's text is checked with ``_text_matches``."""
        match = _text_match(q.text)
        walk = replace(q, text="")
        need = skip + limit
        found: list[tuple[Any, ...]] = []
        seen = hits = 0
        # the first batch from the text's share of all jobs (the plan's estimate), the next ones from the hits seen
        share = max(self._text_found(_kept_match(q)), 1.0) / max(self._total_jobs(True), 1)
        batch = max(64, min(8192, int(need / share * 1.2)))
        conn = self.conn
        own = not conn.in_transaction
        if own:
            conn.execute("BEGIN")  # one snapshot for every batch
        try:
            while len(found) < need:
                sql, args = self._window_sql(walk, "sort", seek, reverse)
                rows = conn.execute(sql, [*args, batch, 0]).fetchall()
                if not rows:
                    break
                matched = self._text_matches(match, [r[0] for r in rows])
                found.extend(tuple(r) for r in rows if r[0] in matched)
                seen, hits = seen + len(rows), hits + len(matched)
                if len(rows) < batch:
                    break
                seek = (rows[-1][1], rows[-1][0])
                batch = max(64, min(8192, int((need - len(found)) * (seen + 1) / (hits + 1) * 1.2)))
        finally:
            if own:
                conn.execute("COMMIT")
        return found[skip:need]

    def _window_sql(self, q: JobQuery, plan: str, seek: tuple[Any, ...] | None, reverse: bool) -> tuple[str, list[Any]]:
        col = self._sort(q)
        clauses, args = self._where(q, plus=(plan == "sort"), facets=(plan != "sort"))
        desc = q.descending != reverse
        if seek is not None:
            clauses.append(f"(j.{col}, j.id) {'<' if desc else '>'} (?, ?)")
            args.extend(seek)
        direction = "DESC" if desc else "ASC"
        if plan == "sort":
            source = f"jobs j {self._index_hint(f'jobs_sort_{q.sort}')}"
            order = f"j.{col} {direction}, j.id {direction}"
        else:
            source = "jobs j"
            order = f"+j.{col} {direction}, +j.id {direction}"
        sql = (
            f"SELECT j.id, j.{col} AS sort_value FROM {source} WHERE {' AND '.join(clauses or ['1'])} "
            f"ORDER BY {order} LIMIT ? OFFSET ?"
        )
        return sql, args

    def jobs_window(self, query: JobQuery, offset: int, limit: int) -> list[JobListRow]:
        """Rows ``offset .. offset+limit-1`` of the job list for ``query``, in its sort order.

        Deep windows seek from the nearest row whose place is known for the same query and data version (keyset
        anchors: the ends of windows already read and the bookmarks of ``bookmark_job_list``), or from the end
        when that is closer, so scrolling anywhere stays cheap."""
        if limit <= 0 or offset < 0:
            return []
        version = self._version()
        entry = self._anchors_for(query, version)
        anchors = entry.seen
        # nearest anchor before offset
        start = max((a for a in anchors if a < offset), default=None)
        seek = anchors[start] if start is not None else None
        # or the nearest bookmark before it, when nearer (marks[marked - 1] is at offset marked * step - 1)
        marked = min(offset // entry.step, len(entry.marks)) if entry.step else 0
        if marked and (start is None or marked * entry.step - 1 > start):
            start, seek = marked * entry.step - 1, entry.marks[marked - 1]
        skip = offset - (start + 1) if start is not None else offset
        reverse = False
        plan = self._plan(query, skip, limit)
        if plan != "filter" and skip > 20000:
            total = self._cached_count(query, version)
            if total is not None and offset < total and total - offset - limit < skip:
                reverse = True
        if reverse:
            total = self._cached_count(query, version) or 0
            end = min(offset + limit, total)
            if plan == "check":
                ids_sorts = self._checked_window(query, None, total - end, end - offset, True)[::-1]
            else:
                sql, args = self._window_sql(query, plan, None, True)
                ids_sorts = self.conn.execute(sql, [*args, end - offset, total - end]).fetchall()[::-1]
        elif plan == "check":
            ids_sorts = self._checked_window(query, seek, skip, limit, False)
        else:
            sql, args = self._window_sql(query, plan, seek, False)
            ids_sorts = self.conn.execute(sql, [*args, limit, skip]).fetchall()
        if not ids_sorts:
            return []
        anchors[offset] = (ids_sorts[0][1], ids_sorts[0][0])
        anchors[offset + len(ids_sorts) - 1] = (ids_sorts[-1][1], ids_sorts[-1][0])
        if len(anchors) > 2000:
            for k in sorted(anchors)[: len(anchors) - 2000]:
                del anchors[k]
        return self._list_rows([r[0] for r in ids_sorts])

    #: entries of the sort index between two bookmarks, about: what a window walks from the nearest at most, and
    #: a step of the walk, whatever share of the jobs the list holds (a bookmark every 2,000 jobs of an unfiltered
    #: list, every 80 of one holding 4% of the jobs; ~1 ms at 1,000,000 jobs)
    BOOKMARK_ENTRIES = 2000
    #: bookmarks of one query at most (past 2,000,000 jobs they space wider)
    MAX_BOOKMARKS = 1000

    def bookmark_job_list(self, query: JobQuery, seconds: float) -> bool:
        """Walk on through ``query``'s job list for about ``seconds`` (at least one step), remembering the place
        of every ``step``-th job (a bookmark), so that a window anywhere in the list (the scrollbar dragged deep)
        seeks from a bookmark a short walk before it instead of walking from the top. Each step is one keyset
        seek in the sort index from the last bookmark to the next; the next call goes on from there. True when
        the list is walked to its end, or needs no bookmarks; call again until then. A change of the data starts
        over.

        No walk when the list is short, or when its last page would not walk the sort index (``_plan`` would
        find the matching jobs and sort them: every window costs about that, wherever it starts, and a walk
        would cost more), or for a text search. A text matching up to ``_MATCH_CAP`` jobs is read from its kept
        matches (the "filter" plan), at any offset. One matching more (the board shows its first 10,000) has no
        short step: each would find all its matches again (~0.3 us each, 15-30 ms at 50,000-100,000) or check
        the text of every job walked (``_checked_window``, ~11 us each); its deep windows stay as they are
        (40-110 ms at the 10,000th of 1,000,000 jobs, mostly finding the matches)."""
        version = self._version()
        entry = self._anchors_for(query, version)
        if entry.walked:
            return True
        conn = self.conn
        own = not conn.in_transaction
        if own:
            conn.execute("BEGIN")  # one snapshot for the count, the plan and the steps
        try:
            if not entry.step:
                count = 0 if fts_query(query.text) is not None else self.count_jobs(query)  # counted by the board
                step = max(-(-count // self.MAX_BOOKMARKS),
                           -(-self.BOOKMARK_ENTRIES * count // max(1, self._total_jobs(True))))
                if count <= step or self._plan(query, count, 1) == "filter":
                    entry.walked = True
                    return True
                entry.step = step
            deadline = time.perf_counter() + seconds
            while True:
                sql, args = self._window_sql(query, "sort", entry.marks[-1] if entry.marks else None, False)
                row = conn.execute(sql, [*args, 1, entry.step - 1]).fetchone()
                if row is None:
                    entry.walked = True
                    return True
                entry.marks.append((row[1], row[0]))
                if time.perf_counter() >= deadline:
                    return False
        finally:
            if own:
                conn.execute("COMMIT")

    def _anchors_for(self, query: JobQuery, version: Any) -> _Anchors:
        """``query``'s anchors at ``version`` (new ones when the data changed), as the most recently used."""
        key = _query_key(query)
        entry = self._anchors.get(key)
        if entry is None or entry.version != version:
            entry = _Anchors(version)
        self._remember(self._anchors, key, entry, 16)
        return entry

    def _cached_count(self, query: JobQuery, version: Any) -> int | None:
        hit = self._counts.get(("count", _query_key(query), None))
        if hit is not None and hit[0] == version:
            return hit[1]
        if self._counter_only(query):
            return self.count_jobs(query)
        return None

    def _list_rows(self, ids: list[int]) -> list[JobListRow]:
        rows = self.conn.execute(
            "SELECT id, number, status, priority, job_type_name, business_unit_name, customer_name, location_text, "
            f"next_appt_key, technician_names, summary, modified_on, active FROM jobs WHERE id IN ({_IDS})",
            (_json(ids),),
        ).fetchall()
        by_id = {r[0]: r for r in rows}
        out = []
        for i in ids:
            r = by_id.get(i)
            if r is None:
                continue
            out.append(JobListRow(
                id=r[0], number=r[1], status=r[2], priority=r[3], job_type=r[4], business_unit=r[5],
                customer=r[6], location=r[7], next_appointment=None if r[8] == "~" else parse_datetime(r[8]),
                technicians=r[9], summary=r[10], modified=parse_datetime(r[11]) if r[11] else None,
                active=bool(r[12]),
            ))
        return out

    def explain_jobs_window(self, query: JobQuery, offset: int = 0, limit: int = 50) -> list[str]:
        """EXPLAIN QUERY PLAN lines of the window query (for tests and ``cache info --explain``)."""
        plan = self._plan(query, offset, limit)
        if plan == "check":  # the walk's batch query (the text is checked apart)
            query, plan = replace(query, text=""), "sort"
        sql, args = self._window_sql(query, plan, None, False)
        return [r[3] for r in self.conn.execute("EXPLAIN QUERY PLAN " + sql, [*args, limit, offset])]

    def explain_count_jobs(self, query: JobQuery) -> list[str]:
        match = _fts_match(query)
        if self._counter_only(query):
            where, args = self._counter_where(query)
            sql = f"SELECT coalesce(sum(n), 0) FROM job_counts{where}"
        elif match and not self._narrow_filters(query) and not self._match_table(_kept_match(query)):
            sql, args = "SELECT count(*) FROM jobs_fts WHERE jobs_fts MATCH ?", [match]
        else:
            clauses, args = self._where(query)
            sql = "SELECT count(*) FROM jobs j WHERE " + " AND ".join(clauses or ["1"])
        return [r[3] for r in self.conn.execute("EXPLAIN QUERY PLAN " + sql, args)]

    @staticmethod
    def _remember(cache: OrderedDict[Any, Any], key: Any, value: Any, size: int) -> None:
        cache[key] = value
        cache.move_to_end(key)
        while len(cache) > size:
            cache.popitem(last=False)

    # =============================================================================== record reads

    def _one(self, table: str, sql: str, args: Sequence[Any]) -> Any | None:
        row = self.conn.execute(sql, args).fetchone()
        return _decode(_tables()[table], row) if row else None

    def _many(self, table: str, sql: str, args: Sequence[Any] = ()) -> list[Any]:
        spec = _tables()[table]
        return [_decode(spec, r) for r in self.conn.execute(sql, args)]

    def job(self, job_id: int) -> d.Job | None:
        return self._one("jobs", "SELECT j.*, r.raw FROM jobs j LEFT JOIN job_raw r ON r.id = j.id WHERE j.id = ?",
                         (job_id,))

    def job_versions(self, first_id: int, last_id: int) -> dict[int, tuple[str, bool]]:
        """Cached jobs with ids in [first_id, last_id]: id -> (modified_on text, active). For a backend without a
        change feed, whose sync compares its list pages with the cache (FSM Navigator)."""
        rows = self.conn.execute("SELECT id, modified_on, active FROM jobs WHERE id BETWEEN ? AND ?",
                                 (first_id, last_id))
        return {int(r[0]): (str(r[1] or ""), bool(r[2])) for r in rows}

    def job_list_row(self, job_id: int) -> JobListRow | None:
        rows = self._list_rows([job_id])
        return rows[0] if rows else None

    def appointment(self, appointment_id: int) -> d.Appointment | None:
        return self._one("appointments", "SELECT * FROM appointments WHERE id = ?", (appointment_id,))

    def appointments_for_job(self, job_id: int, *, include_inactive: bool = False) -> list[d.Appointment]:
        extra = "" if include_inactive else " AND active = 1"
        return self._many("appointments",
                          f"SELECT * FROM appointments WHERE job_id = ?{extra} ORDER BY start, id", (job_id,))

    def appointment_technicians(self, job_id: int) -> dict[int, str]:
        """The technicians on each of the job's appointments, by appointment id, named as the job list names
        those of its next one ("" when nobody is assigned)."""
        rows = self.conn.execute(f"SELECT a.id, {_TECHNICIAN_NAMES.format(next_appointment_id='a.id')} "
                                 "FROM appointments a WHERE a.job_id = ?", (job_id,))
        return dict(rows.fetchall())

    def assignments_for_appointment(self, appointment_id: int) -> list[d.Assignment]:
        return self._many("appointment_assignments", "SELECT * FROM appointment_assignments "
                          "WHERE appointment_id = ? AND active = 1 ORDER BY id", (appointment_id,))

    def notes_for_job(self, job_id: int) -> list[d.Note]:
        """Active notes, pinned first, then newest first."""
        return self._many("job_notes", "SELECT * FROM job_notes WHERE job_id = ? AND active = 1 "
                          "ORDER BY pinned DESC, created_on DESC, id DESC", (job_id,))

    def notes_for_project(self, project_id: int) -> list[d.Note]:
        return self._many("project_notes", "SELECT * FROM project_notes WHERE project_id = ? AND active = 1 "
                          "ORDER BY pinned DESC, created_on DESC, id DESC", (project_id,))

    def history_for_job(self, job_id: int) -> list[d.HistoryEntry]:
        """Oldest first."""
        return self._many("job_history", "SELECT * FROM job_history WHERE job_id = ? ORDER BY at, id", (job_id,))

    def canceled_log_for_job(self, job_id: int) -> list[d.CanceledLogEntry]:
        return self._many("job_canceled_logs", "SELECT * FROM job_canceled_logs WHERE job_id = ? AND active = 1 "
                          "ORDER BY created_on DESC, id DESC", (job_id,))

    def booked_log_for_job(self, job_id: int) -> d.BookedLogEntry | None:
        """The job's booked log as last read from the server (its newest active entry), or None: either the
        job has none or it was never read; ``booked_log_read_on`` tells which."""
        return self._one("job_booked_logs", "SELECT * FROM job_booked_logs WHERE job_id = ? AND active = 1 "
                         "ORDER BY created_on DESC, id DESC LIMIT 1", (job_id,))

    def booked_log_read_on(self, job_id: int) -> datetime | None:
        """When the job's booked log was last read from the server (found or not); None: never (not cached)."""
        row = self.conn.execute("SELECT read_on FROM job_booked_log_reads WHERE job_id = ?", (job_id,)).fetchone()
        return parse_datetime(row[0]) if row else None

    def save_booked_log(self, job_id: int, entry: d.BookedLogEntry | None, *, at: datetime | None = None) -> None:
        """Store what the server answered for the job's booked log, in one transaction: ``entry`` replaces the
        job's earlier entries (kept with active=0, never deleted); None (the job has none) deactivates them.
        Either way the job counts as read at ``at`` (default now)."""
        if entry is not None and entry.job_id != job_id:
            raise CacheError(f"booked log {entry.id} is job {entry.job_id}'s, not job {job_id}'s")
        read_on = format_datetime(at or datetime.now(UTC))
        with self.transaction() as conn:
            if entry is not None:
                self.upsert("job_booked_logs", [entry])
            conn.execute("UPDATE job_booked_logs SET active = 0 WHERE job_id = ? AND id IS NOT ?",
                         (job_id, entry.id if entry is not None and entry.active else None))
            conn.execute("INSERT INTO job_booked_log_reads (job_id, read_on, found) VALUES (?, ?, ?) "
                         "ON CONFLICT(job_id) DO UPDATE SET read_on = excluded.read_on, found = excluded.found",
                         (job_id, read_on, int(entry is not None)))

    def appointments_between(self, start: datetime, end: datetime,
                             technician_ids: Sequence[int] | None = None) -> list[d.Appointment]:
        """Active appointments starting in [start, end) (optionally only those with one of the technicians
        assigned), by start."""
        args: list[Any] = [format_datetime(start), format_datetime(end)]
        extra = ""
        if technician_ids:
            extra = (" AND id IN (SELECT appointment_id FROM appointment_assignments WHERE active = 1 "
                     f"AND technician_id IN ({_marks(technician_ids)}))")
            args.extend(int(t) for t in technician_ids)
        return self._many("appointments", "SELECT * FROM appointments WHERE start >= ? AND start < ? AND active = 1"
                          f"{extra} ORDER BY start, id", args)

    _CALENDAR_COLUMNS = ("a.id, a.job_id, a.number, a.start, a.\"end\", a.arrival_window_start, a.arrival_window_end, "
                         "a.status, a.confirmed, a.special_instructions, a.modified_on, a.active, a.customer_id, "
                         "'' AS raw")

    # The calendar shows the appointments that overlap its range, so work running past midnight is on the
    # next day too. The start index bounds the search: an appointment of a week or more is not a visit.
    _IN_RANGE = ('a.start >= ? AND a.start < ? AND (a.start >= ? OR a."end" > ?) AND a.active = 1')
    _LONGEST_VISIT = timedelta(days=7)

    def _range_args(self, start: datetime, end: datetime) -> tuple[str | None, ...]:
        since = format_datetime(start)
        return format_datetime(start - self._LONGEST_VISIT), format_datetime(end), since, since

    def calendar_appointments(self, start: datetime, end: datetime) -> list[tuple[d.Appointment, str, str, str, str]]:
        """(appointment, job number, customer name, job priority, job status) for the active appointments
        overlapping [start, end) (an overnight one on both days), by start. Canceled ones are included (the
        calendar's tray lists them). The raw payload is not read: a day of 2,000 appointments must load fast."""
        sql = (f"SELECT {self._CALENDAR_COLUMNS}, j.number AS job_number, j.customer_name, j.priority, "
               "j.status AS job_status FROM appointments a LEFT JOIN jobs j ON j.id = a.job_id "
               f"WHERE {self._IN_RANGE} ORDER BY a.start, a.id")
        spec = _tables()["appointments"]
        return [(_decode(spec, row), row["job_number"] or "", row["customer_name"] or "", row["priority"] or "",
                 row["job_status"] or "")
                for row in self.conn.execute(sql, self._range_args(start, end))]

    def calendar_assignments(self, start: datetime, end: datetime) -> list[tuple[int, int, str]]:
        """(appointment id, technician id, assignment status) of the active assignments of the active
        appointments overlapping [start, end)."""
        sql = ("SELECT aa.appointment_id, aa.technician_id, aa.status FROM appointments a "
               "JOIN appointment_assignments aa ON aa.appointment_id = a.id AND aa.active = 1 "
               f"WHERE {self._IN_RANGE} ORDER BY aa.appointment_id, aa.id")
        return [(int(r[0]), int(r[1]), str(r[2])) for r in self.conn.execute(sql, self._range_args(start, end))]

    def explain_calendar(self, start: datetime, end: datetime) -> list[str]:
        """The query plans of the calendar's reads (tests and benches check they use indexes)."""
        plans: list[str] = []
        for sql in ("SELECT a.id, j.number FROM appointments a LEFT JOIN jobs j ON j.id = a.job_id "
                    f"WHERE {self._IN_RANGE} ORDER BY a.start, a.id",
                    "SELECT aa.appointment_id FROM appointments a JOIN appointment_assignments aa "
                    f"ON aa.appointment_id = a.id AND aa.active = 1 WHERE {self._IN_RANGE} "
                    "ORDER BY aa.appointment_id, aa.id"):
            plans.extend(str(r[3]) for r in self.conn.execute(f"EXPLAIN QUERY PLAN {sql}", self._range_args(start, end)))
        return plans

    def shifts_between(self, start: datetime, end: datetime,
                       technician_ids: Sequence[int] | None = None) -> list[d.Shift]:
        args: list[Any] = [format_datetime(end), format_datetime(start)]
        extra = ""
        if technician_ids:
            extra = f" AND technician_id IN ({_marks(technician_ids)})"
            args.extend(int(t) for t in technician_ids)
        return self._many("shifts", 'SELECT * FROM shifts WHERE start < ? AND "end" > ? AND active = 1'
                          f"{extra} ORDER BY start, id", args)

    def customer(self, customer_id: int) -> d.Customer | None:
        return self._one("customers", "SELECT * FROM customers WHERE id = ?", (customer_id,))

    def location(self, location_id: int) -> d.Location | None:
        return self._one("locations", "SELECT * FROM locations WHERE id = ?", (location_id,))

    def contacts_for(self, owner_kind: str, owner_id: int) -> list[d.Contact]:
        return self._many("contacts", "SELECT * FROM contacts WHERE owner_kind = ? AND owner_id = ? AND active = 1 "
                          "ORDER BY id", (owner_kind, owner_id))

    def project(self, project_id: int) -> d.Project | None:
        return self._one("projects", "SELECT * FROM projects WHERE id = ?", (project_id,))

    def technician(self, technician_id: int) -> d.Technician | None:
        return self._one("technicians", "SELECT * FROM technicians WHERE id = ?", (technician_id,))

    def _lookup(self, table: str, include_inactive: bool) -> list[Any]:
        where = "" if include_inactive else " WHERE active = 1"
        return self._many(table, f"SELECT * FROM {table}{where} ORDER BY name, id")

    def technicians(self, *, include_inactive: bool = False) -> list[d.Technician]:
        return self._lookup("technicians", include_inactive)

    def locations(self, *, include_inactive: bool = False) -> list[d.Location]:
        """Every cached service location, by name (a new job's location picker)."""
        return self._lookup("locations", include_inactive)

    def employees(self, *, include_inactive: bool = False) -> list[d.Employee]:
        return self._lookup("employees", include_inactive)

    def job_types(self, *, include_inactive: bool = False) -> list[d.JobType]:
        return self._lookup("job_types", include_inactive)

    def business_units(self, *, include_inactive: bool = False) -> list[d.BusinessUnit]:
        return self._lookup("business_units", include_inactive)

    _NAMES: dict[str, tuple[str, str, str]] = {
        # kind -> (table, column, how it reads)
        "job": ("jobs", "number", "job {}"),
        "appointment": ("appointments", "number", "appointment {}"),
        "project": ("projects", "number", "project {}"),
        "technician": ("technicians", "name", "{}"),
        "cancel_reason": ("cancel_reasons", "name", "{}"),
        "hold_reason": ("hold_reasons", "name", "{}"),
        "job_type": ("job_types", "name", "{}"),
        "business_unit": ("business_units", "name", "{}"),
    }

    def name_of(self, kind: str, record_id: int) -> str | None:
        """What a dispatcher calls a record ("job 41002", "Parts on order"), or None when it is not cached."""
        known = self._NAMES.get(kind)
        if known is None:
            return None
        table, column, words = known
        row = self.conn.execute(f"SELECT {column} FROM {table} WHERE id = ?", (int(record_id),)).fetchone()
        return words.format(row[0]) if row and row[0] else None

    def cancel_reasons(self, *, include_inactive: bool = False) -> list[d.Reason]:
        return self._lookup("cancel_reasons", include_inactive)

    def hold_reasons(self, *, include_inactive: bool = False) -> list[d.Reason]:
        return self._lookup("hold_reasons", include_inactive)

    def tag_types(self, *, include_inactive: bool = False) -> list[d.TagType]:
        return self._lookup("tag_types", include_inactive)

    def zones(self, *, include_inactive: bool = False) -> list[d.Zone]:
        return self._lookup("zones", include_inactive)

    def teams(self, *, include_inactive: bool = False) -> list[d.Team]:
        return self._lookup("teams", include_inactive)

    def arrival_windows(self, *, include_inactive: bool = False) -> list[d.ArrivalWindow]:
        """The arrival windows, earliest first (then the shorter first)."""
        where = "" if include_inactive else " WHERE active = 1"
        return self._many("arrival_windows",
                          f"SELECT * FROM arrival_windows{where} ORDER BY start_minutes, duration_minutes, id")

    def business_hours(self) -> d.BusinessHours | None:
        """The company's business hours, or None when none are cached (never synced, or withdrawn)."""
        return self._one("business_hours", "SELECT * FROM business_hours WHERE active = 1 ORDER BY id LIMIT 1", ())

    def project_statuses(self) -> list[d.ProjectStatus]:
        return self._many("project_statuses", 'SELECT * FROM project_statuses ORDER BY "order", name, id')

    def project_types(self) -> list[d.ProjectType]:
        return self._lookup("project_types", True)

    def job_statuses(self, workflow: Workflow | None = None) -> list[tuple[str, int]]:
        """(status text, active job count) for every status present, in ``workflow``'s order (default: the default
        backend's), then by name."""
        order = (workflow or workflow_for()).status_rank
        rows = self.conn.execute(
            "SELECT status, sum(n) FROM job_counts WHERE active = 1 GROUP BY status HAVING sum(n) > 0"
        ).fetchall()
        return sorted(((r[0], int(r[1])) for r in rows), key=lambda r: (order(r[0]), r[0]))

    # ================================================================================== projects

    _PROJECT_SORTS = {"number": "number_key", "name": "name", "modified": "modified_on"}

    def _project_where(self, q: ProjectQuery) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        args: list[Any] = []
        if not q.include_inactive:
            clauses.append("p.active = 1")
        if q.statuses:
            clauses.append(f"p.status IN ({_marks(q.statuses)})")
            args.extend(q.statuses)
        if q.customer_id is not None:
            clauses.append("p.customer_id = ?")
            args.append(q.customer_id)
        for word in q.text.split():
            clauses.append("(p.number LIKE ? ESCAPE '\\' OR p.name LIKE ? ESCAPE '\\')")
            pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            args.extend([pattern, pattern])
        return " AND ".join(clauses or ["1"]), args

    def count_projects(self, query: ProjectQuery) -> int:
        where, args = self._project_where(query)
        return int(self.conn.execute(f"SELECT count(*) FROM projects p WHERE {where}", args).fetchone()[0])

    # ===================================================================================== info

    def counts(self) -> dict[str, int]:
        """Rows per table (active and inactive)."""
        out = {}
        for name in _tables():
            out[name] = int(self.conn.execute(f"SELECT count(*) FROM {name}").fetchone()[0])
        out["outbox"] = int(self.conn.execute("SELECT count(*) FROM outbox").fetchone()[0])
        return out

    def info(self) -> dict[str, Any]:
        size = 0
        for suffix in ("", "-wal", "-shm"):
            p = Path(str(self.path) + suffix)
            if p.exists():
                size += p.stat().st_size
        outbox = {r[0]: r[1] for r in self.conn.execute("SELECT state, count(*) FROM outbox GROUP BY state")}
        return {
            "path": str(self.path),
            "bytes": size,
            "schema_version": self.schema_version,
            "sqlite_version": sqlite3.sqlite_version,
            "journal_mode": self.conn.execute("PRAGMA journal_mode").fetchone()[0],
            "counts": self.counts(),
            "active_jobs": self._total_jobs(False),
            "outbox": outbox,
            "feeds": [s.__dict__ for s in self.sync_states()],
        }


    # ============================================================================ project board rows

    def projects_window(self, query: ProjectQuery, offset: int, limit: int) -> list[ProjectListRow]:
        """The project list's rows for ``query`` (filter, order, window); ``count_projects`` counts the same
        rows."""
        col = self._PROJECT_SORTS.get(query.sort)
        if col is None:
            raise CacheError(f"unknown project sort {query.sort!r}; known: {sorted(self._PROJECT_SORTS)}")
        where, args = self._project_where(query)
        direction = "DESC" if query.descending else "ASC"
        sql = (
            "SELECT p.id, p.number, p.name, p.status, p.sub_status, coalesce(t.name, ''), coalesce(c.name, ''), "
            "p.customer_id, p.start_date, p.target_completion_date, json_array_length(p.job_ids), p.modified_on, "
            "p.active FROM projects p LEFT JOIN customers c ON c.id = p.customer_id "
            "LEFT JOIN project_types t ON t.id = p.project_type_id "
            f"WHERE {where} ORDER BY p.{col} {direction}, p.id {direction} LIMIT ? OFFSET ?"
        )
        return [
            ProjectListRow(id=r[0], number=r[1], name=r[2], status=r[3], sub_status=r[4], project_type=r[5],
                            customer=r[6], customer_id=r[7], start_date=parse_datetime(r[8]) if r[8] else None,
                            target_completion_date=parse_datetime(r[9]) if r[9] else None, job_count=r[10] or 0,
                            modified=parse_datetime(r[11]) if r[11] else None, active=bool(r[12]))
            for r in self.conn.execute(sql, [*args, limit, offset])
        ]

    def project_type(self, project_type_id: int) -> d.ProjectType | None:
        return self._one("project_types", "SELECT * FROM project_types WHERE id = ?", (project_type_id,))


# ============================================================================================ helpers


def _marks(values: Sequence[Any]) -> str:
    return ", ".join("?" for _ in values)


def _chunks(items: Sequence[Any], size: int) -> Iterator[list[Any]]:
    items = list(items)
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _now() -> str:
    return format_datetime(datetime.now(UTC)) or ""


def _query_key(q: Any) -> tuple[Any, ...]:
    return tuple(
        tuple(sorted(map(str, v))) if isinstance(v, (tuple, list)) else v
        for v in (getattr(q, f.name) for f in fields(q))
    )


def _split_sql(script: str) -> list[str]:
    """Split a migration script into statements (``sqlite3.complete_statement`` keeps triggers whole)."""
    statements: list[str] = []
    buf = ""
    for line in script.splitlines(keepends=True):
        if not buf.strip() and line.strip().startswith("--"):
            continue
        buf += line
        if sqlite3.complete_statement(buf):
            if buf.strip():
                statements.append(buf.strip())
            buf = ""
    if buf.strip():
        statements.append(buf.strip())
    return statements


@dataclass(frozen=True)
class ProjectListRow:
    """One line of the board's project list (``CacheStore.projects_window``)."""

    id: int
    number: str
    name: str
    status: str
    sub_status: str
    project_type: str
    customer: str
    customer_id: int | None
    start_date: datetime | None
    target_completion_date: datetime | None
    job_count: int
    modified: datetime | None
    active: bool = True
