"""Writing domain rows to PostgreSQL: each table's upsert, with the upkeep of what jobs derive from it (the rows
are prepared by the SQLite store's ``writer.prepare``, pure Python); deactivation after a complete list feed; a
job's booked log; the feeds' tokens and errors. Inactive rows are kept with active=0, never deleted."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import psycopg

from jpm_tui.cache.pg.db import PgDatabase
from jpm_tui.cache.pg.derived import INACTIVE, JOB_CHUNK_UPSERT, REFRESH_DERIVED, REFRESH_LIST
from jpm_tui.cache.store.errors import CacheError
from jpm_tui.cache.store.job_chunks import JobChunk
from jpm_tui.cache.store.rows import row_values
from jpm_tui.cache.store.sql_text import CHUNK, chunks, quoted
from jpm_tui.cache.store.tables import TableSpec, tables
from jpm_tui.cache.store.writer import PreparedRows, write_chunks
from jpm_tui.provider.timestamps import format_datetime

if TYPE_CHECKING:
    from jpm_tui.provider import domain as d

Conn = psycopg.Connection[Any]


def _upsert_sql(spec: TableSpec) -> str:
    cols = ", ".join(quoted(c) for c in spec.columns)
    marks = ", ".join("%s" for _ in spec.columns)
    updates = ", ".join(f"{quoted(c)} = excluded.{quoted(c)}" for c in spec.columns if c not in spec.conflict)
    return (f"INSERT INTO {spec.name} ({cols}) VALUES ({marks}) "
            f"ON CONFLICT ({', '.join(spec.conflict)}) DO UPDATE SET {updates}")


def _plain(conn: Conn, spec: TableSpec, rows: list[Any]) -> None:
    with conn.cursor() as cur:
        cur.executemany(_upsert_sql(spec), [row_values(spec, r) for r in rows])


def refresh_jobs(conn: Conn, job_ids: Iterable[int], *, search: bool = True) -> None:
    """What jobs ``job_ids`` derive, computed again (only the changed ones are rewritten); ``search=False``: the job
    list's columns only (the rows written are not in the search document)."""
    for chunk in chunks(sorted(set(job_ids)), CHUNK):
        conn.execute(REFRESH_DERIVED if search else REFRESH_LIST, (chunk,))


def _jobs_where(conn: Conn, column: str, ids: Iterable[int]) -> list[int]:
    return [r[0] for r in conn.execute(f"SELECT id FROM jobs WHERE {column} = ANY(%s)", (list(ids),))]


def _upsert_jobs(conn: Conn, spec: TableSpec, chunk: JobChunk) -> None:
    conn.execute(JOB_CHUNK_UPSERT, (chunk.values,))
    ids: list[int] = []
    payloads: list[str] = []
    start = 0
    for job_id, n in json.loads(chunk.raw_lengths):  # the payloads one after the other in chunk.raw
        ids.append(job_id)
        payloads.append(chunk.raw[start:start + n].decode())
        start += n
    conn.execute("INSERT INTO job_raw (id, raw) SELECT * FROM unnest(%s::bigint[], %s::text[]) "
                 "ON CONFLICT (id) DO UPDATE SET raw = excluded.raw", (ids, payloads))


def _related(find: Callable[[Conn, list[Any]], Iterable[int]], *,
             search: bool = True) -> Callable[[Conn, TableSpec, list[Any]], None]:
    """An upsert of rows that jobs derive from: the rows, then the jobs ``find`` names (after the write) refreshed
    (``search=False``: rows the search document does not hold)."""
    def write(conn: Conn, spec: TableSpec, rows: list[Any]) -> None:
        _plain(conn, spec, rows)
        refresh_jobs(conn, find(conn, rows), search=search)
    return write


def _upsert_appointments(conn: Conn, spec: TableSpec, rows: list[d.Appointment]) -> None:
    before = {r[0] for r in conn.execute("SELECT job_id FROM appointments WHERE id = ANY(%s)", ([r.id for r in rows],))}
    _plain(conn, spec, rows)
    refresh_jobs(conn, before | {r.job_id for r in rows}, search=False)


def _assignment_jobs(conn: Conn, rows: list[d.Assignment]) -> set[int]:
    """The jobs whose next appointment they are on, and their own (the search document names their technicians)."""
    jobs = set(_jobs_where(conn, "next_appointment_id", {r.appointment_id for r in rows}))
    return jobs | {r.job_id for r in rows if r.job_id is not None}


def _technician_jobs(conn: Conn, rows: list[d.Technician]) -> list[int]:
    return [r[0] for r in conn.execute(
        "SELECT DISTINCT job_id FROM appointment_assignments WHERE technician_id = ANY(%s) AND job_id IS NOT NULL",
        ([r.id for r in rows],))]


def _contact_jobs(conn: Conn, rows: list[d.Contact]) -> set[int]:
    jobs = set(_jobs_where(conn, "customer_id", [r.owner_id for r in rows if r.owner_kind == "customer"]))
    return jobs | set(_jobs_where(conn, "location_id", [r.owner_id for r in rows if r.owner_kind == "location"]))


