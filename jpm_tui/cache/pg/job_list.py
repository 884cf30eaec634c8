"""The job list in PostgreSQL: a query's filters (``where``), its text searched in the words table (``search``),
counts (from the counters when every filter is one they hold) and windows (ordered by the sort's index, with a
keyset seek from the end of the window read before when the next one follows it), and the lines the board shows
(``list_rows``)."""

from __future__ import annotations

import threading
from typing import Any

import psycopg

from jpm_tui.cache.pg.db import PgDatabase
from jpm_tui.cache.pg.schema import JOB_SORT_EXPRESSIONS
from jpm_tui.cache.pg.search import TextSearch, text_search
from jpm_tui.cache.store.errors import CacheError
from jpm_tui.cache.store.job_list.query import JobListRow, JobQuery, QueryKey, query_key
from jpm_tui.provider.timestamps import format_datetime, parse_datetime


def _counted(q: JobQuery, *, active: bool = True) -> tuple[list[str], list[Any]]:
    """The filters the counters hold (active, status, priority, job type, business unit), as clauses (``active=False``:
    without the active filter)."""
    clauses: list[str] = [] if q.include_inactive or not active else ["active = 1"]
    args: list[Any] = []
    for col, values in (("status", [str(v) for v in q.statuses]), ("priority", [str(v) for v in q.priorities]),
                        ("job_type_id", [int(v) for v in q.job_type_ids]),
                        ("business_unit_id", [int(v) for v in q.business_unit_ids])):
        if values:
            clauses.append(f"{col} = ANY(%s)")
            args.append(values)
    return clauses, args


def _counter_only(q: JobQuery) -> bool:
    return not (text_search(q.text) or q.technician_ids or q.appointment_from or q.appointment_to
                or q.customer_id is not None or q.location_id is not None or q.project_id is not None)


def _filters(q: JobQuery, *, active: bool = True) -> tuple[list[str], list[Any]]:
    """The query's filters over ``jobs`` but its text, as clauses and their parameters."""
    clauses, args = _counted(q, active=active)
    for col, value in (("customer_id", q.customer_id), ("location_id", q.location_id), ("project_id", q.project_id)):
        if value is not None:
            clauses.append(f"{col} = %s")
            args.append(int(value))
    if q.appointment_from is not None:
        clauses.append("next_appt_key >= %s")
        args.append(format_datetime(q.appointment_from))
    if q.appointment_to is not None:
        clauses.append("next_appt_key < %s")
        args.append(format_datetime(q.appointment_to))
        if q.appointment_from is None:
            clauses.append("next_appt_key <> '~'")
    if q.technician_ids:
        # the technicians' appointments found first, once (an array the next appointment index is probed with): as a
        # subquery, the planner walked the sort index and probed each job's (33,000 probes for the first page of one
        # technician of 300 at 1,000,000 jobs: 140 ms)
        clauses.append("next_appointment_id = ANY(ARRAY(SELECT appointment_id FROM appointment_assignments "
                       "WHERE technician_id = ANY(%s) AND active = 1))")
        args.append([int(t) for t in q.technician_ids])
    return clauses, args


def where(q: JobQuery, found: TextSearch | None, reach: int) -> tuple[str, list[Any]]:
    """The query's filters over ``jobs``, its text as ``found`` (``searched``'s), for a window ending ``reach`` rows
    down, as a WHERE condition and its parameters."""
    clauses, args = _filters(q)
    if found is not None:
        text_clauses, text_args = found.conditions("jobs.id", reach)
        clauses += text_clauses
        args += text_args
    return " AND ".join(clauses or ["true"]), args


def searched(conn: psycopg.Connection[Any], q: JobQuery) -> tuple[bool, TextSearch | None]:
    """(whether the query has text, what it searches: ``TextSearch.narrowed``'s, its common words' jobs ``merged``;
    None when no job can match)."""
    text = text_search(q.text)
    narrowed = None if text is None else text.narrowed(conn)
    return text is not None, None if narrowed is None else narrowed.merged(conn)


