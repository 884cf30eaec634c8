"""What a list shows of the outbox without loading it: the states of its rows, and which records have a write not
applied yet (the job list's markers, read for its first frame; the outbox itself, with its sending and its
commands, loads with the live loop after that frame)."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Any

from jpm_tui.cache.outbox_sql import OutboxConnection, dialect_of

__all__ = ["OPEN_STATES", "OutboxState", "PendingMark", "pending_ids"]


class OutboxState(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    DONE = "done"
    FAILED = "failed"
    CONFLICT = "conflict"


OPEN_STATES = (OutboxState.PENDING, OutboxState.SENDING, OutboxState.CONFLICT, OutboxState.FAILED)
"""States the board shows as 'not applied yet' (failed rows stay visible until dropped or retried)."""

_URGENCY: dict[str, int] = {"conflict": 0, "failed": 1, "sending": 2, "pending": 3}
"""Which state a record's marker shows when it has several open rows: the lowest."""


class PendingMark(str):
    """What ``pending_ids`` says of a record: the most urgent state of its open rows (it is that text: "failed"),
    and ``authors``, who queued them, first queued first (so a board can say "queued by Ann")."""

    authors: tuple[str, ...]

    def __new__(cls, state: str, authors: Iterable[str] = ()) -> PendingMark:
        mark = super().__new__(cls, state)
        mark.authors = tuple(authors)
        return mark


def pending_ids(conn: Any, target_kind: str) -> dict[int, PendingMark]:
    """Record id -> the most urgent state of its open rows (conflict > failed > sending > pending), for a marker in
    a list, with who queued them. ``conn``: a store's connection (sqlite3 or psycopg)."""
    states: dict[int, str] = {}
    authors: dict[int, list[str]] = {}
    for rid, state, author in OutboxConnection(conn, dialect_of(conn)).execute(
        f"SELECT target_id, state, author FROM outbox WHERE target_kind = ? AND target_id IS NOT NULL AND "
        f"state IN ({', '.join('?' for _ in OPEN_STATES)}) ORDER BY id",
        (target_kind, *[s.value for s in OPEN_STATES]),
    ):
        rid = int(rid)
        if rid not in states or _URGENCY.get(state, 9) < _URGENCY.get(states[rid], 9):
            states[rid] = state
        names = authors.setdefault(rid, [])
        if author and author not in names:
            names.append(author)
    return {rid: PendingMark(state, authors[rid]) for rid, state in states.items()}
