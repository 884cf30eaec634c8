"""Records read back from PostgreSQL as domain rows (the SQLite store's ``decode`` reads both stores' rows):
a job and what hangs off it, customers, locations, contacts, projects, technicians; the lookup lists; what a
dispatcher calls a record; the job statuses present; the calendar's reads; the project list."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from psycopg.rows import dict_row

from jpm_tui.cache.pg.db import PgDatabase
from jpm_tui.cache.pg.derived import TECHNICIAN_NAMES
from jpm_tui.cache.store.errors import CacheError
from jpm_tui.cache.store.project_list import ProjectListRow, ProjectQuery
from jpm_tui.cache.store.reads import NAMES
from jpm_tui.cache.store.rows import decode
from jpm_tui.cache.store.tables import tables
from jpm_tui.provider.timestamps import format_datetime, parse_datetime


def many(db: PgDatabase, table: str, sql: str, args: Sequence[Any] = ()) -> list[Any]:
    """The rows ``sql`` reads, as ``table``'s domain rows."""
    spec = tables()[table]
    with db.conn.cursor(row_factory=dict_row) as cur:
        return [decode(spec, r) for r in cur.execute(sql, args)]


def one(db: PgDatabase, table: str, sql: str, args: Sequence[Any]) -> Any | None:
    rows = many(db, table, sql, args)
    return rows[0] if rows else None


RECORDS: dict[str, tuple[str, str]] = {
    # what is read -> (table, statement of one parameter); ``record`` reads the first row, ``records`` all
    "job": ("jobs", "SELECT j.*, r.raw FROM jobs j LEFT JOIN job_raw r ON r.id = j.id WHERE j.id = %s"),
    "appointment": ("appointments", "SELECT * FROM appointments WHERE id = %s"),
    "appointments_for_job": ("appointments", "SELECT * FROM appointments WHERE job_id = %s AND active = 1 "
                                             "ORDER BY start, id"),
    "all_appointments_for_job": ("appointments", "SELECT * FROM appointments WHERE job_id = %s ORDER BY start, id"),
    "assignments_for_appointment": ("appointment_assignments", "SELECT * FROM appointment_assignments "
                                                               "WHERE appointment_id = %s AND active = 1 ORDER BY id"),
    "notes_for_job": ("job_notes", "SELECT * FROM job_notes WHERE job_id = %s AND active = 1 "
                                   "ORDER BY pinned DESC, created_on DESC, id DESC"),
    "notes_for_project": ("project_notes", "SELECT * FROM project_notes WHERE project_id = %s AND active = 1 "
                                           "ORDER BY pinned DESC, created_on DESC, id DESC"),
    "history_for_job": ("job_history", "SELECT * FROM job_history WHERE job_id = %s ORDER BY at, id"),
    "canceled_log_for_job": ("job_canceled_logs", "SELECT * FROM job_canceled_logs WHERE job_id = %s "
                                                  "AND active = 1 ORDER BY created_on DESC, id DESC"),
    "booked_log_for_job": ("job_booked_logs", "SELECT * FROM job_booked_logs WHERE job_id = %s AND active = 1 "
                                              "ORDER BY created_on DESC, id DESC LIMIT 1"),
    "customer": ("customers", "SELECT * FROM customers WHERE id = %s"),
    "location": ("locations", "SELECT * FROM locations WHERE id = %s"),
    "people_of": ("people", 'SELECT * FROM people WHERE customer_id = %s AND active = 1 ORDER BY "primary" DESC, '
                            "lower(name), id"),
    "project": ("projects", "SELECT * FROM projects WHERE id = %s"),
    "project_type": ("project_types", "SELECT * FROM project_types WHERE id = %s"),
    "technician": ("technicians", "SELECT * FROM technicians WHERE id = %s"),
}


def records(db: PgDatabase, what: str, *args: Any) -> list[Any]:
    table, sql = RECORDS[what]
    return many(db, table, sql, args)


def record(db: PgDatabase, what: str, *args: Any) -> Any | None:
    table, sql = RECORDS[what]
    return one(db, table, sql, args)


