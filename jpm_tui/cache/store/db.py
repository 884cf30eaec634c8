"""The cache file and its connections: where the file lives (``path_for``), created 0600; one connection per
thread (created on first use, so the UI's reader thread and the sync engine never share one), each with the
store's pragmas; write transactions; the data version reads are memoised by. WAL lets readers run while a writer
commits. Opening checks and migrations are ``jpm_tui.cache.health`` and ``migrate``."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from jpm_tui.cache.health import cache_fault
from jpm_tui.cache.store.errors import CacheError

APP_NAME = "jpm-tui"

DataVersion = tuple[int, int]
"""Changes whenever any connection (this process or another) commits (``Database.version``)."""


class Database:
    """The connections to one cache file. ``close()`` closes every thread's."""

    #: bytes per database page of a new cache file (see ``_connect``; a file keeps the size it was made with)
    PAGE_SIZE = 16384
    #: bytes of WAL between automatic checkpoints (see ``_connect``)
    WAL_CHECKPOINT_BYTES = 64 * 1024 * 1024
    #: SQLite's page cache per connection (KiB) and the part of the file it maps, which bound the board's memory
    CACHE_KIB = 32 * 1024
    MMAP_BYTES = 64 * 1024 * 1024

    def __init__(self, path: str | os.PathLike[str], *, finished_statuses: Sequence[str] = ()) -> None:
        """``finished_statuses``: the backend's appointment statuses of its finished categories, as each connection's
        SQL function ``finished_statuses()`` gives them (a JSON array: what ``derived``'s SQL reads instead of
        naming a backend's words)."""
        self.path = Path(path)
        self.finished_statuses = tuple(finished_statuses)
        self._local = threading.local()
        self.connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._write_seq = 0
        self._closed = False

    def raise_fault(self, error: BaseException) -> None:
        """Raise the ``CacheFault`` (naming this file) that ``error`` stands for; return when it is not the world's
        doing (it is ours, and the caller re-raises it for the crash log)."""
        fault = cache_fault(error, self.path)
        if fault is not None and fault is not error:
            raise fault from error

    @staticmethod
    def path_for(environment: str, tenant: int | str, *, base: str | os.PathLike[str] | None = None) -> Path:
        """``<user data dir>/jpm-tui/cache/<environment>-<tenant>.sqlite3`` (``base`` replaces the data dir)."""
        if base is None:
            import platformdirs

            base = platformdirs.user_data_path(APP_NAME)
        env = re.sub(r"[^A-Za-z0-9_.-]+", "_", str(environment)) or "default"
        ten = re.sub(r"[^A-Za-z0-9_.-]+", "_", str(tenant)) or "0"
        return Path(base) / "cache" / f"{env}-{ten}.sqlite3"

    def create_file(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        os.close(fd)
        os.chmod(self.path, 0o600)

    def _connect(self) -> sqlite3.Connection:
        if self._closed:
            raise CacheError("the cache store is closed")
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30.0)
        finished = json.dumps(self.finished_statuses)
        try:
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA page_size={self.PAGE_SIZE}")
            for pragma in self.pragmas(conn.execute("PRAGMA page_size").fetchone()[0]):
                conn.execute(f"PRAGMA {pragma}")
            # a function, not a temp table: changing temp_store (first_fill) drops a connection's temp tables
            conn.create_function("finished_statuses", 0, lambda: finished, deterministic=True)
        except sqlite3.DatabaseError as error:
            conn.close()
            self.raise_fault(error)
            raise
        with self._lock:
            self.connections.append(conn)
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
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
            self._local.depth = 0
        return conn

    def close(self) -> None:
        with self._lock:
            conns, self.connections = self.connections, []
        for conn in conns:
            try:
                conn.execute("PRAGMA optimize")
            except sqlite3.Error:
                pass
            conn.close()
        self._closed = True
        self._local = threading.local()

    @property
    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def optimize(self) -> None:
        """Refresh the planner's statistics (after a big sync). Cheap when nothing changed much."""
        self.conn.execute("PRAGMA optimize")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE ... COMMIT; ROLLBACK if the block raises). Nested use joins
        the outer transaction: an error inside rolls back the whole outer transaction when it propagates.
        (No SAVEPOINTs: in WAL mode they make every later write in a big transaction slower.)"""
        conn = self.conn
        depth: int = self._local.depth
        if depth == 0:
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.DatabaseError as error:
                self.raise_fault(error)
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
                self.raise_fault(error)
            raise
        else:
            self._local.depth = depth
            if depth == 0:
                self._write_seq += 1

    def version(self) -> DataVersion:
        """Changes whenever any connection (this process or another) commits."""
        return self._write_seq, int(self.conn.execute("PRAGMA data_version").fetchone()[0])
