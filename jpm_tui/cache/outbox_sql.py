"""What differs in the outbox's SQL between the two stores (one SQLite file per person; a team's PostgreSQL
database): the outbox writes its statements once, SQLite's way (``?`` parameters, ``IS ?`` for a comparison that
may meet NULL), and runs them through ``OutboxConnection``, which words them for the store's connection.

On PostgreSQL a claim also locks the row it reads (``SELECT ... FOR UPDATE SKIP LOCKED``: two senders claiming at
once do not wait on each other, the second finds the row taken) and queued writes take their ids one at a time (an
advisory lock per transaction): a sender never sees a record's later write committed before an earlier one, so a
record's writes go out in id order as on SQLite, where a write transaction holds the whole file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class OutboxDialect:
    """How one store's connection takes the outbox's statements."""

    mark: str
    """A parameter's place holder."""
    same: str
    """Equality that holds between two NULLs."""
    lock_row: str
    """Appended to the claim's read of a row."""
    enqueue_lock: str | None
    """Run first in the transaction that queues a write; None: the store's write transaction is enough."""
    returning_id: bool
    """An INSERT says the new row's id with ``RETURNING id`` (else the cursor's ``lastrowid``)."""

    def text(self, sql: str) -> str:
        """``sql`` as written for SQLite, in this store's words."""
        return sql.replace(" IS ?", f" {self.same} ?").replace("?", self.mark)


ENQUEUE_LOCK = 0x6A706D2D6F7574
"""The advisory lock key PostgreSQL's queueing transactions take (no other program on the database takes it)."""

DIALECTS: dict[str, OutboxDialect] = {
    "sqlite3": OutboxDialect(mark="?", same="IS", lock_row="", enqueue_lock=None, returning_id=False),
    "psycopg": OutboxDialect(mark="%s", same="IS NOT DISTINCT FROM", lock_row=" FOR UPDATE SKIP LOCKED",
                             enqueue_lock=f"SELECT pg_advisory_xact_lock({ENQUEUE_LOCK})", returning_id=True),
}
"""By the package of the store's connection (the driver whose SQL it takes)."""


def dialect_of(conn: Any) -> OutboxDialect:
    """The dialect of a store's connection (an sqlite3 or a psycopg one)."""
    return DIALECTS[type(conn).__module__.partition(".")[0]]


class OutboxConnection:
    """A store's connection taking the outbox's statements as written for SQLite."""

    def __init__(self, conn: Any, dialect: OutboxDialect) -> None:
        self.conn = conn
        self.dialect = dialect

    def execute(self, sql: str, args: Any = ()) -> Any:
        return self.conn.execute(self.dialect.text(sql), args)

    def insert(self, sql: str, args: Any) -> int:
        """Run an ``INSERT`` of one row; its id."""
        if self.dialect.returning_id:
            return int(self.execute(sql + " RETURNING id", args).fetchone()[0])
        return int(self.execute(sql, args).lastrowid)