def booked_log_read_on(db: PgDatabase, job_id: int) -> datetime | None:
    row = db.conn.execute("SELECT read_on FROM job_booked_log_reads WHERE job_id = %s", (job_id,)).fetchone()
    return parse_datetime(row[0]) if row else None


def appointment_technicians(db: PgDatabase, job_id: int) -> dict[int, str]:
    rows = db.conn.execute(f"SELECT a.id, {TECHNICIAN_NAMES.format(next_appointment_id='a.id')} "
                           "FROM appointments a WHERE a.job_id = %s", (job_id,))
    return {int(r[0]): str(r[1]) for r in rows}


def contacts_for(db: PgDatabase, owner_kind: str, owner_id: int) -> list[Any]:
    return many(db, "contacts", "SELECT * FROM contacts WHERE owner_kind = %s AND owner_id = %s AND active = 1 "
                "ORDER BY id", (owner_kind, owner_id))


_LOOKUP_ORDER = {"arrival_windows": "start_minutes, duration_minutes, id",
                 "project_statuses": '"order", lower(name), id', "business_hours": "id"}
"""Lookups not listed are by name (case-folded as SQLite's NOCASE), then id."""


def lookup(db: PgDatabase, table: str, include_inactive: bool) -> list[Any]:
    """A lookup list (technicians, job types, reasons, ...), in the order the SQLite store gives it."""
    where = "" if include_inactive else " WHERE active = 1"
    return many(db, table, f"SELECT * FROM {table}{where} ORDER BY {_LOOKUP_ORDER.get(table, 'lower(name), id')}")


def name_of(db: PgDatabase, kind: str, record_id: int) -> str | None:
    known = NAMES.get(kind)  # the SQLite store's words
    if known is None:
        return None
    table, column, words = known
    row = db.conn.execute(f"SELECT {column} FROM {table} WHERE id = %s", (int(record_id),)).fetchone()
    return words.format(row[0]) if row and row[0] else None


def status_counts(db: PgDatabase) -> list[tuple[str, int]]:
    """(status, active jobs) of every status present, unordered (the store orders them by workflow)."""
    rows = db.conn.execute("SELECT status, sum(n) FROM job_counts WHERE active = 1 GROUP BY status "
                           "HAVING sum(n) > 0").fetchall()
    return [(str(r[0]), int(r[1])) for r in rows]


def job_versions(db: PgDatabase, first_id: int, last_id: int) -> dict[int, tuple[str, bool]]:
    rows = db.conn.execute("SELECT id, modified_on, active FROM jobs WHERE id BETWEEN %s AND %s", (first_id, last_id))
    return {int(r[0]): (str(r[1] or ""), bool(r[2])) for r in rows}


# ------------------------------------------------------------------------------------------------ calendar

_IN_RANGE = 'a.start >= %s AND a.start < %s AND (a.start >= %s OR a."end" > %s) AND a.active = 1'
_LONGEST_VISIT = timedelta(days=7)
"""As the SQLite store's calendar: appointments overlapping the range, found by start (a visit is under a week)."""


def _range_args(start: datetime, end: datetime) -> tuple[str | None, ...]:
    since = format_datetime(start)
    return format_datetime(start - _LONGEST_VISIT), format_datetime(end), since, since


def appointments_between(db: PgDatabase, start: datetime, end: datetime,
                         technician_ids: Sequence[int] | None) -> list[Any]:
    args: list[Any] = [format_datetime(start), format_datetime(end)]
    extra = ""
    if technician_ids:
        extra = (" AND id IN (SELECT appointment_id FROM appointment_assignments WHERE active = 1 "
                 "AND technician_id = ANY(%s))")
        args.append([int(t) for t in technician_ids])
    return many(db, "appointments", f"SELECT * FROM appointments WHERE start >= %s AND start < %s AND active = 1"
                f"{extra} ORDER BY start, id", args)


