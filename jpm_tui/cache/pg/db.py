"""The connections to a PostgreSQL cache: one per thread (made on first use, as the SQLite store's: the board's
reader thread and the sync engine never share one), in autocommit mode; write transactions that nest by joining
the outer one; the schema's migrations, run under an advisory lock so that boards opening at once migrate once."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from jpm_tui.cache.pg.schema import LATEST, MIGRATIONS
from jpm_tui.cache.store.errors import CacheError, CacheTooNew

#: the key of the advisory lock migrations run under (any number no other program on the database takes)
_MIGRATION_LOCK = 0x6A706D2D747569
#: libpq's options for a server that stops answering (a dead network, not a refused connection): a connection is
#: given up after a few seconds, and keepalives end an idle one within ~15 s, so a statement fails, rather than
#: hanging for the system's TCP timeout (minutes; the sync service could not stop until then). The URL's win.
_ANSWERS_WITHIN = {"connect_timeout": "5", "keepalives": "1", "keepalives_idle": "10", "keepalives_interval": "2",
                   "keepalives_count": "3"}


#: how a libpq URI starts (anything else is a key=value connection string)
_URI_SCHEMES = ("postgresql://", "postgres://")


def redacted(url: str) -> str:
    """``url`` without its password, fit for output and logs: a URI stays the URI as written, less a password in
    its user part or its query (``with_password`` puts one there); a key=value string loses its password key."""
    if not url.startswith(_URI_SCHEMES):
        params = conninfo_to_dict(url)
        params.pop("password", None)
        return make_conninfo("", **{k: v for k, v in params.items() if v is not None})
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        user, host = netloc.rsplit("@", 1)
        netloc = f"{user.split(':', 1)[0]}@{host}"
    query = parts.query
    pairs = parse_qsl(query, keep_blank_values=True)
    if any(key == "password" for key, _ in pairs):
        query = urlencode([(key, value) for key, value in pairs if key != "password"], quote_via=quote)
    return urlunsplit(parts._replace(netloc=netloc, query=query))


def with_password(url: str, password: str) -> str:
    """``url`` (a URI or a key=value string) with ``password`` added, as a URI's query parameter so that
    ``redacted`` gives the URI back as written."""
    if not url.startswith(_URI_SCHEMES):
        return make_conninfo(url, password=password)
    return f"{url}{'&' if urlsplit(url).query else '?'}password={quote(password, safe='')}"  # libpq: no '+'s


class PgDatabase:
    """The connections to one PostgreSQL cache. ``close()`` closes every thread's."""

    def __init__(self, url: str, *, finished_statuses: Sequence[str] = ()) -> None:
        """``finished_statuses``: the backend's finished appointment statuses, which each connection holds as its
        setting ``jpm.finished_statuses`` (a JSON array: ``derived``'s ``{finished}``)."""
        self.url = url
        self.finished_statuses = json.dumps(list(finished_statuses))
        self._local = threading.local()
        self._lock = threading.Lock()
        self.connections: list[psycopg.Connection[Any]] = []
        self._closed = False

    def _connect(self) -> psycopg.Connection[Any]:
        if self._closed:
            raise CacheError("the cache store is closed")
        given = conninfo_to_dict(self.url)
        conninfo = make_conninfo(self.url, **{k: v for k, v in _ANSWERS_WITHIN.items() if k not in given})
        conn = psycopg.connect(conninfo, autocommit=True, application_name="jpm-tui")
        conn.execute("SELECT set_config('jpm.finished_statuses', %s, false)", (self.finished_statuses,))
        with self._lock:
            self.connections.append(conn)
        return conn

    @property
    def conn(self) -> psycopg.Connection[Any]:
        """This thread's connection (autocommit; ``transaction()`` groups writes)."""
        conn: psycopg.Connection[Any] | None = getattr(self._local, "conn", None)
        if conn is None or conn.closed:  # closed: the server went away; a board reconnects once it is back
            with self._lock:
                if conn in self.connections:
                    self.connections.remove(conn)
            conn = self._connect()
            self._local.conn = conn
            self._local.depth = 0
        return conn

    def discard(self) -> None:
        """Close every thread's connection, the database being gone (a board's listener lost it): each thread makes
        a new one on its next statement, rather than finding out on it that its old one died."""
        with self._lock:
            conns = list(self.connections)
        for conn in conns:
            conn.close()

    def close(self) -> None:
        with self._lock:
            conns, self.connections = self.connections, []
        for conn in conns:
            conn.close()
        self._closed = True
        self._local = threading.local()

    @contextmanager
    def transaction(self) -> Iterator[psycopg.Connection[Any]]:
        """One transaction (BEGIN ... COMMIT; ROLLBACK if the block raises). Nested use joins the outer one: an
        error inside rolls the whole outer transaction back when it propagates."""
        conn = self.conn
        depth: int = self._local.depth
        if depth == 0:
            conn.execute("BEGIN")
        self._local.depth = depth + 1
        try:
            yield conn
            if depth == 0:
                conn.execute("COMMIT")
        except BaseException:
            self._local.depth = depth
            if depth == 0 and not conn.closed:
                conn.execute("ROLLBACK")
            raise
        else:
            self._local.depth = depth

    @property
    def schema_version(self) -> int:
        row = self.conn.execute("SELECT version FROM jpm_schema").fetchone()
        return int(row[0]) if row else 0

    def migrate(self, target: int = LATEST, on_upgrade: Callable[[str, int, int], None] | None = None) -> None:
        """Bring the schema to ``target`` (each migration in one transaction); ``CacheTooNew`` when a newer jpm-tui
        made it. ``on_upgrade(redacted url, from, to)`` before an existing schema is upgraded."""
        with self.transaction() as conn:
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
            conn.execute("CREATE TABLE IF NOT EXISTS jpm_schema (version integer NOT NULL)")
            row = conn.execute("SELECT version FROM jpm_schema").fetchone()
            if row is None:
                conn.execute("INSERT INTO jpm_schema VALUES (0)")
            version = int(row[0]) if row else 0
            if version > LATEST:
                raise CacheTooNew(f"the cache at {redacted(self.url)} is schema version {version}, newer than this "
                                  f"jpm-tui knows ({LATEST}): upgrade jpm-tui")
            if 0 < version < target and on_upgrade is not None:
                on_upgrade(redacted(self.url), version, target)
            for step in range(version, target):
                conn.execute(MIGRATIONS[step].encode())
                conn.execute("UPDATE jpm_schema SET version = %s", (step + 1,))