Upsert = Callable[[Conn, TableSpec, Any], None]

UPSERTS: dict[str, Upsert] = {
    "jobs": _upsert_jobs,
    "appointments": _upsert_appointments,
    "appointment_assignments": _related(_assignment_jobs),
    "technicians": _related(_technician_jobs),
    "customers": _related(lambda conn, rows: _jobs_where(conn, "customer_id", [r.id for r in rows])),
    "locations": _related(lambda conn, rows: _jobs_where(conn, "location_id", [r.id for r in rows])),
    "contacts": _related(_contact_jobs),
    "job_notes": _related(lambda conn, rows: {r.owner_id for r in rows}),
    "job_types": _related(lambda conn, rows: _jobs_where(conn, "job_type_id", [r.id for r in rows]), search=False),
    "business_units": _related(lambda conn, rows: _jobs_where(conn, "business_unit_id", [r.id for r in rows]),
                               search=False),
}
"""Tables whose rows feed what jobs derive; every other table's rows are written as they are."""


def upsert(db: PgDatabase, table: str, rows: Iterable[Any] | PreparedRows) -> int:
    """As ``CacheStore.upsert``: domain rows (or ``prepare``'s result) into ``table``; how many."""
    return write_chunks(db.transaction, UPSERTS.get(table, _plain), table, rows)


def deactivate_missing(db: PgDatabase, table: str, seen_ids: Iterable[int]) -> int:
    """After a complete read of a list feed: rows of ``table`` not in ``seen_ids`` marked inactive; how many."""
    if tables()[table].conflict != ("id",):
        raise CacheError(f"deactivate_missing does not support {table}")
    marked = f", search = search || '{INACTIVE}'::tsvector" if table == "jobs" else ""  # the document says so
    with db.transaction() as conn:
        cur = conn.execute(f"UPDATE {table} SET active = 0{marked} WHERE active = 1 AND NOT (id = ANY(%s))",
                           (list(seen_ids),))
        return cur.rowcount


_GONE_JOBS: dict[str, str] = {
    "appointments": "SELECT DISTINCT job_id FROM gone",
    "appointment_assignments": "SELECT j.id FROM jobs j WHERE j.next_appointment_id IN (SELECT appointment_id "
                               "FROM gone) UNION SELECT job_id FROM gone",
}
"""Tables whose rows a feed page says are gone (``deactivate``) -> the jobs whose list columns then change (of the
rows marked inactive, ``gone``): an appointment's job (its next appointment), the jobs whose next appointment an
assignment is on (their technicians' names)."""


def deactivate(db: PgDatabase, table: str, ids: Iterable[int]) -> int:
    """As ``CacheStore.deactivate``: rows ``ids`` of an appointment table marked inactive, with their jobs' list
    columns refreshed; how many changed."""
    jobs = _GONE_JOBS.get(table)
    if jobs is None:
        raise ValueError(f"rows of {table} are not deactivated by id")
    with db.transaction() as conn:
        row = conn.execute(f"WITH gone AS (UPDATE {table} SET active = 0 WHERE active = 1 AND id = ANY(%s) "
                           f"RETURNING *) SELECT (SELECT count(*) FROM gone), ARRAY({jobs})",
                           (sorted(set(ids)),)).fetchone()
        assert row is not None  # one row of aggregates
        refresh_jobs(conn, [j for j in row[1] if j is not None], search=table == "appointment_assignments")
        return int(row[0])


def save_people(db: PgDatabase, customer_id: int, people: Sequence[d.Person]) -> None:
    """As ``CacheStore.save_people``: a customer's people as the server listed them; those it no longer lists are
    kept with active=0."""
    if any(p.customer_id != customer_id for p in people):
        raise CacheError(f"people of another customer than {customer_id}")
    with db.transaction() as conn:
        if people:
            upsert(db, "people", list(people))
        conn.execute("UPDATE people SET active = 0 WHERE customer_id = %s AND active = 1 AND NOT (id = ANY(%s))",
                     (customer_id, [p.id for p in people]))


def save_booked_log(db: PgDatabase, job_id: int, entry: d.BookedLogEntry | None, *, at: datetime | None = None) -> None:
    """As ``CacheStore.save_booked_log``."""
    if entry is not None and entry.job_id != job_id:
        raise CacheError(f"booked log {entry.id} is job {entry.job_id}'s, not job {job_id}'s")
    read_on = format_datetime(at or datetime.now(UTC))
    with db.transaction() as conn:
        if entry is not None:
            upsert(db, "job_booked_logs", [entry])
        conn.execute("UPDATE job_booked_logs SET active = 0 WHERE job_id = %s AND id IS DISTINCT FROM %s",
                     (job_id, entry.id if entry is not None and entry.active else None))
        conn.execute("INSERT INTO job_booked_log_reads (job_id, read_on, found) VALUES (%s, %s, %s) "
                     "ON CONFLICT (job_id) DO UPDATE SET read_on = excluded.read_on, found = excluded.found",
                     (job_id, read_on, int(entry is not None)))
