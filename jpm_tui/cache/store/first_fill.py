"""The first fill of the jobs table (an empty table: a first sync, or after a purge): most job indexes are dropped
as the jobs feed starts (``begin_fill``) and built once when it ends (``finish_fill``); ``job_fill_deferred``
holds them meanwhile, so a killed fill is resumed. Reads plan around the missing ones (``deferred_indexes``)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from jpm_tui.cache.store.db import Database
from jpm_tui.cache.store.derived import total_jobs
from jpm_tui.cache.store.sql_text import marks, quoted

# Job indexes kept live during a first fill (the others are built once at its end): the board's default order (by
# number) so the list it shows while the fill runs reads from an index, and the ones other feeds' upkeep finds jobs
# by while they run beside the jobs feed (a customer, location or assignment arriving looks up the jobs to refresh:
# a scan of the whole table per page without them).
FILL_KEEP = ("jobs_sort_number", "jobs_customer", "jobs_location", "jobs_next_appt")
_FTS_AUTOMERGE = "INSERT INTO jobs_fts(jobs_fts, rank) VALUES ('automerge', ?)"

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


def begin_fill(db: Database, table: str) -> bool:
    """Called as a feed starts: when it is the jobs feed and the jobs table is empty (a first sync, or after
    a purge), drop the job indexes not in ``FILL_KEEP`` and note them in ``job_fill_deferred`` (one
    transaction), so the fill writes each job into the table, its raw payload, the kept indexes and the
    search index only; ``finish_fill`` builds the rest once. True while such a fill is in progress (also
    when a killed one is resumed: the table says so)."""
    if table != "jobs":
        return False
    with db.transaction() as conn:
        if filling(conn):
            return True
        if conn.execute("SELECT 1 FROM jobs LIMIT 1").fetchone() is not None:
            return False
        deferred = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'jobs' AND sql IS NOT NULL "
            f"AND name NOT IN ({marks(FILL_KEEP)})", FILL_KEEP,
        ).fetchall()
        conn.executemany("INSERT INTO job_fill_deferred (name, sql) VALUES (?, ?)", deferred)
        for name, _sql in deferred:
            conn.execute(f"DROP INDEX {quoted(name)}")
        if deferred:
            conn.execute(_FTS_AUTOMERGE, (FILL_AUTOMERGE,))
        return bool(deferred)


def finish_fill(db: Database, table: str, *, temp_tables_dropped: Callable[[], None], failed: bool = False) -> None:
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
    less time. Changing it drops this connection's temporary tables: ``temp_tables_dropped`` is called then, so
    that their owner makes them again on use."""
    if table != "jobs":
        return
    conn = db.conn
    if failed and total_jobs(conn, True) < FILL_READABLE_JOBS:
        return
    sorter = not conn.in_transaction and filling(conn)
    if sorter:
        conn.execute("PRAGMA temp_store=FILE")
        # a page cache this small makes the sorter write its keys out in runs, which helper threads sort and
        # merge beside this one (with room for every key it sorts alone): ~20% off the build at 200,000 jobs
        conn.execute(f"PRAGMA cache_size=-{BUILD_CACHE_KIB}")
        conn.execute(f"PRAGMA threads={BUILD_THREADS}")
    try:
        with db.transaction() as conn:
            deferred = conn.execute("SELECT name, sql FROM job_fill_deferred ORDER BY name").fetchall()
            for _name, sql in deferred:
                conn.execute(sql)
            if deferred:
                conn.execute(_FTS_AUTOMERGE, (AUTOMERGE,))
            conn.execute("DELETE FROM job_fill_deferred")
    finally:
        if sorter:
            conn.execute("PRAGMA threads=0")
            conn.execute(f"PRAGMA cache_size=-{db.CACHE_KIB}")
            conn.execute("PRAGMA temp_store=MEMORY")
            temp_tables_dropped()


def filling(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM job_fill_deferred LIMIT 1").fetchone() is not None


def deferred_indexes(conn: sqlite3.Connection) -> set[str]:
    """Job indexes missing while a first fill runs (reads plan around them)."""
    return {r[0] for r in conn.execute("SELECT name FROM job_fill_deferred")}