class JobList:
    """Counts and windows of one database's job list. Each thread remembers the end of the last window it read
    (its query, offset, sort value and id): a window that starts there (the board paging down) seeks from it in the
    sort index instead of counting its way from the top. A window far down a list the counters count, and nearer
    its end, is read backwards from the end (the End key)."""

    #: rows skipped past which a window of a query counted from the counters is read from the nearer end
    FAR = 10_000

    def __init__(self, db: PgDatabase) -> None:
        self._db = db
        self._local = threading.local()

    def count(self, q: JobQuery, cap: int | None = None) -> int:
        conn = self._db.conn
        if _counter_only(q):
            clauses, args = _counted(q)
            sql = f"SELECT coalesce(sum(n), 0) FROM job_counts WHERE {' AND '.join(clauses or ['true'])}"
            n = int(_one(conn, sql, args))
            return n if cap is None else min(n, cap)
        has_text, found = searched(conn, q)
        if has_text:  # from the words index
            if found is None:
                return 0
            filters = _filters(q, active=False)
            known = found.found_count(not q.include_inactive, filters, cap)
            return int(_one(conn, *found.count_sql(not q.include_inactive, filters, cap))) if known is None else known
        cond, args = where(q, None, 0)
        limit = "" if cap is None else f" LIMIT {int(cap)}"
        return int(_one(conn, f"SELECT count(*) FROM (SELECT FROM jobs WHERE {cond}{limit}) found", args))

    def window(self, q: JobQuery, offset: int, limit: int) -> list[JobListRow]:
        if limit <= 0 or offset < 0:
            return []
        expr = JOB_SORT_EXPRESSIONS.get(q.sort)
        if expr is None:
            raise CacheError(f"unknown sort {q.sort!r}; known: {sorted(JOB_SORT_EXPRESSIONS)}")
        conn = self._db.conn
        has_text, text = searched(conn, q)
        if has_text and text is None:
            return []
        cond, args = where(q, text, offset + limit)
        direction = "DESC" if q.descending else "ASC"
        key = query_key(q)
        last: tuple[QueryKey, int, Any, int] | None = getattr(self._local, "last", None)
        skip = offset
        if last is not None and last[0] == key and last[1] == offset:  # the next window after the last one
            cond += f" AND ({expr}, id) {'<' if q.descending else '>'} (%s, %s)"
            args += [last[2], last[3]]
            skip = 0
        total = self.count(q) if skip > self.FAR and _counter_only(q) else None
        if total is not None and total - offset < skip:  # nearer the end (the End key): read it backwards
            back = "ASC" if q.descending else "DESC"
            end = min(offset + limit, total)
            found = _with_lines(conn, f"SELECT id, {expr} FROM jobs WHERE {cond} ORDER BY {expr} {back}, id {back} "
                                "LIMIT %s OFFSET %s", [*args, max(end - offset, 0), total - end])[::-1]
        else:
            found = _with_lines(conn, f"SELECT id, {expr} FROM jobs WHERE {cond} ORDER BY {expr} {direction}, "
                                f"id {direction} LIMIT %s OFFSET %s", [*args, limit, skip])
        self._local.last = (key, offset + len(found), found[-1][0], found[-1][1].id) if found else None
        return [line for _, line in found]


def _one(conn: psycopg.Connection[Any], sql: str, args: list[Any]) -> Any:
    """The value ``sql`` reads (a count), planned for its ``args`` each time, as a window is (``_with_lines``)."""
    row = conn.execute(sql, args, prepare=False).fetchone()
    assert row is not None  # an aggregate: one row
    return row[0]


_LINE = ("j.id, j.number, j.status, j.priority, j.job_type_name, j.business_unit_name, j.customer_name, "
         "j.location_text, j.next_appt_key, j.technician_names, j.summary, j.modified_on, j.active")
"""The columns of a job list's line (``jobs j``), as ``_line`` reads them."""


def _line(r: tuple[Any, ...]) -> JobListRow:
    return JobListRow(id=r[0], number=r[1], status=r[2], priority=r[3], job_type=r[4], business_unit=r[5],
                      customer=r[6], location=r[7], next_appointment=None if r[8] == "~" else parse_datetime(r[8]),
                      technicians=r[9], summary=r[10], modified=parse_datetime(r[11]) if r[11] else None,
                      active=bool(r[12]))


def _with_lines(conn: psycopg.Connection[Any], ids_sql: str, args: list[Any]) -> list[tuple[Any, JobListRow]]:
    """The (sort value, line) of each job ``ids_sql`` finds (``SELECT id, sort value ...``), in its order: one
    statement, one round trip. The ids query stays a subquery of its own so that it still walks the sort index alone
    (index-only, however many rows its OFFSET skips); only the window's rows are read from the table.

    Planned for its ``args`` each time (``prepare=False``: never one of psycopg's prepared statements, which after
    their fifth run the server may plan once for any parameters): the best plan hangs on the words searched, and a
    plan for any took 600 ms for the window of "gate code" at 1,000,000 jobs (10 ms planned for those words), from
    the eleventh two-word search of a connection on."""
    rows = conn.execute(f"SELECT w.k, {_LINE} FROM (SELECT found.*, row_number() OVER () AS n FROM ({ids_sql}) "
                        "found (id, k)) w JOIN jobs j ON j.id = w.id ORDER BY w.n", args, prepare=False).fetchall()
    return [(r[0], _line(r[1:])) for r in rows]


def list_rows(conn: psycopg.Connection[Any], ids: list[int]) -> list[JobListRow]:
    """The job list's lines of jobs ``ids``, in that order (a job not cached is left out)."""
    rows = conn.execute(f"SELECT {_LINE} FROM jobs j WHERE j.id = ANY(%s)", (ids,)).fetchall()
    by_id = {r[0]: r for r in rows}
    return [_line(r) for r in (by_id.get(i) for i in ids) if r is not None]
