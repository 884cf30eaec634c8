"""What ``jpm-tui cache info`` shows of a cache: its file, size, schema and SQLite versions, rows per table, active
jobs, the outbox by state and each feed's state."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from jpm_tui.cache.store.db import Database
from jpm_tui.cache.store.derived import total_jobs
from jpm_tui.cache.store.feed_state import sync_states
from jpm_tui.cache.store.tables import tables


def counts(db: Database) -> dict[str, int]:
    """Rows per table (active and inactive)."""
    out = {}
    for name in tables():
        out[name] = int(db.conn.execute(f"SELECT count(*) FROM {name}").fetchone()[0])
    out["outbox"] = int(db.conn.execute("SELECT count(*) FROM outbox").fetchone()[0])
    return out


def info(db: Database) -> dict[str, Any]:
    size = 0
    for suffix in ("", "-wal", "-shm"):
        p = Path(str(db.path) + suffix)
        if p.exists():
            size += p.stat().st_size
    outbox = {r[0]: r[1] for r in db.conn.execute("SELECT state, count(*) FROM outbox GROUP BY state")}
    return {
        "path": str(db.path),
        "bytes": size,
        "schema_version": db.schema_version,
        "sqlite_version": sqlite3.sqlite_version,
        "journal_mode": db.conn.execute("PRAGMA journal_mode").fetchone()[0],
        "counts": counts(db),
        "active_jobs": total_jobs(db.conn, False),
        "outbox": outbox,
        "feeds": [s.__dict__ for s in sync_states(db)],
    }
