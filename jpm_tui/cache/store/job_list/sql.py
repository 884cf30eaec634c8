"""The job list's SQL: a query's filters over the counters (``counter_where``) and over ``jobs j`` (``where``), and
the statement of a window by a plan (``window_sql``)."""

from __future__ import annotations

import sqlite3
from typing import Any, Literal

from jpm_tui.cache.schema import JOB_SORT_COLUMNS
from jpm_tui.cache.store.errors import CacheError
from jpm_tui.cache.store.first_fill import deferred_indexes
from jpm_tui.cache.store.job_list.matches import KeptMatches
from jpm_tui.cache.store.job_list.query import JobQuery
from jpm_tui.cache.store.job_list.search import fts_match, fts_query, kept_match, text_match
from jpm_tui.cache.store.sql_text import marks
from jpm_tui.provider.timestamps import format_datetime

Plan = Literal["sort", "filter", "check"]
"""How a window is read (``Planner.plan``)."""

Seek = tuple[Any, ...]
"""A row's place in a sort order: (sort value, id)."""


def sort_column(q: JobQuery) -> str:
    col = JOB_SORT_COLUMNS.get(q.sort)
    if col is None:
        raise CacheError(f"unknown sort {q.sort!r}; known: {sorted(JOB_SORT_COLUMNS)}")
    return col


def index_hint(conn: sqlite3.Connection, name: str) -> str:
    """``INDEXED BY name``, or nothing while a first fill has deferred that index (naming a missing index is
    an error)."""
    return "" if name in deferred_indexes(conn) else f"INDEXED BY {name}"


def _counted_filters(q: JobQuery, prefix: str) -> tuple[list[str], list[Any]]:
    """The query's filters on what the counters count (active, status, priority, job type, business unit), as
    clauses on ``prefix`` + column."""
    clauses: list[str] = []
    args: list[Any] = []
    if not q.include_inactive:
        clauses.append(f"{prefix}active = 1")
    for col, texts in (("status", q.statuses), ("priority", q.priorities)):
        if texts:
            clauses.append(f"{prefix}{col} IN ({marks(texts)})")
            args.extend(str(v) for v in texts)
    for col, ids in (("job_type_id", q.job_type_ids), ("business_unit_id", q.business_unit_ids)):
        if ids:
            clauses.append(f"{prefix}{col} IN ({marks(ids)})")
            args.extend(int(v) for v in ids)
    return clauses, args


def counter_where(q: JobQuery) -> tuple[str, list[Any]]:
    """The query's filters that the counters (``job_counts``) hold, as their WHERE clause."""
    clauses, args = _counted_filters(q, "")
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", args


def counter_only(q: JobQuery) -> bool:
    """Every filter of the query is one the counters hold."""
    return not (fts_query(q.text) or q.technician_ids or q.appointment_from or q.appointment_to
                or q.customer_id is not None or q.location_id is not None or q.project_id is not None)


def narrow_filters(q: JobQuery) -> bool:
    return bool(q.technician_ids or q.appointment_from or q.appointment_to or q.customer_id is not None
                or q.location_id is not None or q.project_id is not None)


def where(q: JobQuery, matches: KeptMatches, *, plus: bool = False,
          facets: bool = True) -> tuple[list[str], list[Any]]:
    """WHERE clauses over ``jobs j``. ``plus=True`` writes the counter dimensions as ``+j.col`` so the
    planner does not pick their indexes (used when walking a sort index, whose covering columns check
    them). ``facets=False`` matches the text alone (cheaper to evaluate when those columns are checked
    on the index anyway)."""
    clauses, args = _counted_filters(q, "+j." if plus else "j.")
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
                        f"({marks(q.technician_ids)}) AND active = 1")
        if plus:  # a walk of a sort index checks job ids (which it holds) without reading each job's row
            clauses.append(f"j.id IN (SELECT id FROM jobs WHERE next_appointment_id IN ({appointments}))")
        else:  # found in the next-appointment index, which holds the counters' columns: a count reads no row
            clauses.append(f"j.next_appointment_id IN ({appointments})")
        args.extend(int(t) for t in q.technician_ids)
    match = fts_match(q) if facets else text_match(q.text)
    kept = kept_match(q) if match else None
    table = matches.match_table(kept) if kept else None
    if table:  # every job the text (and active filter) matches; the other filters are the clauses above
        clauses.append(f"j.id IN (SELECT id FROM temp.{table})")
    elif match:
        # a text not kept matches many jobs: beside a technician's few, those lead and this is checked on them
        lead = "+" if q.technician_ids else ""
        clauses.append(f"{lead}j.id IN (SELECT rowid FROM jobs_fts WHERE jobs_fts MATCH ?)")
        args.append(match)
    return clauses, args


def window_sql(conn: sqlite3.Connection, matches: KeptMatches, q: JobQuery, plan: Plan, seek: Seek | None,
               reverse: bool) -> tuple[str, list[Any]]:
    """A window's statement (its last two parameters: LIMIT and OFFSET): rows as (id, sort value)."""
    col = sort_column(q)
    clauses, args = where(q, matches, plus=(plan == "sort"), facets=(plan != "sort"))
    desc = q.descending != reverse
    if seek is not None:
        clauses.append(f"(j.{col}, j.id) {'<' if desc else '>'} (?, ?)")
        args.extend(seek)
    direction = "DESC" if desc else "ASC"
    if plan == "sort":
        source = f"jobs j {index_hint(conn, f'jobs_sort_{q.sort}')}"
        order = f"j.{col} {direction}, j.id {direction}"
    else:
        source = "jobs j"
        order = f"+j.{col} {direction}, +j.id {direction}"
    sql = (
        f"SELECT j.id, j.{col} AS sort_value FROM {source} WHERE {' AND '.join(clauses or ['1'])} "
        f"ORDER BY {order} LIMIT ? OFFSET ?"
    )
    return sql, args
