"""Writing domain rows: ``prepare`` (the Python half of an upsert, safe off the writer thread), ``combine``
(prepared pages as one), ``upsert`` (each table's function in ``upserts.UPSERTS``), ``deactivate_missing`` after a
complete read of a list feed, and ``save_booked_log``. Inactive rows are kept with active=0, never deleted."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from jpm_tui.cache.store.db import Database
from jpm_tui.cache.store.derived import COUNT_DROP_EMPTY, COUNT_JOBS, refresh_search
from jpm_tui.cache.store.errors import CacheError
from jpm_tui.cache.store.job_chunks import JobChunk, join_jobs, prepare_jobs
from jpm_tui.cache.store.sql_text import CHUNK, IDS, chunks, json_text
from jpm_tui.cache.store.tables import TableSpec, tables
from jpm_tui.cache.store.upserts import UPSERTS, upsert_plain
from jpm_tui.provider.timestamps import format_datetime

if TYPE_CHECKING:
    from jpm_tui.provider import domain as d


@dataclass(frozen=True, slots=True)
class PreparedRows:
    """Rows of one table made ready to write (``prepare``): the Python side of an upsert, done without the
    database, so a caller can do it on another thread than the one that writes."""

    table: str
    count: int
    chunks: tuple[Any, ...]


PREPARES: dict[str, Callable[[list[Any]], Any]] = {"jobs": prepare_jobs}
"""Tables whose chunks are made ready in Python before they are written; other tables' chunks are their rows."""


def prepare(table: str, rows: Iterable[Any]) -> PreparedRows:
    """The Python half of ``upsert(table, rows)`` (checks, cells, JSON), without touching the database:
    safe on any thread. The sync engine prepares a page while the writer thread stores the previous one;
    ``upsert`` takes the result."""
    spec = tables().get(table)
    if spec is None:
        raise CacheError(f"unknown table {table!r}; known: {sorted(tables())}")
    rows = list(rows)
    for row in rows:
        if not isinstance(row, spec.row_type):
            raise CacheError(f"{table} takes {spec.row_type.__name__} rows, not {type(row).__name__}")
    make = PREPARES.get(table)
    prepared = [make(chunk) if make else chunk for chunk in chunks(rows, CHUNK)]
    return PreparedRows(table, len(rows), tuple(prepared))


def combine(prepared: Sequence[PreparedRows]) -> PreparedRows:
    """Rows prepared separately (pages of one feed, in order) as one ``PreparedRows`` for one ``upsert``:
    consecutive job chunks with no job in common are joined (up to ``CHUNK`` jobs), so a group commit of
    several pages runs each statement once instead of once per page. Cheap: no cells are rebuilt."""
    if not prepared:
        raise CacheError("nothing to combine")
    table = prepared[0].table
    if any(p.table != table for p in prepared):
        raise CacheError(f"cannot combine rows of {sorted({p.table for p in prepared})}")
    out: list[Any] = []
    run: list[JobChunk] = []
    in_run: set[int] = set()
    for chunk in (c for p in prepared for c in p.chunks):
        if run and not (isinstance(chunk, JobChunk) and len(in_run) + len(chunk.id_set) <= CHUNK
                        and in_run.isdisjoint(chunk.id_set)):
            out.append(join_jobs(run))
            run, in_run = [], set()
        if isinstance(chunk, JobChunk):
            run.append(chunk)
            in_run |= chunk.id_set
        else:
            out.append(chunk)
    if run:
        out.append(join_jobs(run))
    return PreparedRows(table, sum(p.count for p in prepared), tuple(out))


def as_prepared(table: str, rows: Iterable[Any] | PreparedRows) -> PreparedRows:
    """``rows`` made ready to write into ``table`` (``prepare``), or as they are when they already are (each
    store's ``upsert`` takes either)."""
    if isinstance(rows, PreparedRows):
        if rows.table != table:
            raise CacheError(f"rows prepared for {rows.table!r} cannot go into {table!r}")
        return rows
    return prepare(table, rows)


