"""``jpm-tui cache rescue``: a damaged cache file is set aside (renamed, never deleted) and a fresh cache takes its
place, holding every outbox row that could still be read from the old one (the changes not sent yet must
survive; everything else comes back with the next sync).

Nothing is moved until the fresh cache, with the rescued rows in it, is complete beside the old one: a rescue
stopped half-way (a full disk) leaves the damaged file where it was, and can be run again.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from jpm_tui.cache.health import CacheDamaged, quick_check

__all__ = ["RescueReport", "read_outbox", "rescue"]

_SIDE_FILES = ("-wal", "-shm")  # SQLite's companions of a file, moved with it


@dataclass(frozen=True)
class RescueReport:
    path: Path                 # the fresh cache
    aside: Path | None         # where the damaged file went (None: it was not damaged, nothing was done)
    rescued: int = 0           # outbox rows copied into the fresh cache
    open_rescued: int = 0      # ... of which not sent yet
    complete: bool = True      # False: part of the outbox could not be read
    damage: str = ""           # what SQLite said about the old file


def _read_only(path: Path) -> sqlite3.Connection:
    # mode=ro: a rescue writes nothing into the damaged file (not even a WAL checkpoint)
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    return conn


def read_outbox(path: Path) -> tuple[list[dict[str, Any]], bool]:
    """Every outbox row of the file that can be read, in id order, and whether that was all of them. Rows are
    read from both ends, so a damaged page in the middle of the table costs only the rows on it."""
    try:
        conn = _read_only(path)
    except sqlite3.Error:
        return [], False
    found: dict[int, dict[str, Any]] = {}
    complete = True
    try:
        for order in ("ASC", "DESC"):
            try:
                for row in conn.execute(f"SELECT * FROM outbox ORDER BY id {order}"):
                    found[int(row["id"])] = dict(row)
                break  # read to the end: the other direction has nothing more
            except sqlite3.DatabaseError:
                complete = False
    finally:
        conn.close()
    return [found[key] for key in sorted(found)], complete


def damage_of(path: Path) -> str:
    """What SQLite finds wrong with the file ('' when its quick_check passes)."""
    try:
        conn = _read_only(path)
        try:
            quick_check(conn, path)
        finally:
            conn.close()
    except CacheDamaged as error:
        return error.reason
    except sqlite3.DatabaseError as error:
        return str(error)
    return ""


def _aside_name(path: Path, when: datetime) -> Path:
    stem = f"{path.name}.damaged-{when.strftime('%Y%m%d-%H%M%S')}"
    for n in range(1000):
        candidate = path.with_name(stem if n == 0 else f"{stem}-{n}")
        if not any(Path(f"{candidate}{suffix}").exists() for suffix in ("", *_SIDE_FILES)):
            return candidate
    raise FileExistsError(f"too many rescued caches beside {path}")


def _move(source: Path, target: Path) -> None:
    """``source`` and its -wal/-shm files to ``target`` (and the same suffixes)."""
    for suffix in ("", *_SIDE_FILES):
        old = Path(f"{source}{suffix}")
        if old.exists():
            old.rename(Path(f"{target}{suffix}"))


def rescue(path: Path, *, when: datetime, open_store: Callable[[Path], Any]) -> RescueReport:
    """Set the damaged cache ``path`` aside as ``<name>.damaged-<when>`` and put a fresh cache (made with
    ``open_store(path)``, a ``CacheStore``) holding its readable outbox rows in its place. A cache that is not
    damaged is left alone (``aside`` None). Raises ``CacheFault`` when the fresh cache cannot be written."""
    damage = damage_of(path)
    if not damage:
        return RescueReport(path=path, aside=None)
    rows, complete = read_outbox(path)
    fresh = path.with_name(f"{path.name}.rescue")
    _remove(fresh)
    store = open_store(fresh)
    try:
        columns = [r[1] for r in store.conn.execute("PRAGMA table_info(outbox)")]
        kept = [c for c in columns if any(c in row for row in rows)]  # an older file lacks the newer columns
        with store.transaction() as conn:
            if rows:
                conn.executemany(
                    f"INSERT INTO outbox ({', '.join(kept)}) VALUES ({', '.join('?' for _ in kept)})",
                    [tuple(row.get(c) for c in kept) for row in rows])
    finally:
        store.close()
    aside = _aside_name(path, when)
    _move(path, aside)
    _move(fresh, path)
    open_rows = sum(1 for row in rows if row.get("state") != "done")
    return RescueReport(path=path, aside=aside, rescued=len(rows), open_rescued=open_rows, complete=complete,
                        damage=damage)


def _remove(path: Path) -> None:
    for suffix in ("", *_SIDE_FILES):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
