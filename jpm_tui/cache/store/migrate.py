"""Bringing a cache file to the schema this version writes: each of ``jpm_tui.cache.schema.MIGRATIONS`` in its
own transaction, with the step in ``AFTER_MIGRATION`` that fills what a new version's tables need from the rows
already cached; ``PRAGMA user_version`` says where a file is."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from jpm_tui.cache.schema import LATEST, MIGRATIONS
from jpm_tui.cache.store.derived import RECOUNT_JOBS, REFRESH_SEARCH_INSERT
from jpm_tui.cache.store.errors import CacheTooNew
from jpm_tui.cache.store.sql_text import CHUNK, chunks, json_text


def migrate(conn: sqlite3.Connection, path: Path, target_version: int,
            on_upgrade: Callable[[Path, int, int], None] | None) -> None:
    """Migrate the file of ``conn`` up to ``target_version``; ``on_upgrade(path, from, to)`` first, when a file
    made by an older version is upgraded."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version > LATEST:
        raise CacheTooNew(
            f"{path} was written by a newer jpm-tui (schema {version}, this one knows {LATEST}); "
            "upgrade, or purge the cache (jpm-tui cache purge)"
        )
    if 0 < version < target_version and on_upgrade is not None:
        on_upgrade(path, version, target_version)
    while version < target_version:
        script = MIGRATIONS[version]
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _split_sql(script):
                conn.execute(statement)
            after = AFTER_MIGRATION.get(version + 1)
            if after is not None:
                after(conn)
            conn.execute(f"PRAGMA user_version = {version + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        version += 1


def _backfill_search_and_counters(conn: sqlite3.Connection) -> None:
    """v2: the search index and the job counters, from the jobs already cached."""
    conn.execute(RECOUNT_JOBS)
    ids = [r[0] for r in conn.execute("SELECT id FROM jobs")]
    for chunk in chunks(ids, CHUNK):
        conn.execute(REFRESH_SEARCH_INSERT, (json_text(chunk),))


def _search_rows_again(conn: sqlite3.Connection) -> None:
    """v16: every job's search row again (with its technicians' names)."""
    ids = [r[0] for r in conn.execute("SELECT id FROM jobs")]
    for chunk in chunks(ids, CHUNK):
        conn.execute(REFRESH_SEARCH_INSERT, (json_text(chunk),))


def _recount_jobs(conn: sqlite3.Connection) -> None:
    """v3: the counters were kept by triggers up to v2; recount them once so the per-page upkeep starts exact."""
    conn.execute("DELETE FROM job_counts")
    conn.execute(RECOUNT_JOBS)


AFTER_MIGRATION: dict[int, Callable[[sqlite3.Connection], None]] = {
    2: _backfill_search_and_counters,
    3: _recount_jobs,
    16: _search_rows_again,
}
"""Schema version -> what runs after its script, in the same transaction."""


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