def upsert(db: Database, table: str, rows: Iterable[Any] | PreparedRows) -> int:
    """Insert or update domain rows into ``table`` (a key of ``TABLES``); returns how many. Runs in the
    caller's transaction, or its own. Keeps the job list's derived columns, counters and search index.
    ``rows`` may be ``prepare(table, rows)``'s result."""
    return write_chunks(db.transaction, UPSERTS.get(table, upsert_plain), table, rows)


C = TypeVar("C")


def write_chunks(transaction: Callable[[], AbstractContextManager[C]], write: Callable[[C, TableSpec, Any], None],
                 table: str, rows: Iterable[Any] | PreparedRows) -> int:
    """``rows`` made ready (``as_prepared``) and written into ``table`` chunk by chunk by ``write``, in one
    ``transaction()`` (each store's upsert, with its connection and its table's write); how many."""
    prepared = as_prepared(table, rows)
    if not prepared.count:
        return 0
    spec = tables()[table]
    with transaction() as conn:
        for chunk in prepared.chunks:
            write(conn, spec, chunk)
    return prepared.count


def deactivate_missing(db: Database, table: str, seen_ids: Iterable[int]) -> int:
    """After a complete read of a list feed: mark rows of ``table`` not in ``seen_ids`` inactive.
    Returns how many changed. (Never deletes.)"""
    spec = tables()[table]
    if spec.conflict != ("id",):
        raise CacheError(f"deactivate_missing does not support {table}")
    with db.transaction() as conn:
        if table == "jobs":
            return _deactivate_jobs(conn, json_text(list(seen_ids)))
        cur = conn.execute(
            f"UPDATE {table} SET active = 0 WHERE active = 1 AND id NOT IN ({IDS})", (json_text(list(seen_ids)),)
        )
        return cur.rowcount


def _deactivate_jobs(conn: sqlite3.Connection, seen_json: str) -> int:
    """Jobs flagged inactive move counter groups and get the inactive marker in the search index."""
    ids = [r[0] for r in conn.execute(f"SELECT id FROM jobs WHERE active = 1 AND id NOT IN ({IDS})", (seen_json,))]
    for chunk in chunks(ids, CHUNK):
        chunk_json = json_text(chunk)
        conn.execute(COUNT_JOBS, (chunk_json, -1))
        conn.execute(f"UPDATE jobs SET active = 0 WHERE id IN ({IDS})", (chunk_json,))
        conn.execute(COUNT_JOBS, (chunk_json, 1))
        conn.execute(COUNT_DROP_EMPTY)
        refresh_search(conn, chunk_json)
    return len(ids)


def save_booked_log(db: Database, job_id: int, entry: d.BookedLogEntry | None, *, at: datetime | None = None) -> None:
    """Store what the server answered for the job's booked log, in one transaction: ``entry`` replaces the
    job's earlier entries (kept with active=0, never deleted); None (the job has none) deactivates them.
    Either way the job counts as read at ``at`` (default now)."""
    if entry is not None and entry.job_id != job_id:
        raise CacheError(f"booked log {entry.id} is job {entry.job_id}'s, not job {job_id}'s")
    read_on = format_datetime(at or datetime.now(UTC))
    with db.transaction() as conn:
        if entry is not None:
            upsert(db, "job_booked_logs", [entry])
        conn.execute("UPDATE job_booked_logs SET active = 0 WHERE job_id = ? AND id IS NOT ?",
                     (job_id, entry.id if entry is not None and entry.active else None))
        conn.execute("INSERT INTO job_booked_log_reads (job_id, read_on, found) VALUES (?, ?, ?) "
                     "ON CONFLICT(job_id) DO UPDATE SET read_on = excluded.read_on, found = excluded.found",
                     (job_id, read_on, int(entry is not None)))