def calendar_appointments(db: PgDatabase, start: datetime, end: datetime) -> list[tuple[Any, str, str, str, str]]:
    sql = ('SELECT a.id, a.job_id, a.number, a.start, a."end", a.arrival_window_start, a.arrival_window_end, '
           "a.status, a.confirmed, a.special_instructions, a.modified_on, a.active, a.customer_id, '' AS raw, "
           "j.number AS job_number, j.customer_name, j.priority, j.status AS job_status "
           f"FROM appointments a LEFT JOIN jobs j ON j.id = a.job_id WHERE {_IN_RANGE} ORDER BY a.start, a.id")
    spec = tables()["appointments"]
    with db.conn.cursor(row_factory=dict_row) as cur:
        return [(decode(spec, r), r["job_number"] or "", r["customer_name"] or "", r["priority"] or "",
                 r["job_status"] or "") for r in cur.execute(sql, _range_args(start, end))]


def calendar_assignments(db: PgDatabase, start: datetime, end: datetime) -> list[tuple[int, int, str]]:
    sql = ("SELECT aa.appointment_id, aa.technician_id, aa.status FROM appointments a "
           "JOIN appointment_assignments aa ON aa.appointment_id = a.id AND aa.active = 1 "
           f"WHERE {_IN_RANGE} ORDER BY aa.appointment_id, aa.id")
    return [(int(r[0]), int(r[1]), str(r[2])) for r in db.conn.execute(sql, _range_args(start, end))]


def shifts_between(db: PgDatabase, start: datetime, end: datetime,
                   technician_ids: Sequence[int] | None) -> list[Any]:
    args: list[Any] = [format_datetime(end), format_datetime(start)]
    extra = ""
    if technician_ids:
        extra = " AND technician_id = ANY(%s)"
        args.append([int(t) for t in technician_ids])
    return many(db, "shifts", f'SELECT * FROM shifts WHERE start < %s AND "end" > %s AND active = 1{extra} '
                "ORDER BY start, id", args)


# -------------------------------------------------------------------------------------------- project list

_PROJECT_SORTS = {"number": "p.number_key", "name": "lower(p.name)", "modified": "p.modified_on"}


def _project_where(q: ProjectQuery) -> tuple[str, list[Any]]:
    clauses: list[str] = [] if q.include_inactive else ["p.active = 1"]
    args: list[Any] = []
    if q.statuses:
        clauses.append("p.status = ANY(%s)")
        args.append(list(q.statuses))
    if q.customer_id is not None:
        clauses.append("p.customer_id = %s")
        args.append(q.customer_id)
    for word in q.text.split():  # case-insensitive, as SQLite's LIKE
        clauses.append("(strpos(lower(p.number), lower(%s)) > 0 OR strpos(lower(p.name), lower(%s)) > 0)")
        args.extend([word, word])
    return " AND ".join(clauses or ["true"]), args


def count_projects(db: PgDatabase, q: ProjectQuery) -> int:
    where, args = _project_where(q)
    row = db.conn.execute(f"SELECT count(*) FROM projects p WHERE {where}", args).fetchone()
    return int(row[0]) if row else 0


def projects_window(db: PgDatabase, q: ProjectQuery, offset: int, limit: int) -> list[ProjectListRow]:
    col = _PROJECT_SORTS.get(q.sort)
    if col is None:
        raise CacheError(f"unknown project sort {q.sort!r}; known: {sorted(_PROJECT_SORTS)}")
    where, args = _project_where(q)
    direction = "DESC" if q.descending else "ASC"
    sql = ("SELECT p.id, p.number, p.name, p.status, p.sub_status, coalesce(t.name, ''), coalesce(c.name, ''), "
           "p.customer_id, p.start_date, p.target_completion_date, json_array_length(p.job_ids::json), "
           "p.modified_on, p.active FROM projects p LEFT JOIN customers c ON c.id = p.customer_id "
           "LEFT JOIN project_types t ON t.id = p.project_type_id "
           f"WHERE {where} ORDER BY {col} {direction}, p.id {direction} LIMIT %s OFFSET %s")
    return [ProjectListRow(id=r[0], number=r[1], name=r[2], status=r[3], sub_status=r[4], project_type=r[5],
                           customer=r[6], customer_id=r[7], start_date=parse_datetime(r[8]) if r[8] else None,
                           target_completion_date=parse_datetime(r[9]) if r[9] else None, job_count=r[10] or 0,
                           modified=parse_datetime(r[11]) if r[11] else None, active=bool(r[12]))
            for r in db.conn.execute(sql, [*args, limit, offset])]
